"""The dashboard's server entry: ``streamlit run serve.py`` serves app.py and, at server start,
imports the model and loads the bundled dataset in a background thread, so that the first
visitor's page does not wait for them (they run while the browser loads Streamlit's scripts).
``streamlit run app.py`` serves the same app without the warm-up."""

import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st


def _warm() -> None:
    from ui.warm import warm

    warm()


@asynccontextmanager
async def _lifespan(_app):
    threading.Thread(target=_warm, name="warm-up", daemon=True).start()
    yield


app = st.App(Path(__file__).with_name("app.py"), lifespan=_lifespan)
