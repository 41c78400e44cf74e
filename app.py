"""Critical-minerals supply-risk dashboard: navigation only (see pages/)."""

import streamlit as st

st.set_page_config(page_title="Critical minerals supply risk", page_icon="⛏️", layout="wide")

pages = [
    st.Page("pages/data_sources.py", title="Data and sources", icon="📚", default=True),
]
st.navigation(pages).run()
