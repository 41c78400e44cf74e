"""serve.py: the server entry `make run` uses (app.py, with a warm-up thread at server start)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_run_sees_serve_py_as_an_app():
    # `streamlit run serve.py` serves the st.App it defines (found by reading the file, not running it)
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "serve.py")
    assert found.is_asgi_app
    assert found.app_name == "app"


def test_warm_loads_the_one_shared_dataset():
    import ui.common
    from ui.warm import warm

    took = warm()
    assert took >= 0
    ds = ui.common.dataset()
    assert ds is ui.common.dataset()  # the cached copy every session then reads
    assert len(ds.minerals) >= 90
