"""Deep links on a server's very first request (the one workaround for streamlit/streamlit#9624).

Streamlit decides once per server process, when the first session starts, whether the app is an
old-style multipage app: it is when a folder named ``pages/`` sits beside the entry point and no
session has called ``st.navigation`` yet. A fresh server whose first request is a deep link
(``/profile?mineral=germanium``) therefore runs ``pages/profile.py`` on its own, without app.py's
navigation, titles and page list. There is no config option for this in Streamlit 1.67.

app.py calls :func:`mark_navigation` before it runs the chosen page, and every page calls
:func:`ensure_navigation` as its first statement. A page that finds no mark in its session was
started in the old mode: it switches the flag off and reruns, so that app.py's ``st.navigation``
handles the same URL. The mark is per session, not the process-wide flag, because several first
requests can arrive at once: one session's navigation switches the flag off while another's
page is already running the old way (a browser test opens four deep links at once).
Both are called explicitly, never as a side effect of importing a module: a rerun raised inside
an import left a half-initialised module for a second session to import
(``ImportError: cannot import name ...``).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_MARK = "_navigated_by_app"


def mark_navigation() -> None:
    """Called by app.py: this session's pages run under app.py's navigation."""
    st.session_state[_MARK] = True


def ensure_navigation() -> None:
    """Rerun through app.py's navigation if this page was started as an old-style page."""
    if not st.session_state.get(_MARK):
        PagesManager.uses_pages_directory = False
        st.rerun()
