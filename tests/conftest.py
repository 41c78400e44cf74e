from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

os.environ.setdefault("RISK_CACHE_DIR", str(ROOT / ".pytest_cache" / "risk-cache"))

# Property tests: random locally (to find new cases), derandomized under CI (reproducible runs).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def ds():
    from risk.dataset import load_dataset

    return load_dataset(DATA)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A copy of data/ without the raw files (to break on purpose)."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("raw"))
    return dest


def chromium_path() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


def require_chromium():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI (apt-get install -y chromium)")
        pytest.skip("chromium not installed: sudo apt-get install -y chromium (or set BROWSER_PATH)")
    return path


# Plain words (tests/app/test_plain_words.py and the every-mineral walk in tests/app/test_app_pages.py)
BAD = re.compile(
    r"\b(china_export_ban|china_ban_russia_deal|russia_deal|ukraine_deal|deal_offset_share|net_import_reliance|us_shortfall\w*"
    r"|shortfall_net|mcs202[56]|iea2025|magnet ree|magnet_ree|technology_ban|None|nan|NaN|auto)\b|u\.s\.|\(none\)"
)


def figures(at) -> dict[str, dict[str, str]]:
    """The headline boxes (ui.common.figures_html, in a ui.text_box or a markdown element) on an AppTest page: label ->
    {"value", "help", "note"}, the text unescaped as a reader sees it."""
    from ui.common import read_figures

    out = {}
    for value in [str(e.value) for e in at.markdown] + text_boxes(at):
        out |= read_figures(value)
    return out


def text_boxes(at) -> list[str]:
    """The HTML of every ui.text_box element on an AppTest page, as sent to the browser."""
    from ui.text_box import COMPONENT

    return [json.loads(e.proto.json)["html"] for e in at.get("bidi_component") if e.proto.component_name == COMPONENT]


def slider_boxes(at) -> list[dict]:
    """The sliders of every ui.sliders box on an AppTest page, as the page sent them to the
    browser: each {"key", "label", "help", "values", "words", "index"} (the box and its ``id``
    under "box")."""
    from ui.sliders import COMPONENT

    out = []
    for e in at.get("bidi_component"):
        if e.proto.component_name == COMPONENT:
            data = json.loads(e.proto.json)
            out += [row | data["grids"][row["grid"]] | {"box": e.proto.id, "n": data["n"]} for row in data["sliders"]]
    return out


class BoxSlider:
    """A slider in a ui.sliders box, driven in AppTest as the browser drives it: ``value`` is the
    value the box shows; ``set_value(v).run()`` sends the box's state with that slider at ``v``
    (every other slider as shown), so the box's own callback applies the move."""

    def __init__(self, at, key: str):
        rows = slider_boxes(at)
        row = next((r for r in rows if r["key"] == key), None)
        if row is None:
            raise KeyError(key)
        self.at, self.key, self.row, self.rows = at, key, row, [r for r in rows if r["box"] == row["box"]]
        self.label, self.help = row["label"], row["help"]

    @property
    def value(self):
        return self.row["values"][self.row["index"]]

    def set_value(self, v):
        self._v = v
        return self

    def run(self):
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        values = {r["key"]: r["values"][r["index"]] for r in self.rows} | {self.key: self._v}
        ws = WidgetStates()
        ws.CopyFrom(self.at._tree.get_widget_states())  # AppTest's own widgets, as its run() sends them
        w = ws.widgets.add()
        w.id = self.row["box"]
        w.json_value = json.dumps({"values": {"values": values, "moved": self.key, "n": self.row["n"] + 1}})
        return self.at._run(ws)


def page_texts(at) -> list[tuple[str, str]]:
    out = []
    for kind in ["title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"]:
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    out += [("metric", f"{m.label} | {m.value} | {m.delta or ''}") for m in at.metric]
    out += [("figure", f"{k} | {f['value']} | {f['note']} | {f['help']}") for k, f in figures(at).items()]
    # a text box's words as a reader sees them (the figures in it are listed above as well)
    out += [("text", html.unescape(re.sub("<[^>]+>", " ", h))) for h in text_boxes(at)]
    for c in at.get("plotly_chart"):
        lay = json.loads(c.proto.spec)["layout"]
        text = lay.get("title", {}).get("text", "") + " " + " ".join(a.get("text", "") for a in lay.get("annotations", []))
        out.append(("chart", re.sub("<[^>]+>", " ", text)))
    out += [("widget", str(w.label)) for w in [*at.selectbox, *at.radio, *at.slider]]
    for r in slider_boxes(at):
        out += [("widget", r["label"]), ("help", r["help"])]
    return out


def offences(texts) -> list[str]:
    return [f"{kind}: {m.group(0)!r} in ...{t[max(0, m.start() - 60) : m.end() + 40]}..." for kind, t in texts for m in BAD.finditer(t)]
