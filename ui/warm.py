"""Server warm-up: what every first page run needs, done once per process before a session asks."""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class _NotThisThread(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warm-up thread only (it loads
    the dataset outside any session, on purpose)."""

    def __init__(self, thread: threading.Thread) -> None:
        super().__init__()
        self.thread = thread

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread.ident


def warm() -> float:
    """Import the model, the charts and the pages' helpers and load the bundled dataset (the
    process-wide cached copy every session reads). Returns the seconds it took."""
    t0 = time.perf_counter()
    ctx_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    quiet = _NotThisThread(threading.current_thread())
    ctx_log.addFilter(quiet)
    try:
        import risk.charts  # pandas, numpy, the chart builders
        import risk.scenarios  # noqa: F401
        import ui.common
        import ui.exports

        ui.common.dataset()
    finally:
        ctx_log.removeFilter(quiet)
    took = time.perf_counter() - t0
    log.info("warm-up done in %.2f s", took)
    return took
