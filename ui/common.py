"""Helpers shared by the pages: cached data, chart rendering with downloads, number formats.

Streamlit lives here and in the page files, never in risk/.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st

from risk import charts, countries
from risk import dataset as ds_mod
from risk import metrics as metrics_mod
from risk.export import to_xlsx_bytes
from risk.export_data import to_csv_bytes
from risk.fields import FIELDS
from risk.vocab import DEFAULT_BANDS, fmt_pct, fmt_value
from ui import media as _media


@st.cache_resource(show_spinner="Loading the bundled data…")
def dataset() -> ds_mod.Dataset:
    """The validated bundled dataset, shared read-only by every session."""
    return ds_mod.load_dataset()


@functools.cache
def _bundled() -> ds_mod.Dataset:
    # the same dataset, kept at hand: a chart's build, source line and downloads each asked
    # st.cache_resource for it, and every such call costs a lookup and a session-state scan
    # (six a slider move in the lab)
    return dataset()


@st.cache_data(show_spinner=False)
def metrics_all(bands: str = DEFAULT_BANDS) -> pd.DataFrame:
    return metrics_mod.metrics_table(dataset(), bands=bands)


@st.cache_data(show_spinner=False)
def claims_table() -> pd.DataFrame:
    return metrics_mod.check_claims(dataset())


@st.cache_resource(show_spinner=False)
def names() -> dict[str, str]:
    """Mineral slug -> display name (built once; format_func calls it for every option)."""
    return dataset().minerals.set_index("mineral")["name"].to_dict()


@functools.cache
def _name_table() -> dict[str, str]:
    # the bundled dataset lives as long as the process: keep its name table at hand, since a
    # page's format_func calls mineral_name a few hundred times a rerun and each call through
    # st.cache_resource costs a lookup of its own
    return names()


def mineral_name(m: str) -> str:
    return _name_table().get(m, m.replace("_", " ").title())


def caption_sources(*data) -> None:
    """The source line of what a table or number shows, read from its frame's source column(s)."""
    line = charts.source_line(_bundled(), charts.source_ids_of(*data))
    if line:
        st.caption(line)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text) -> str:
    """Escape Markdown so that user-supplied text (names, labels, error messages quoting an
    upload or a link) shows as typed: no links, images, HTML or formatting."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def pct(x, digits: int = 0) -> str:
    return fmt_pct(x, digits)


def nir_text(nir, flag) -> str:
    """Net import reliance as USGS means it: ``≥ 50%`` for ">50", ``0% (net exporter)`` for "E"."""
    return fmt_value(nir, flag, percent=True)


#: plotly.js settings: the world topology is served locally (static/topojson), never from a CDN.
# a file built by a download button waits 60 s before Streamlit deletes it (ui.media: a race
# under load made some downloads a 404)
_media.install()

DOWNLOAD_MENU = "Download chart"  # the label of the menu of a chart's files (tests and load generators open it)
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "/app/static/topojson/"}


def build(builder, **kwargs):
    """Call a chart builder with the dataset's sources: it reads the source ids from the data it
    plots and writes the source line itself."""
    return builder(sources=_bundled().sources, **kwargs)


class LRU:
    """The ``size`` most recently used results of a function, kept per process and shared by every
    session read-only; thread-safe. It lives in an imported module because a page's own globals
    are made afresh on every full run (a dict defined in a page lasts one session's fragment runs).
    A plain dict on a hashable key: st.cache_data hashes its arguments and pickles every result,
    which cost a fifth of a slider move on the server."""

    def __init__(self, size: int):
        self.size = size
        self._d: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict = {}  # key -> Event set when the thread making it is done

    def get(self, key, make, wait: float = 30.0):
        """The value kept under ``key``, or ``make()`` kept under it (an exception is not kept).
        While another thread makes the same key (the lab's work ahead, a second session), this one
        waits for it (at most ``wait`` seconds, then makes it itself) instead of making it again."""
        for _ in range(2):
            with self._lock:
                hit = self._d.get(key)
                if hit is not None:
                    self._d.move_to_end(key)
                    return hit
                busy = self._making.get(key)
                if busy is None:
                    done = self._making[key] = threading.Event()
                    break
            busy.wait(wait)  # done: kept (the next pass finds it), or failed (make it here)
        else:
            done = None  # waited twice: make it without the mark
        try:
            out = make()
            with self._lock:
                self._d[key] = out
                while len(self._d) > self.size:
                    self._d.popitem(last=False)
            return out
        finally:
            if done is not None:
                with self._lock:
                    self._making.pop(key, None)
                done.set()

    def __len__(self) -> int:
        return len(self._d)


class Prefetch:
    """Work done ahead, off the script thread, for one user alone on the server: one worker and one
    job at a time. A job offered during a script run is parked until that run (its outermost
    :meth:`script` block: app.py's around a full run, the fragment's own around a fragment run)
    ends; it is then dropped when another script run is going on, when a job is not finished, or
    when another session ran a script in the last ``window`` seconds: work ahead for a lone analyst
    moving a slider, none under load (with 50 sessions moving random sliders, guesses that rarely
    hit doubled the queue; benchmarks/README, "Work ahead for a moving slider"). For the value a
    moving slider will send next: that move then finds its result kept (the script time of a kept
    result, about 12 ms, where a new setting takes 25-35 ms)."""

    def __init__(self, window: float = 5.0, clock=None):
        import time

        self._lock = threading.Lock()
        self._local = threading.local()  # this thread's depth of script() blocks and parked job
        self._pending = 0
        self._running_scripts = 0  # outermost script() blocks going on, every thread
        self._pool = None
        self._window = window
        self._clock = clock or time.monotonic
        self._seen: dict[str, float] = {}  # session -> when its last script run started

    def script(self, who: str | None = None):
        """A context manager around a page's script run (or a fragment's) by session ``who`` (by
        default the running script's session); blocks nest (a fragment inside a full run counts
        once)."""
        if who is None:
            from streamlit.runtime.scriptrunner import get_script_run_ctx

            ctx = get_script_run_ctx(suppress_warning=True)
            who = ctx.session_id if ctx else ""
        return _ScriptRun(self, who)

    def offer(self, job, who: str | None = None) -> bool:
        """Run ``job()`` in the worker unless the server is busy or ``who`` (by default the session
        of the script run going on) is not alone on it; True if it was taken. Inside a script run
        it is parked (True) and decided when the run ends."""
        if getattr(self._local, "depth", 0):
            self._local.parked = (job, self._local.who if who is None else who)
            return True
        return self._submit(job, "" if who is None else who)

    def _prune(self, now: float) -> None:
        self._seen = {k: t for k, t in self._seen.items() if now - t <= self._window}

    def _submit(self, job, who: str) -> bool:
        with self._lock:
            self._prune(self._clock())
            if self._pending or self._running_scripts or any(k != who for k in self._seen):
                return False
            self._pending += 1
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
        try:
            self._pool.submit(self._run, job)
        except RuntimeError:  # the pool is shut down (the interpreter is exiting)
            with self._lock:
                self._pending -= 1
            return False
        return True

    def _run(self, job) -> None:
        try:
            job()
        except Exception:  # work ahead that fails is not kept; the move computes it and shows its error
            logging.getLogger(__name__).debug("work ahead failed", exc_info=True)
        finally:
            with self._lock:
                self._pending -= 1

    def idle(self) -> bool:
        with self._lock:
            return not self._pending


class _ScriptRun:
    def __init__(self, p: Prefetch, who: str):
        self.p, self.who = p, who

    def __enter__(self):
        p, local = self.p, self.p._local
        depth = getattr(local, "depth", 0)
        if not depth:
            local.parked, local.who = None, self.who
            with p._lock:
                p._running_scripts += 1
                now = p._clock()
                p._prune(now)
                p._seen[self.who] = now
        local.depth = depth + 1

    def __exit__(self, *exc):
        p, local = self.p, self.p._local
        local.depth -= 1
        if local.depth:
            return
        with p._lock:
            p._running_scripts -= 1
        parked, local.parked = local.parked, None
        if parked is not None and exc[0] is None:
            p._submit(*parked)


def counted(fn):
    """``fn`` (a page's fragment) run inside :meth:`Prefetch.script` for its session: a fragment
    rerun does not pass through app.py, and every page's runs count for whether a session is alone
    on the server."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with PREFETCH.script():
            return fn(*args, **kwargs)

    return run


#: work ahead for the Scenario lab's sliders (pages/scenario_lab.py)
PREFETCH = Prefetch()

_BUILT = LRU(256)
#: the Scenario lab's results, one per (scenario YAML, mineral), and its scenarios, one per
#: (scenario, sliders moved, stage), and its charts: what a slider move would otherwise compute again
LAB_RUNS = LRU(512)
LAB_SCENARIOS = LRU(512)
#: the Overview's selections (pages/overview.py): table, captions and chart per selection
OVERVIEW_VIEWS = LRU(128)
#: the Mineral profile's year section per (mineral, series, year): shares, notes (pages/profile.py)
YEAR_VIEWS = LRU(256)
LAB_CHARTS = LRU(256)  # (chart, scenario YAML, mineral) -> (figure, meta), shared read-only


def build_once(key: tuple, builder, **kwargs):
    """:func:`build`, kept per process under ``key``: the builder's name and everything its inputs
    are read from in the bundled data (mineral, series, year, importer...). A page's other
    selections then leave the chart alone: it is neither built again nor redrawn (the same
    figure gives the browser the same chart element). Figures are shared read-only; the
    least recently used of 256 go first."""
    return _BUILT.get((builder.__name__, *key), lambda: build(builder, **kwargs))


FIGURES_CLASS = "mr-figures"  # the boxes' container; tests read the boxes by these classes
_FIG_STYLE = "flex:1 1 30%;min-width:11rem;padding:.25rem 0"
_FIG_LABEL = "font-size:.875rem;opacity:.8;margin-bottom:.1rem"
_FIG_VALUE = "font-size:1.9rem;line-height:1.25;font-weight:400"
_FIG_NOTE = "font-size:.875rem;opacity:.75"


def figures_html(items: list[dict], *, ids: str = "mr-figure") -> str:
    """Headline figures as one block of boxes: each ``{"label", "value", "help", "note"}`` (help and
    note optional). All text is escaped. The help is the box's tooltip (``title``) and, for keyboard
    and screen-reader users, who get no hover tooltips, its accessible description: each box with
    a help takes the focus (Tab) and is described by a hidden copy of it (ids ``{ids}-help-N``).
    One element (ui.text_box) where st.metric took one element and one box to lay it out per
    figure: each element re-sent is a render of the page in the browser."""
    boxes, helps = [], []
    for i, it in enumerate(items):
        label, value = html.escape(str(it["label"])), html.escape(str(it["value"]))
        tip = ""
        if it.get("help"):
            tip = f' tabindex="0" aria-describedby="{ids}-help-{i}" title="{html.escape(it["help"], quote=True)}"'
            helps.append(f'<span class="mr-sr" id="{ids}-help-{i}">{html.escape(it["help"])}</span>')
        note = f'<div class="mr-figure-note" style="{_FIG_NOTE}">{html.escape(it["note"])}</div>' if it.get("note") else ""
        boxes.append(
            f'<div class="mr-figure" role="listitem" style="{_FIG_STYLE}"{tip}>'
            f'<div class="mr-figure-label" style="{_FIG_LABEL}">{label}</div>'
            f'<div class="mr-figure-value" style="{_FIG_VALUE}">{value}</div>{note}</div>'
        )
    return (
        f'<div class="{FIGURES_CLASS}" role="list" style="display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin-bottom:.75rem">'
        f"{''.join(boxes)}</div>{''.join(helps)}"
    )


_FIGURE_BOX = re.compile(r'<div class="mr-figure" [^>]*?(?: title="(?P<help>[^"]*)")?>(?P<body>.*?)</div></div>')
_FIGURE_PART = re.compile(r'<div class="mr-figure-(label|value|note)"[^>]*>(.*?)</div>')


def read_figures(html_text: str) -> dict[str, dict[str, str]]:
    """The figures in HTML made by :func:`figures_html`, read back as a reader sees them: label ->
    ``{"value", "help", "note"}`` (for the tests and the load generator, which see the HTML the
    page sent)."""
    out = {}
    if f'class="{FIGURES_CLASS}"' not in html_text:
        return out
    for box in _FIGURE_BOX.finditer(html_text):
        parts = dict(_FIGURE_PART.findall(box["body"] + "</div>"))
        out[html.unescape(parts["label"])] = {
            "value": html.unescape(parts["value"]),
            "help": html.unescape(box["help"] or ""),
            "note": html.unescape(parts.get("note", "")),
        }
    return out


def lazy_section(label: str, key: str, *, open_now: bool = False):
    """A section that is a closed expander until opened, its content sent only while it is open
    (``st.expander(on_change="rerun")``): every element on a page costs each move a re-render in
    the browser, wherever it is (benchmarks/README, "Sections sent only when open"). Returns the
    expander to write into, or None while it is closed; ``open_now`` opens it (a link that names
    something in it)."""
    if open_now and key not in st.session_state:
        st.session_state[key] = True
    section = st.expander(label, key=key, on_change="rerun")
    return section if section.open else None


def render_chart(fig, meta: charts.ChartMeta, key: str, *, downloads: bool = True) -> None:
    """Show a chart as it will be exported, its source line, and its downloads (``downloads=False``:
    the caller draws them with :func:`download_row`, e.g. outside a fragment)."""
    st.plotly_chart(
        fig, theme=None, key=f"chart-{key}", config=PLOTLY_CONFIG | {"toImageButtonOptions": {"filename": meta.slug, "scale": 2}}
    )
    if downloads:
        download_row(meta, key, lambda: (fig, meta))


def download_row(meta: charts.ChartMeta, key: str, current) -> None:
    """CSV, XLSX, PNG, SVG and PDF of a chart, each built when clicked from ``current()`` (the
    figure and its meta at that moment; file names come from ``meta``)."""
    ds = _bundled()

    def srcs_title():
        m = current()[1]
        return [ds.sources[i] for i in m.source_ids if i in ds.sources], f"{m.title} — {m.subtitle}"

    def csv() -> bytes:
        srcs, title = srcs_title()
        return to_csv_bytes(current()[1].data, sources=srcs, title=title)

    def xlsx() -> bytes:
        srcs, title = srcs_title()
        return to_xlsx_bytes({"Data": current()[1].data}, sources=srcs, title=title)

    # One closed menu, its five buttons sent only while it is open: every element on a page costs
    # each slider move a re-render in the browser, and five buttons under every chart were a third
    # of the lab's elements (benchmarks/README, "Sections sent only when open"). Inside, one flex
    # row, not five columns (each column is an element of its own).
    menu = st.popover(
        DOWNLOAD_MENU,
        key=f"dl-{key}",
        on_change="rerun",
        help="CSV and XLSX of the chart's data with its sources; PNG, SVG and PDF of the chart as shown",
    )
    if not menu.open:
        return
    row = menu.container(horizontal=True, gap="small")
    if meta.data is not None:
        row.download_button(
            "CSV",
            data=csv,
            file_name=f"{meta.slug}.csv",
            mime="text/csv",
            key=f"csv-{key}",
            help="Exactly the data in the chart, with its sources",
            on_click="ignore",
        )
        row.download_button(
            "XLSX",
            data=xlsx,
            file_name=f"{meta.slug}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"xlsx-{key}",
            help="The chart's data with a Sources sheet",
            on_click="ignore",
        )
    from ui import exports as exports_ui

    exports_ui.chart_buttons(lambda: current()[0], meta, key, row)


def column_config(names, **help_extra) -> dict:
    """Streamlit column configs for these fields, from risk.fields: label, format and help."""
    num, txt, chk = st.column_config.NumberColumn, st.column_config.TextColumn, st.column_config.CheckboxColumn
    fmt = {"percent": "percent", "hhi": "%.0f", "index": "%.2f", "number": "localized", "integer": "%d", "year": "%d"}
    out = {}
    for n in names:
        f = FIELDS.get(n)
        if f is None:
            continue
        helptext = f.description + (f" {help_extra[n]}" if n in help_extra else "")
        if f.kind in fmt:
            out[n] = num(f.label, format=fmt[f.kind], help=helptext)
        elif f.kind == "bool":
            out[n] = chk(f.label, help=helptext)
        else:
            out[n] = txt(f.label, help=helptext)
    return out


RESULT_COLUMNS = [
    "shortfall",
    "shortfall_low",
    "shortfall_high",
    "shortfall_net",
    "loss_volume",
    "accessible_supply_lost",
    "replacement_multiple",
    "deal_offset_share",
    "stockpile_exhausted_month",
    "unmet_month_equivalents",
    "hhi_after",
]


def results_view(table: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """The result columns as numbers (a missing value shows as an empty cell, never "None")."""
    cols = [*first, *RESULT_COLUMNS]
    out = table[[c for c in cols if c in table.columns]].copy()
    for c in RESULT_COLUMNS:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce")
    return out


def results_column_config() -> dict:
    """Column labels and formats for tables of scenario results (lab and compare pages)."""
    return column_config(["mineral", "consumer", "scenario", "stage", "year", "unit", "top_supplier_after", *RESULT_COLUMNS])


# ----------------------------------------------------------------------------------------------
# Trade (CEPII BACI) and export-control events, loaded once per process


@st.cache_resource(show_spinner="Loading the trade data…")
def trade() -> tuple:
    """(flows, mapping, groups): the BACI trade store, its product mapping and the importer groups."""
    from risk import DATA_DIR
    from risk.importers.baci import PRODUCTS, load_mapping, load_store

    flows = load_store(DATA_DIR)
    mapping = load_mapping(DATA_DIR / PRODUCTS)
    return flows, mapping, {g: list(x.members) for g, x in mapping.groups.items()}


@st.cache_data(show_spinner=False, max_entries=32)
def trade_span(year_from: int, year_to: int) -> pd.DataFrame:
    from risk.trade import span_flows, with_groups

    flows, _mapping, groups = trade()
    return with_groups(span_flows(flows, year_from, year_to), groups)


def hs_codes(mineral: str) -> str:
    """The HS 1992 codes counted as ``mineral`` in data/trade_products.yaml, comma-separated."""
    _flows, mapping, _groups = trade()
    return ", ".join(sorted(hs for hs, pr in mapping.products.items() if pr.mineral == mineral))


#: Consumers offered first; any importer in the trade data can be typed into the link.
CONSUMERS = ["USA", "EU27", "JPN", "KOR", "GBR", "IND", "DEU", "CHN"]


def consumer_name(code: str) -> str:
    _flows, mapping, _groups = trade()
    if code in mapping.groups:
        return mapping.groups[code].name
    return "the United States" if code == "USA" else countries.name(code)


@st.cache_resource(show_spinner=False)
def events_file():
    from risk.events import load_events

    return load_events()


def control_dates(mineral: str, origin: str = "CHN") -> pd.DataFrame:
    """Effective dates of ``origin``'s export controls on ``mineral`` (for markers on charts)."""
    rows = [
        {"label": e.number or e.title, "date": e.effective.isoformat(), "kind": e.kind}
        for e in events_file().events
        if e.country == origin and mineral in e.minerals and e.kind not in ("suspension", "commitment")
    ]
    return pd.DataFrame(rows, columns=["label", "date", "kind"])


@st.cache_data(show_spinner=False, max_entries=128)
def chains_for(mineral: str) -> pd.DataFrame:
    """Country shares by stage of every product chain that involves ``mineral`` (risk.chains)."""
    from risk.chains import chain_shares, for_mineral, load_chains

    return chain_shares(for_mineral(load_chains(), mineral), dataset().figures)


@st.cache_data(show_spinner="Computing import sources from the trade data…", max_entries=16)
def sourcing_table(importer: str, year_from: int, year_to: int, origin: str = "CHN") -> pd.DataFrame:
    """Per mapped mineral, ``importer``'s sourcing over the span (CEPII BACI, by value): top
    source and its share, the HHI of its sourcing, and the origin's direct, indirect and total share."""
    from risk.trade import TradeQueryError, exposure, sourcing_concentration

    _flows, mapping, groups = trade()
    agg = trade_span(year_from, year_to)
    rows = []
    for m in sorted(set(mapping.minerals)):
        f = agg[(agg["importer"] == importer) & (agg["mineral"] == m)]
        if f.empty or f["value_kusd"].sum() <= 0:
            continue
        shares = f.groupby("exporter")["value_kusd"].sum() / f["value_kusd"].sum()
        top = shares.idxmax()
        try:
            exp = exposure(agg, importer, origin, m, year_from, year_to, groups=groups) if importer != origin else None
        except TradeQueryError:
            exp = None
        conc = sourcing_concentration(shares)
        rows.append(
            {
                "mineral": m,
                "imports_kusd": float(f["value_kusd"].sum()),
                "top_import_country": top,
                "top_import_share": float(shares[top]),
                "hhi": conc["hhi"],
                "hhi_band": conc["hhi_band"],
                "origin_direct": exp["direct"] if exp else None,
                "origin_indirect": exp["indirect"] if exp else None,
                "origin_total": exp["total"] if exp else None,
                "source": "cepii_baci_hs92",
            }
        )
    return pd.DataFrame(rows)
