"""Helpers the Streamlit pages share. Streamlit lives here and in pages/, never in risk/."""
