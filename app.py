"""Critical-minerals supply-risk dashboard: navigation only (see pages/)."""

from pathlib import Path

import streamlit as st

from ui.common import PREFETCH
from ui.deeplink import mark_navigation

# No page_title here: each page's st.Page title names its browser tab.
# The tab's icon is a bundled image: a Material icon (":material/landscape:") made the browser
# fetch its picture from fonts.gstatic.com, which fails offline; an emoji loads Streamlit's 90 ms
# emoji table on every cold start
st.set_page_config(page_icon=str(Path(__file__).with_name("static") / "icon.png"), layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/public:", default=True),
    st.Page("pages/profile.py", title="Mineral profile", icon=":material/search:"),
    st.Page("pages/scenario_lab.py", title="Scenario lab", icon=":material/science:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/controls.py", title="Export controls", icon=":material/gavel:"),
    st.Page("pages/briefing.py", title="Briefing pack", icon=":material/slideshow:"),
    st.Page("pages/data_sources.py", title="Data and sources", icon=":material/menu_book:"),
    st.Page("pages/methodology.py", title="Methodology", icon=":material/functions:"),
]
# URL paths are the file names (/profile, /scenario_lab ...) so that a deep link works even on a
# server's very first request, before any session has called st.navigation (see ui/deeplink.py).
mark_navigation()
# every page's run is counted: the lab's work ahead is for a session alone on the server
with PREFETCH.script():
    st.navigation(pages).run()
