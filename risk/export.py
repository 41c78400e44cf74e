"""Exports: charts as PNG/SVG/PDF through kaleido and the system Chromium, the briefing pack
(PPTX and PDF), and data as CSV/XLSX with their sources.

* One kaleido server per process (``kaleido.start_sync_server``), started on first use, and
  one lock around every render: the server is not thread-safe, and Streamlit serves many
  sessions from threads of one process.
* Maps use the world topology bundled in ``static/topojson`` (no CDN).
* Every file is written to a temporary name and renamed: a failed export leaves nothing.
* The briefing PDF is the same HTML pack printed by the system Chromium (fonts embedded).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import PROJECT_DIR
from .charts import ChartMeta
from .export_data import escape_frame, sources_lines
from .yamlio import atomic_write_bytes

CHART_FORMATS = ("png", "svg", "pdf")
PACK_FORMATS = ("pptx", "pdf")
PNG_SCALE = 2
TOPOJSON_DIR = PROJECT_DIR / "static" / "topojson"

_LOCK = threading.Lock()
_SERVER_STARTED = False


class ExportError(RuntimeError):
    """An export cannot be made; the message says why and what to do."""


#: Flags for a headless Chromium on a server (no sandbox as root, no GPU, nothing fetched); the
#: browser tests launch Chromium with the same.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_HELP = (
    "Chart exports need Chromium: install it with `sudo apt-get install -y chromium` (or set BROWSER_PATH to a Chrome or Chromium binary)."
)


def _ensure_server() -> None:
    global _SERVER_STARTED
    if _SERVER_STARTED:
        return
    path = chromium_path()
    if path is None:
        raise ExportError(CHROMIUM_HELP)
    os.environ.setdefault("BROWSER_PATH", path)
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    _SERVER_STARTED = True


def render_chart(fig, fmt: str, *, width: int | None = None, height: int | None = None, scale: float = PNG_SCALE) -> bytes:
    """Bytes of ``fig`` as PNG (at ``scale``), SVG or PDF, through the process's kaleido server."""
    fmt = fmt.lower()
    if fmt not in CHART_FORMATS:
        raise ExportError(f"unsupported chart format {fmt!r}; use one of {', '.join(CHART_FORMATS)}")
    import kaleido

    w = int(width or 1000)
    h = int(height or fig.layout.height or 560)
    opts = {"format": fmt, "width": w, "height": h, "scale": scale if fmt == "png" else 1}
    topo = TOPOJSON_DIR.as_uri() + "/" if TOPOJSON_DIR.exists() else None
    with _LOCK:
        _ensure_server()
        try:
            return kaleido.calc_fig_sync(fig, opts=opts, topojson=topo)
        except Exception as exc:  # kaleido/choreographer raise many kinds
            raise ExportError(f"the chart could not be rendered ({type(exc).__name__}: {exc})") from exc


def chart_filename(meta: ChartMeta, fmt: str) -> str:
    return f"{meta.slug}.{fmt}"


def write_chart(fig, meta: ChartMeta, out: str | Path) -> Path:
    """Write one chart to ``out`` (a file whose suffix names the format, or a folder)."""
    out = Path(out)
    if out.is_dir():
        out = out / chart_filename(meta, "png")
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in CHART_FORMATS:
        raise ExportError(f"{out}: unsupported format {fmt!r}; use .png, .svg or .pdf")
    _check_target(out)
    data = render_chart(fig, fmt)
    atomic_write_bytes(out, data)
    return out


def _check_target(out: Path) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"{out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ExportError(f"{out}: no permission to write in {parent}")


# ----------------------------------------------------------------------------------------------
# Data (CSV / XLSX)


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], *, sources, title: str, parameters: dict | None = None) -> bytes:
    """An XLSX with one sheet per table (escaped against formulas), a Sources sheet and, for a
    scenario, a Parameters sheet."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            escape_frame(df).to_excel(xw, sheet_name=_sheet_name(name), index=False)
        src = pd.DataFrame({"source": sources_lines(sources)})
        src.loc[len(src)] = [f"Exported {dt.date.today().isoformat()}: {title}"]
        escape_frame(src).to_excel(xw, sheet_name="Sources", index=False)
        if parameters:
            p = pd.DataFrame({"parameter": list(parameters), "value": [str(v) for v in parameters.values()]})
            escape_frame(p).to_excel(xw, sheet_name="Parameters", index=False)
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    bad = "[]:*?/\\"
    clean = "".join("_" if c in bad else c for c in name).strip("'") or "Sheet"
    return clean[:31]


# ----------------------------------------------------------------------------------------------
# Briefing pack


@dataclass
class PackChart:
    fig: object
    meta: ChartMeta
    finding: str  # one sentence written from the numbers


@dataclass
class Pack:
    title: str
    subtitle: str
    date: str
    parameters: list[str]  # scenario parameters in words
    key_figures: pd.DataFrame  # one row per mineral
    charts: list[PackChart]
    sources: list[str]  # full citations
    notes: list[str]
    bottom_line: list[str] = field(default_factory=list)  # three sentences with ranges, first after the title
    controls: pd.DataFrame | None = None  # export controls on the pack's minerals, status on the data's date
    controls_title: str = ""
    chain: pd.DataFrame | None = None  # product-chain stages: top country and share, year, source
    chain_title: str = ""
    paper: str = "letter"  # the PDF's page size: "letter" (default) or "a4"; the PPTX is 16:9 either way


PAPERS = {"letter": "Letter", "a4": "A4"}


def build_pack(ds, sc, minerals: Sequence[str] | None = None, *, paper: str = "letter") -> Pack:
    """The briefing pack for a scenario: the bottom line, charts per mineral, key figures, sources."""
    from . import charts, countries
    from .scenarios import describe_shocks, fmt_range, run_scenario
    from .vocab import edition_label, fmt_share, stage_words

    if paper not in PAPERS:
        raise ExportError(f"paper {paper!r}: use letter or a4")

    minerals = list(minerals or sc.baseline.minerals)
    known = set(ds.minerals["mineral"])
    unknown = [m for m in minerals if m not in known]
    if unknown:
        raise ExportError(f"--minerals: unknown mineral(s) {', '.join(unknown)}; see `python -m risk validate` for the slugs")
    sub = sc.model_copy(update={"baseline": sc.baseline.model_copy(update={"minerals": minerals})})
    results = run_scenario(ds, sub)
    items: list[PackChart] = []
    rows = []
    source_ids: list[str] = list(sc.sources)
    notes: list[str] = []
    for r in results:
        v = r.values
        source_ids += r.sources
        rows.append(
            {
                "Mineral": r.name,
                "Stage, year": f"{stage_words(r.stage, r.product)}, {r.year}",
                "Shortfall before offsets": fmt_range(v["shortfall"], v["shortfall_low"], v["shortfall_high"])
                if v["shortfall"] is not None
                else "n/a: " + r.reasons.get("shortfall", ""),
                "Loss a year": fmt_range(v["loss_volume"], v["loss_volume_low"], v["loss_volume_high"], "volume", r.unit),
                "After offsets": fmt_range(v["shortfall_net"], v["shortfall_net_low"], v["shortfall_net_high"]),
                "Accessible supply lost": fmt_share(v["accessible_supply_lost"]),
                "Deal replaces": r.reasons.get("deal_offset_share", "n/a")
                if v["deal_offset_share"] is None
                else fmt_range(v["deal_offset_share"], v["deal_offset_share_low"], v["deal_offset_share_high"]),
                "Stocks run out": f"month {v['stockpile_exhausted_month']}" if v["stockpile_exhausted_month"] else "—",
                "Top supplier after": countries.name(v["top_supplier_after"]) if v["top_supplier_after"] else "—",
            }
        )
        notes += [(r.name, n) for n in r.notes if not n.startswith("stage:")]  # the table names the stage
        if v["shortfall"] is not None:
            fig, meta = charts.waterfall(r, sub, sources=ds)
            items.append(PackChart(fig, meta, r.sentence))  # the sentence carries the after-offsets range
        if r.computable:
            fig, meta = charts.supplier_shares(r, sub, sources=ds)
            items.append(PackChart(fig, meta, _finding_suppliers(r)))
        if v["shortfall"] is not None and v["shortfall"] > 0:
            fig, meta = charts.time_path(r, sub, sources=ds)
            items.append(PackChart(fig, meta, _finding_time_path(r, sub)))
    controls, controls_title = _controls_table(ds, minerals)
    chain, chain_title = _chain_table(ds, minerals)
    for t in (controls, chain):
        if t is not None:
            source_ids += t.attrs.get("source_ids", [])
    cites = []
    for sid in dict.fromkeys(source_ids):
        s = ds.sources.get(sid)
        if s:
            cite = s.citation.strip()
            cites.append(cite if "Licence:" in cite else f"{cite.rstrip('.')}. Licence: {s.licence.rstrip('.')}.")
    # one line per note, naming every mineral it applies to (the same caveat is not repeated six times)
    by_note: dict[str, list[str]] = {}
    for name, n in notes:
        by_note.setdefault(n, []).append(name)
    note_lines = [f"{', '.join(names)}: {n[:1].upper() + n[1:]}" for n, names in by_note.items()]
    return Pack(
        controls=controls,
        controls_title=controls_title,
        chain=chain,
        chain_title=chain_title,
        title=f"{sc.name}: briefing",
        subtitle=sc.description.strip(),
        date=dt.date.today().strftime("%d %B %Y"),
        parameters=[
            *describe_shocks(sub),
            f"horizon {sub.horizon_months} months",
            f"baseline: {edition_label(sub.baseline.edition)}, data year {sub.baseline.year}",
        ],
        key_figures=pd.DataFrame(rows),
        charts=items,
        sources=cites,
        notes=note_lines,
        bottom_line=bottom_line(results),
        paper=paper,
    )


def _clip(text: str, n: int) -> str:
    """At most ``n`` characters, cut at a word, with an ellipsis."""
    return text if len(text) <= n else text[: text.rfind(" ", 0, n)].rstrip(" ,;:-") + "…"


def _controls_table(ds, minerals: Sequence[str]) -> tuple[pd.DataFrame | None, str]:
    """The export controls that touch the pack's minerals, with their status on the data's as-of
    date (data/events.yaml): measure, what it does, effective date, status."""
    from . import countries
    from .events import for_mineral, load_events, status_on

    ef = load_events()
    st_ = status_on(ef, ef.as_of)
    names = ds.minerals.set_index("mineral")["name"].to_dict()
    picked = {}
    for m in minerals:
        for r in for_mineral(st_, m).itertuples(index=False):
            if r.kind not in ("suspension", "commitment"):
                picked.setdefault((r.event, r.part), r)
    if not picked:
        return None, ""
    srcs = [x for r in picked.values() for x in str(r.sources).split(";") if x]
    rows = []
    for r in sorted(picked.values(), key=lambda r: str(r.effective)):  # stable: same-day measures as found
        rows.append(
            {
                "Measure": f"{countries.name(r.country)}, {r.number or 'no number'}",
                "What it does": _clip(str(r.title), 110),
                "Pack minerals": ", ".join(names.get(x, x) for x in str(r.minerals).split(";") if x in minerals),
                "To": "all destinations" if r.destination == "all" else countries.name(r.destination),
                "Effective": dt.date.fromisoformat(str(r.effective)).strftime("%-d %b %Y"),
                "Status": str(r.status),
            }
        )
    t = pd.DataFrame(rows)
    t.attrs["source_ids"] = list(dict.fromkeys(srcs))[:12]
    return t, f"Export controls on these minerals, status on {ef.as_of:%d %B %Y}"


def _chain_table(ds, minerals: Sequence[str]) -> tuple[pd.DataFrame | None, str]:
    """Each product-chain stage for the pack's minerals: the top country, its share, year and source."""
    from . import countries
    from .chains import chain_shares, for_mineral, load_chains
    from .vocab import fmt_share

    chains = load_chains()
    keep = {c.id: c for m in minerals for c in for_mineral(chains, m).chains}
    if not keep:
        return None, ""
    from .chains import ChainsFile

    sh = chain_shares(ChainsFile(chains=list(keep.values())), ds.figures)
    sh = sh[sh["country"].notna() & sh["share"].notna()]
    rows, srcs = [], []
    for (chain, _order, stage), g in sh.groupby(["chain_name", "order", "stage_name"], sort=False):
        top = g.sort_values("share", ascending=False).iloc[0]
        src = ds.sources.get(top["source"])
        rows.append(
            {
                "Chain": chain,
                "Stage": stage,
                "Top country": countries.name(top["country"]),
                "Share": ("about " if top["flag"] == "approximate" else "") + fmt_share(top["share"]),
                "Year": str(int(top["year"])) if top["year"] == top["year"] else "—",
                "Source": src.short if src is not None else str(top["source"]),
            }
        )
        srcs.append(top["source"])
    t = pd.DataFrame(rows)
    t.attrs["source_ids"] = list(dict.fromkeys(srcs))
    return t, "Where each stage of the product chain is concentrated"


def bottom_line(results) -> list[str]:
    """Three sentences, with ranges, for the slide after the title: the largest loss, what offsets
    leave unmet, and when stocks run out (or what cannot be computed)."""
    from .scenarios import between, fmt_volume

    done = [r for r in results if r.values.get("shortfall") is not None]
    if not done:
        return [
            "No mineral in this pack has a computable shortfall: "
            + "; ".join(f"{r.name}: {r.reasons.get('shortfall', 'no data')}" for r in results)
            + "."
        ]
    worst = max(done, key=lambda r: r.values["shortfall"])
    v = worst.values
    vol = f", about {fmt_volume(v['loss_volume'], worst.unit)} a year" if v.get("loss_volume") else ""
    lines = [
        f"The largest loss is in {worst.name.lower()}: the U.S. would lose {between(v['shortfall_low'], v['shortfall_high'])} "
        f"of its consumption{vol}, before any offset."
        if v.get("shortfall")
        else "No mineral in this pack loses supply in this scenario."
    ]
    net = [r for r in done if r.values.get("shortfall_net") is not None]
    if net:
        gaps = sorted(net, key=lambda r: -r.values["shortfall_net"])

        def top(r):  # the high end of the range: a gap is closed only if it is closed at both ends
            hi = r.values.get("shortfall_net_high")
            return r.values["shortfall_net"] if hi is None else hi

        open_ = [r for r in gaps if top(r) >= 0.005]
        closed = [r.name.lower() for r in gaps if top(r) < 0.005 and r.values["shortfall"]]
        if open_:
            g = open_[0].values
            s = (
                f"After the deal, spare capacity and recycling, {between(g['shortfall_net_low'], g['shortfall_net_high'])} "
                f"of U.S. {open_[0].name.lower()} consumption stays unmet"
            )
            s += f"; offsets close the gap for {_and(closed)}." if closed else "."
        else:
            s = "Offsets close the gap for every mineral with a loss: " + _and(closed) + "."
        lines.append(s)
    runs = sorted((r for r in done if r.values.get("stockpile_exhausted_month")), key=lambda r: r.values["stockpile_exhausted_month"])
    missing = [r for r in results if r.values.get("shortfall") is None or r.values.get("loss_volume") is None]
    if runs:
        lines.append(
            f"U.S. stocks run out first for {runs[0].name.lower()}, in month {runs[0].values['stockpile_exhausted_month']}"
            + (f"; then {_and([_runs_out(r) for r in runs[1:]])}." if len(runs) > 1 else ".")
        )
    elif done:
        lines.append("U.S. stocks bridge the gap over the horizon for every mineral with a loss.")
    if missing:
        lines[-1] += " Not computable in tonnes: " + _and([r.name.lower() for r in missing]) + " (see the key figures)."
    return lines[:3]


def _runs_out(r) -> str:
    return f"{r.name.lower()} (month {r.values['stockpile_exhausted_month']})"


def _and(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""


def _finding_time_path(r, sc) -> str:
    """The slide's sentence: when the gap opens and whether stocks bridge it (the chart's title
    says how deep it is)."""
    v = r.values
    ex = v["stockpile_exhausted_month"]
    months = v["unmet_month_equivalents"]
    if not v.get("stockpile_months"):
        stocks = "no stocks are held, so the gap is felt from month 1"
    else:
        stocks = f"U.S. stocks run out in month {ex}" if ex else "U.S. stocks cover the gap over the horizon"
    unmet = f"; over {sc.horizon_months} months the unmet need adds up to {months:,.1f} months of consumption" if months else ""
    return f"Month by month: {stocks}{unmet}."


def _finding_suppliers(r) -> str:
    from . import countries
    from .vocab import fmt_share

    v = r.values
    top = countries.name(v["top_supplier_after"]) if v["top_supplier_after"] else "no country"
    rm = v["replacement_multiple"]
    lo, hi = v.get("replacement_multiple_low"), v.get("replacement_multiple_high")
    span = f" (between {lo:,.2f} and {hi:,.2f})" if lo is not None and hi is not None and f"{lo:.2f}" != f"{hi:.2f}" else ""
    # the chart's title already says how much is lost and who is left largest: the slide says what
    # replacing it would take
    if rm is not None and rm > 0:
        return (
            f"Replacing the U.S. loss of {r.name.lower()} would take {rm:,.2f}{span} times the output still within reach "
            f"outside the restricting countries and the U.S.; {top} is then the largest supplier."
        )
    return f"{fmt_share(v['accessible_supply_lost']).capitalize()} of the {r.name.lower()} supply the U.S. can reach is lost; {top} is then the largest supplier."


def pack_pptx_bytes(pack: Pack, images: list[bytes]) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    title_layout = prs.slide_layouts[0]

    s = prs.slides.add_slide(title_layout)
    s.shapes.title.text = pack.title
    s.placeholders[1].text = f"{pack.date}\n" + "; ".join(pack.parameters)

    def textbox(slide, text, left, top, width, height, size=14, bold=False):
        tb = slide.shapes.add_textbox(left, top, width, height)
        tf = tb.text_frame
        tf.word_wrap = True
        for i, line in enumerate(text.split("\n")):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size = Pt(size)
            p.font.bold = bold
        return tb

    def table(slide, frame, row_h, size, top=Inches(1.1)):
        n_rows = len(frame) + 1
        tab = slide.shapes.add_table(n_rows, len(frame.columns), Inches(0.4), top, Inches(12.5), row_h * n_rows).table
        for j, c in enumerate(frame.columns):
            tab.cell(0, j).text = str(c)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, val in enumerate(row):
                tab.cell(i, j).text = str(val)
        for i in range(n_rows):
            for j in range(len(frame.columns)):
                for p in tab.cell(i, j).text_frame.paragraphs:
                    p.font.size = Pt(size)

    if pack.bottom_line:
        sl = prs.slides.add_slide(blank)
        textbox(sl, "Bottom line", Inches(0.5), Inches(0.3), Inches(12), Inches(0.7), size=28, bold=True)
        textbox(sl, "\n\n".join(pack.bottom_line), Inches(0.7), Inches(1.4), Inches(11.9), Inches(5.2), size=22)

    for item, png in zip(pack.charts, images, strict=True):
        sl = prs.slides.add_slide(blank)
        textbox(sl, item.finding, Inches(0.5), Inches(0.25), Inches(12.3), Inches(0.9), size=20, bold=True)
        pic_h = Inches(6.0)
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            w, h = im.size
        pic_w = Emu(int(pic_h * w / h))
        if pic_w > Inches(12.3):
            pic_w = Inches(12.3)
            pic_h = Emu(int(pic_w * h / w))
        left = Emu(int((prs.slide_width - pic_w) / 2))
        sl.shapes.add_picture(io.BytesIO(png), left, Inches(1.2), width=pic_w, height=pic_h)

    for title, t in ((pack.controls_title, pack.controls), (pack.chain_title, pack.chain)):
        if t is None or t.empty:
            continue
        sl = prs.slides.add_slide(blank)
        textbox(sl, title, Inches(0.5), Inches(0.3), Inches(12), Inches(0.6), size=24, bold=True)
        table(sl, t.head(14), Inches(0.36), 10)

    sl = prs.slides.add_slide(blank)
    textbox(sl, "Key figures", Inches(0.5), Inches(0.3), Inches(12), Inches(0.6), size=24, bold=True)
    rows = len(pack.key_figures) + 1
    table(sl, pack.key_figures, Inches(0.4), 11)
    if pack.notes:
        textbox(sl, "\n".join(pack.notes[:8]), Inches(0.4), Inches(1.3) + Inches(0.4) * rows, Inches(12.5), Inches(1.5), size=11)

    sl = prs.slides.add_slide(blank)
    textbox(sl, "Sources", Inches(0.5), Inches(0.3), Inches(12), Inches(0.6), size=24, bold=True)
    textbox(sl, "\n".join(pack.sources), Inches(0.5), Inches(1.1), Inches(12.3), Inches(6), size=12)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


_PACK_CSS = """
@page { size: PAPER landscape; margin: 14mm; }
body { font-family: 'Liberation Sans', Arial, sans-serif; color: #222; }
section { page-break-after: always; }
section:last-child { page-break-after: auto; }
h1 { font-size: 26pt; margin: 30mm 0 6mm; }
h2 { font-size: 17pt; margin: 0 0 4mm; }
p, li, td, th { font-size: 11pt; }
img { width: 100%; max-height: 150mm; object-fit: contain; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; }
th { background: #eee; }
.muted { color: #555; }
.bottom p { font-size: 17pt; line-height: 1.4; margin: 0 0 6mm; }
table.small td, table.small th { font-size: 9.5pt; }
"""


def pack_html(pack: Pack, images: list[bytes]) -> str:
    e = html.escape
    css = _PACK_CSS.replace("PAPER", PAPERS.get(pack.paper, "Letter"))
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(pack.title)}</title><style>{css}</style></head><body>"]
    parts.append(
        f"<section><h1>{e(pack.title)}</h1><p>{e(pack.date)}</p><p class='muted'>{e(pack.subtitle)}</p><h2>Scenario parameters</h2><ul>"
    )
    parts += [f"<li>{e(p)}</li>" for p in pack.parameters]
    parts.append("</ul></section>")
    if pack.bottom_line:
        parts.append("<section class='bottom'><h2>Bottom line</h2>" + "".join(f"<p>{e(x)}</p>" for x in pack.bottom_line) + "</section>")
    for item, png in zip(pack.charts, images, strict=True):
        b64 = base64.b64encode(png).decode()
        parts.append(f"<section><h2>{e(item.finding)}</h2><img alt='{e(item.meta.title)}' src='data:image/png;base64,{b64}'></section>")

    def table(frame, cls=""):
        head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
        body = "".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False))
        return f"<table{f' class={cls!r}' if cls else ''}><tr>{head}</tr>{body}</table>"

    for title, t in ((pack.controls_title, pack.controls), (pack.chain_title, pack.chain)):
        if t is not None and not t.empty:
            parts.append(f"<section><h2>{e(title)}</h2>{table(t.head(14), 'small')}</section>")
    parts.append(f"<section><h2>Key figures</h2>{table(pack.key_figures)}")
    if pack.notes:
        parts.append("<ul>" + "".join(f"<li class='muted'>{e(n)}</li>" for n in pack.notes) + "</ul>")
    parts.append(
        "</section><section><h2>Sources</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in pack.sources) + "</ul></section></body></html>"
    )
    return "".join(parts)


def html_to_pdf(html_text: str) -> bytes:
    """Print HTML to PDF with the system Chromium (fonts embedded)."""
    path = chromium_path()
    if path is None:
        raise ExportError(CHROMIUM_HELP)
    with tempfile.TemporaryDirectory(prefix="pack-") as tmp:
        src = Path(tmp) / "pack.html"
        out = Path(tmp) / "pack.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            path,
            "--headless",
            *CHROMIUM_ARGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ExportError(f"Chromium could not print the briefing PDF ({exc})") from exc
        if not out.exists() or out.stat().st_size == 0:
            raise ExportError("Chromium produced no PDF")
        return out.read_bytes()


def pack_images(pack: Pack) -> list[bytes]:
    return [render_chart(c.fig, "png") for c in pack.charts]


def pack_bytes(pack: Pack, fmt: str, images: list[bytes] | None = None) -> bytes:
    fmt = fmt.lower()
    if fmt not in PACK_FORMATS:
        raise ExportError(f"unsupported briefing format {fmt!r}; use .pptx or .pdf")
    images = images if images is not None else pack_images(pack)
    return pack_pptx_bytes(pack, images) if fmt == "pptx" else html_to_pdf(pack_html(pack, images))


def write_pack(pack: Pack, out: str | Path, slug: str) -> list[Path]:
    """Write the pack to ``out``: a .pptx or .pdf file, or a folder (both formats)."""
    out = Path(out)
    if out.exists() and out.is_dir():
        targets = [out / f"{slug}.pptx", out / f"{slug}.pdf"]
    else:
        fmt = out.suffix.lstrip(".").lower()
        if fmt not in PACK_FORMATS:
            raise ExportError(f"{out}: unsupported format {fmt!r}; use .pptx, .pdf or an existing folder")
        targets = [out]
    for t in targets:
        _check_target(t)
    images = pack_images(pack)
    blobs = [pack_bytes(pack, t.suffix.lstrip("."), images) for t in targets]
    for t, b in zip(targets, blobs, strict=True):
        atomic_write_bytes(t, b)
    return targets
