"""benchmarks/ui_profile.py's summary of a Chromium CPU profile (a profile made by hand, no browser)."""

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))


def _frame(name: str, url: str = "") -> dict:
    return {"functionName": name, "url": url, "lineNumber": 0, "columnNumber": 0, "scriptId": "0"}


def test_summary_charges_time_to_elements_and_functions():
    import ui_profile

    # (root) -> render@react-dom -> draw@PlotlyChart -> measure@PlotlyChart (recursive: draw again)
    #        -> (idle)
    nodes = [
        {"id": 1, "callFrame": _frame("(root)"), "children": [2, 6]},
        {"id": 2, "callFrame": _frame("render", "http://x/static/js/react-dom.AbC12.js"), "children": [3]},
        {"id": 3, "callFrame": _frame("draw", "http://x/static/js/PlotlyChart.D9Z0.js"), "children": [4]},
        {"id": 4, "callFrame": _frame("measure", "http://x/static/js/PlotlyChart.D9Z0.js"), "children": [5]},
        {"id": 5, "callFrame": _frame("draw", "http://x/static/js/PlotlyChart.D9Z0.js"), "children": []},
        {"id": 6, "callFrame": _frame("(idle)"), "children": []},
    ]
    # samples in microseconds: 2 ms in React itself, 3 ms in draw, 1 ms in measure, 4 ms in the
    # inner draw, 10 ms idle; two moves, so per move: 1, 1.5, 0.5, 2 and 5 ms idle
    samples = [2, 3, 4, 5, 6]
    deltas = [2000, 3000, 1000, 4000, 10000]
    out = ui_profile.summarize({"nodes": nodes, "samples": samples, "timeDeltas": deltas}, moves=2, top=5, functions=5)
    assert out["js"] == 5.0  # (2 + 3 + 1 + 4) ms / 2 moves; idle is not JavaScript
    # React's own sample is asked for by no element ("core"); the rest by the plotly chart
    assert out["js_by_element"] == {"PlotlyChart": 4.0, "core": 1.0}
    assert out["functions_own"] == {"draw@PlotlyChart": 3.5, "render@react-dom": 1.0, "measure@PlotlyChart": 0.5}
    # with callees: draw counts its recursive call once (4 + 1 + 3 = 8 ms over the two moves, not 12)
    assert out["functions_with_callees"]["draw@PlotlyChart"] == 4.0
    assert out["functions_with_callees"]["render@react-dom"] == 5.0
    assert out["functions_with_callees"]["measure@PlotlyChart"] == 2.5
    assert "(root)@" not in out["functions_with_callees"] and "(idle)@" not in out["functions_own"]


def test_summary_lists_no_functions_unless_asked():
    import ui_profile

    nodes = [{"id": 1, "callFrame": _frame("(root)"), "children": []}]
    out = ui_profile.summarize({"nodes": nodes, "samples": [1], "timeDeltas": [1000]}, moves=1, top=3)
    assert out["js"] == 0 and "functions_own" not in out
