"""Critical-minerals supply-risk dashboard: navigation only (see pages/)."""

import streamlit as st

st.set_page_config(page_title="Critical minerals supply risk", page_icon="⛏️", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/public:", default=True),
    st.Page("pages/profile.py", title="Mineral profile", icon=":material/search:", url_path="profile"),
    st.Page("pages/scenario_lab.py", title="Scenario lab", icon=":material/science:", url_path="scenarios"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/data_sources.py", title="Data and sources", icon=":material/menu_book:", url_path="data"),
    st.Page("pages/methodology.py", title="Methodology", icon=":material/functions:", url_path="methodology"),
]
st.navigation(pages).run()
