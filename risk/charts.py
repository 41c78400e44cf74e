"""Plotly figure builders: data in, Figure out, in one briefing style.

Every chart has a title that states the finding, a subtitle naming mineral, stage, year and
unit (and the scenario with its key parameters), and a source line built from the figures'
source ids. Colours: one per country across every chart, from colour-blind-safe palettes
(Okabe-Ito for the countries that matter most, Paul Tol's "muted" for the rest, grey for Other).
The same template is used on screen (``st.plotly_chart(theme=None)``) and in exports.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import countries
from .vocab import band_set, fmt_pct, fmt_share, hhi_bands, stage_words

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 1000, 560  # export size in CSS pixels (PNG at scale 2: 2000 x 1120)

# Okabe & Ito (2008) colour-blind-safe palette, fixed for the main producers.
FIXED = {
    "CHN": "#D55E00",  # vermillion
    "USA": "#0072B2",  # blue
    "RUS": "#CC79A7",  # reddish purple
    "AUS": "#009E73",  # bluish green
    "COD": "#E69F00",  # orange
    "IDN": "#56B4E9",  # sky blue
    "ZAF": "#F0E442",  # yellow
    "CHL": "#882255",  # Tol wine
    "BRA": "#117733",  # Tol green
    "MMR": "#999933",  # Tol olive
    "CAN": "#332288",  # Tol indigo
    "UKR": "#44AA99",  # Tol teal
    "JPN": "#AA4499",  # Tol purple
    "MYS": "#88CCEE",  # Tol cyan
    "IND": "#DDCC77",  # Tol sand
    "OTH": "#BBBBBB",
    "WLD": "#555555",
}
# Paul Tol's muted palette for every other country (assigned by a stable hash of the code).
OTHERS = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499", "#6699CC"]


def country_colour(code: str) -> str:
    if code in FIXED:
        return FIXED[code]
    h = int(hashlib.sha256(code.encode()).hexdigest(), 16)
    return OTHERS[h % len(OTHERS)]


TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=14, color="#222222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=[FIXED[k] for k in ("USA", "CHN", "AUS", "RUS", "COD", "IDN", "ZAF")],
        xaxis=dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#888888", ticks="outside", automargin=True),
        yaxis=dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#888888", ticks="outside", automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, font=dict(size=12)),
        hoverlabel=dict(font=dict(family=FONT)),
        # the toolbar stands down the right edge, clear of the left-aligned title
        modebar=dict(orientation="v"),
    )
)


@dataclass
class ChartMeta:
    """Text that travels with a chart into every export."""

    title: str
    subtitle: str
    source: str
    slug: str  # file-name stem: gallium-china-export-ban-shortfall-2025
    notes: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None  # exactly what the chart shows (for CSV/XLSX)
    source_ids: list[str] = field(default_factory=list)


def _registry(sources) -> Mapping:
    """The Source records by id: a dataset (``ds.sources``) or the mapping itself."""
    return getattr(sources, "sources", sources) or {}


def source_ids_of(*items) -> list[str]:
    """Source ids, in order of first appearance, from frames (their ``source`` or ``sources``
    column; ``sources`` may hold lists or ``;``-joined ids), lists of ids, or single ids."""
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, pd.DataFrame):
            for col in ("source", "sources"):
                if col in item.columns:
                    for v in item[col].dropna():
                        out += list(v) if isinstance(v, (list, tuple)) else str(v).split(";")
        elif isinstance(item, str):
            out.append(item)
        else:
            out += [str(v) for v in item]
    return list(dict.fromkeys(i.strip() for i in out if i and i.strip()))


def source_line(sources, source_ids: Iterable[str]) -> str:
    """``Source: USGS Mineral Commodity Summaries 2026 (doi:...); ...`` from each source's short name."""
    reg = _registry(sources)
    parts = []
    for sid in dict.fromkeys(s for s in source_ids if s):
        s = reg.get(sid)
        if s is None:
            continue
        ref = f"doi:{s.doi}" if s.doi else None
        parts.append(f"{s.short} ({ref})" if ref else s.short)
    return "Source: " + "; ".join(parts) if parts else ""


def provenance(sources, *items) -> dict:
    """``source`` and ``source_ids`` for a ChartMeta, read from the data the chart plots."""
    ids = source_ids_of(*items)
    return {"source": source_line(sources, ids), "source_ids": [i for i in ids if i in _registry(sources)]}


def wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(str(text), width=width, break_long_words=False, break_on_hyphens=False) or [""]


TITLE_CHARS, SUBTITLE_CHARS, FOOT_CHARS = 78, 120, 165


def _foot_chars(traces: list[dict]) -> int:
    """Characters per footer line: the footer starts at the plot's left edge, so long category
    labels on the y axis (horizontal bars) leave it less room before the right edge."""
    longest = 0
    for t in traces:
        if t.get("type") == "bar" and t.get("orientation") == "h" and t.get("y") is not None:
            try:
                labels = list(t["y"])
            except TypeError:
                continue
            longest = max([longest, *(len(part) for lb in labels if isinstance(lb, str) for part in lb.split("<br>"))])
    label_px = max(80, 7.5 * longest + 24)
    return max(60, min(FOOT_CHARS, int((WIDTH - 40 - label_px) / 6.0)))


def figure_dict(data: list[dict], **layout) -> dict:
    """A figure as plain data (``{"data": [...], "layout": {...}}``) for :func:`finish`, which
    gives it the same template as a ``go.Figure()``. The lab's charts are built this way:
    plotly's validated objects (``go.Scatter``, ``update_layout``) took two thirds of a slider
    move's server time, and the figure that comes out is the same."""
    return {"data": data, "layout": dict(layout)}


def finish(fig: go.Figure | dict, meta: ChartMeta, *, height: int = HEIGHT, legend: bool = True, legend_rows: int = 1) -> go.Figure:
    """Apply the template, the wrapped title and subtitle, and the notes and source line.

    Heights and margins are computed from the number of text lines so that nothing overlaps
    at the export width (1,000 px); on screen the chart keeps the same proportions. ``fig`` is
    a plotly Figure or the same as plain data (:func:`figure_dict`).
    """
    # The finishing layout is merged as plain data and the figure rebuilt once without
    # re-validation: plotly's property-by-property validation of the template and title made
    # this step a third of a slider move's server time.
    d = fig if isinstance(fig, dict) else fig.to_plotly_json()
    traces = d.setdefault("data", [])
    layout = d.setdefault("layout", {})
    title_lines = wrap(meta.title, TITLE_CHARS)
    sub_lines = wrap(meta.subtitle, SUBTITLE_CHARS)
    foot_lines = [line for n in [*meta.notes, meta.source] for line in wrap(n, _foot_chars(traces))]
    top = 32 + 28 * len(title_lines) + 20 * len(sub_lines) + (34 + 22 * (legend_rows - 1) if legend else 12)
    x_title = ((layout.get("xaxis") or {}).get("title") or {}).get("text")
    axis_room = 64 if x_title or any(t.get("type") in ("bar", "scatter", "waterfall", "heatmap") for t in traces) else 10
    if any(t.get("type") == "choropleth" for t in traces):
        axis_room = 10
    bottom = axis_room + 16 * len(foot_lines) + 14
    title_html = "<br>".join(f"<b>{_esc(x)}</b>" for x in title_lines)
    sub_html = "<br>".join(_esc(x) for x in sub_lines)
    # plotly's default template (what a go.Figure carries; no builder sets another) with ours over it
    layout["template"] = _finished_template(frozenset(t.get("type", "scatter") for t in traces))
    _deep_merge(
        layout,
        {
            "title": {
                "text": f"{title_html}<br><span style='font-size:14px;color:#555555'>{sub_html}</span>",
                "x": 0.0,
                "xanchor": "left",
                "xref": "container",
                "y": 1.0,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 22, "l": 20},
                "font": {"size": 20},
            },
            "margin": {"l": 80, "r": 40, "t": top, "b": bottom, "autoexpand": True},
            "height": height + top + bottom - 180,
            "showlegend": legend,
            "legend": {"y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        },
    )
    for key in [k for k in layout if k.startswith("xaxis")] or ["xaxis"]:
        layout.setdefault(key, {})["automargin"] = False
    layout.setdefault("annotations", []).append(
        {
            "text": "<br>".join(_esc(x) for x in foot_lines),
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "yshift": -(bottom - 8),
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "align": "left",
            "font": {"size": 11, "color": "#555555"},
        }
    )
    return go.Figure(d, _validate=False)


def _deep_merge(base: dict, extra: dict) -> dict:
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _deep_merge(base[k], v)
        else:
            base[k] = v
    return base


@functools.cache
def _finished_template_of(used: frozenset) -> dict:
    t = _deep_merge(go.Figure().to_plotly_json()["layout"].get("template", {}), TEMPLATE.to_plotly_json())
    # plotly's default template styles every trace type (surface, mesh3d, carpet...): keep only the
    # types the chart draws, which changes nothing on the page and halves the figure's JSON
    if isinstance(t.get("data"), dict):
        t["data"] = {k: v for k, v in t["data"].items() if k in used}
    # and its layout styles subplots no chart here draws (3D scenes, ternary and polar axes) and
    # colour scales for traces that set none: kept only where they could show (a map's geo; the
    # scales where a heatmap or map is drawn). A waterfall's figure is 40% smaller, and each
    # slider move serialises it on the server and reads it in the browser.
    drop = {"scene", "ternary", "polar"}
    if not used & {"choropleth", "scattergeo"}:
        drop.add("geo")
    if not used & {"heatmap", "choropleth", "contour", "histogram2d"}:
        drop |= {"colorscale", "coloraxis"}
    if isinstance(t.get("layout"), dict):
        t["layout"] = {k: v for k, v in t["layout"].items() if k not in drop}
    return t


def _finished_template(used: frozenset) -> dict:
    """plotly's default template with ours merged over it, styles for the trace types ``used``
    only; made once per set of types, a copy for each chart."""
    return copy.deepcopy(_finished_template_of(used))


def _esc(text: str) -> str:
    """Plotly renders a subset of HTML in text; escape what came from data or users."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pct(x: float | None, digits: int = 0) -> str:
    return fmt_pct(x, digits)


def slugify(*parts) -> str:
    import re

    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "chart"


# ----------------------------------------------------------------------------------------------
# Concentration


def share_bar(
    shares: pd.DataFrame,
    *,
    mineral_name: str,
    stage: str,
    product: str,
    year: int,
    unit: str,
    edition_label: str,
    sources,
    top_n: int = 10,
    slug_parts=(),
) -> tuple[go.Figure, ChartMeta]:
    """Ranked horizontal bars of country shares for one series (top N; the rest as Other)."""
    s = shares[(shares["country"] != countries.WORLD) & shares["share"].notna()].copy()
    s["name"] = s["country"].map(countries.name)
    named = s[s["country"].map(countries.is_country).astype(bool)].sort_values("share", ascending=False)
    head = named.head(top_n)
    rest = s["share"].sum() - head["share"].sum()
    rows = head[["country", "name", "value", "share"]]
    if rest > 1e-9:
        rows = pd.concat(
            [rows, pd.DataFrame([{"country": "OTH", "name": "All others", "value": s["value"].sum() - head["value"].sum(), "share": rest}])]
        )
    top = head.iloc[0] if len(head) else None
    title = (
        f"{top['name']} accounts for {pct(top['share'])} of world {mineral_name.lower()} {stage_words(stage)}"
        if top is not None
        else f"No country data for {mineral_name}"
    )
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name}, {stage_words(stage, product)}, {year}, share of the sum of country rows ({unit}); {edition_label}",
        **provenance(sources, shares),
        slug=slugify(*slug_parts) if slug_parts else slugify(mineral_name, stage, product, "shares", year),
        data=rows.rename(columns={"value": f"value_{unit}"}),
    )
    rows = rows.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=rows["share"],
            y=rows["name"],
            orientation="h",
            marker_color=[country_colour(c) for c in rows["country"]],
            text=[pct(v, 1) for v in rows["share"]],
            textposition="outside",
            cliponaxis=False,
            customdata=np.stack([rows["value"]], axis=-1),
            hovertemplate="%{y}: %{x:.1%} (%{customdata[0]:,.0f} " + unit + ")<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=".0%", range=[0, min(1.15, max(0.1, rows["share"].max() * 1.2))], title="Share of world total")
    fig.update_yaxes(showgrid=False)
    return finish(fig, meta, height=max(420, 110 + 34 * len(rows) + 80), legend=False), meta


def world_map(
    shares: pd.DataFrame, *, mineral_name: str, stage: str, product: str, year: int, unit: str, edition_label: str, sources
) -> tuple[go.Figure, ChartMeta]:
    s = shares[shares["country"].map(countries.is_country) & shares["share"].notna()].copy()
    s["name"] = s["country"].map(countries.name)
    top = s.sort_values("share", ascending=False).head(1)
    title = (
        f"{mineral_name} {stage_words(stage)} is led by {top['name'].iloc[0]} ({pct(top['share'].iloc[0])})"
        if len(top)
        else f"{mineral_name}: no country data"
    )
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name}, {stage_words(stage, product)}, {year}, share of world total ({unit}); {edition_label}. Grey: not listed separately",
        **provenance(sources, shares),
        slug=slugify(mineral_name, stage, product, "map", year),
        data=s[["country", "name", "value", "share"]],
    )
    fig = go.Figure(
        go.Choropleth(
            locations=s["country"],
            z=s["share"] * 100,
            text=s["name"],
            colorscale=[[0, "#FFF5EB"], [0.25, "#FDBE85"], [0.6, "#E6550D"], [1, "#7F2704"]],
            zmin=0,
            zmax=max(10.0, float(s["share"].max() * 100)) if len(s) else 100,
            marker_line_color="#FFFFFF",
            marker_line_width=0.5,
            colorbar=dict(title=dict(text="Share of world", side="right"), ticksuffix="%", len=0.75, thickness=14),
            hovertemplate="%{text}: %{z:.1f}%<extra></extra>",
        )
    )
    fig.update_geos(
        showframe=False,
        showcoastlines=False,
        projection=dict(type="natural earth", rotation=dict(lon=10)),
        lataxis_range=[-57, 84],
        showcountries=True,
        countrycolor="#CCCCCC",
        landcolor="#EEEEEE",
        showland=True,
    )
    return finish(fig, meta, legend=False), meta


_LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left", "top right", "top left", "bottom right", "bottom left")


def place_labels(xs, ys, sizes, texts, *, x_range, y_range, width_px=1000, height_px=520, font_px=11) -> list[str]:
    """A text position per point so that labels overlap neither each other nor the bubbles, where
    one of eight positions allows it (greedy, widest labels and highest points first; the
    first position is kept where none is free). Sizes are marker diameters in pixels."""
    sx = width_px / (x_range[1] - x_range[0])
    sy = height_px / (y_range[1] - y_range[0])
    px = [(float(x) - x_range[0]) * sx for x in xs]
    py = [(float(y) - y_range[0]) * sy for y in ys]
    r = [float(z) / 2 for z in sizes]
    tw = [0.58 * font_px * len(str(t)) for t in texts]
    th = 1.25 * font_px
    bubbles = [(px[i] - r[i], py[i] - r[i], px[i] + r[i], py[i] + r[i]) for i in range(len(px))]
    placed: list[tuple[float, float, float, float]] = []
    out = ["top center"] * len(px)

    def box(i, pos):
        v, h = pos.split()
        gap = r[i] + 2
        cx = {"center": px[i] - tw[i] / 2, "right": px[i] + gap, "left": px[i] - gap - tw[i]}[h]
        if h == "center":
            cy = {"top": py[i] + gap, "bottom": py[i] - gap - th, "middle": py[i] - th / 2}[v]
        else:
            cy = {"top": py[i] + gap / 2, "bottom": py[i] - gap / 2 - th, "middle": py[i] - th / 2}[v]
        return (cx, cy, cx + tw[i], cy + th)

    def hits(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for i in sorted(range(len(px)), key=lambda k: (-py[k], -tw[k])):
        best, best_n = None, None
        for pos in _LABEL_PLACES:
            b = box(i, pos)
            inside = 0 <= b[0] and b[2] <= width_px and b[3] <= height_px
            n = sum(hits(b, o) for o in placed) + sum(hits(b, bb) for j, bb in enumerate(bubbles) if j != i) + (0 if inside else 5)
            if best_n is None or n < best_n:
                best, best_n = pos, n
            if n == 0:
                break
        out[i] = best
        placed.append(box(i, best))
    return out


def criticality_scatter(m: pd.DataFrame, *, names: dict, year: int, sources, stage_label: str, bands=None) -> tuple[go.Figure, ChartMeta]:
    """Concentration (HHI) against U.S. import reliance, bubbles sized by single-supplier dependency."""
    d = m.dropna(subset=["hhi", "nir"]).copy()
    d["name"] = d["mineral"].map(lambda k: names.get(k, k))
    d["dep"] = d["single_supplier_dependency"].fillna(0)
    b = band_set(bands)
    hot = d[(hhi_bands(d["hhi"], b) == "highly concentrated") & (d["nir"] >= 0.5)]
    title = f"{len(hot)} minerals are both highly concentrated and at least half imported by the United States"
    meta = ChartMeta(
        title=title,
        subtitle=f"Concentration of world {stage_label} (HHI, named countries) against U.S. net import reliance, {year}; bubble size: dependency on the top import source",
        **provenance(sources, m),
        slug=slugify("criticality", year),
        notes=[
            f"HHI leaves out 'Other countries', so it is a lower bound. Bands: {b.name} (over {b.upper:,.0f} highly concentrated). "
            "'≥' reliance values are plotted at their bound."
        ],
        data=d[
            [
                "mineral",
                "name",
                "stage",
                "year",
                "hhi",
                "hhi_band",
                "nir",
                "nir_flag",
                "top_country",
                "top_import_country",
                "single_supplier_dependency",
            ]
        ],
    )
    size = 10 + 40 * np.sqrt(d["dep"].clip(0, 1))
    names_ = d["name"].tolist()
    # plain data (figure_dict): what add_shape, add_vline, add_trace and add_annotation would make
    vline = {"type": "line", "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": {"color": "#999999", "dash": "dot"}}
    fig = figure_dict(
        [
            {
                "type": "scatter",
                "x": d["hhi"].tolist(),
                "y": d["nir"].tolist(),
                "mode": "markers+text",
                "text": names_,
                "textposition": place_labels(d["hhi"], d["nir"], size, names_, x_range=(0, 10300), y_range=(-0.05, 1.1)),
                "textfont": {"size": 11},
                "marker": {
                    "size": size.tolist(),
                    "color": [country_colour(c) for c in d["top_country"].fillna("OTH")],
                    "opacity": 0.75,
                    "line": {"color": "#333333", "width": 0.5},
                },
                "customdata": np.stack(
                    [
                        d["top_country"].fillna("").map(lambda c: countries.name(c) if c else ""),
                        d["dep"],
                        d["top_import_country"].map(lambda c: countries.name(c) if isinstance(c, str) else ""),
                    ],
                    axis=-1,
                ).tolist(),
                "hovertemplate": "<b>%{text}</b><br>HHI %{x:,.0f}; top producer %{customdata[0]}<br>U.S. net import reliance %{y:.0%}<br>"
                "dependency on %{customdata[2]}: %{customdata[1]:.0%}<extra></extra>",
            }
        ],
        shapes=[
            {
                "type": "rect",
                "x0": b.upper,
                "x1": 10000,
                "y0": 0.5,
                "y1": 1.05,
                "fillcolor": "#FBE3D6",
                "line": {"width": 0},
                "layer": "below",
            },
            *({**vline, "x0": x, "x1": x} for x in (b.lower, b.upper)),
        ],
        xaxis={"title": {"text": "Concentration of world supply (HHI, 0–10,000)"}, "range": [0, 10300]},
        yaxis={"title": {"text": "U.S. net import reliance"}, "tickformat": ".0%", "range": [-0.05, 1.1]},
        annotations=[
            {
                "x": 9900,
                "y": 0.52,
                "text": "highly concentrated and mostly imported",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"size": 11, "color": "#A33"},
            }
        ],
    )
    return finish(fig, meta, height=640, legend=False), meta


def nir_trend(us: pd.DataFrame, *, mineral_name: str, sources) -> tuple[go.Figure, ChartMeta]:
    d = us[(us["measure"] == "net_import_reliance")].sort_values("year")
    prim = d[d["primary"]]
    last = prim.dropna(subset=["value"]).tail(1)
    if len(last):
        v = last.iloc[0]
        bound = "over " if v["flag"] == "lower_bound" else ""
        title = (
            f"The United States imported {bound}{v['value']:.0f}% of the {mineral_name.lower()} it used in {int(v['year'])}"
            if v["flag"] != "net_exporter"
            else f"The United States was a net exporter of {mineral_name.lower()} in {int(v['year'])}"
        )
    else:
        title = f"No U.S. net import reliance published for {mineral_name}"
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name}, U.S. net import reliance, percent of apparent consumption, 2021–2025 (E = net exporter, plotted at 0; > = lower bound)",
        **provenance(sources, us),
        slug=slugify(mineral_name, "us-net-import-reliance"),
        data=d[["detail", "year", "value", "flag", "raw"]],
    )
    fig = go.Figure()
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    for i, (detail, g) in enumerate(d.groupby("detail", sort=False)):
        label = detail.split(":")[-1].strip() if ":" in detail else "All forms"
        fig.add_trace(
            go.Scatter(
                x=g["year"],
                y=g["value"],
                mode="lines+markers+text",
                name=label[:60],
                line=dict(color=palette[i % 4], width=3),
                text=g["raw"].fillna(g["value"].map(lambda x: f"{x:.0f}" if pd.notna(x) else "")),
                textposition="top center",
                hovertemplate="%{x}: %{y:.0f}%<extra>" + _esc(label[:40]) + "</extra>",
            )
        )
    fig.update_yaxes(title="% of apparent consumption", range=[-5, 110])
    fig.update_xaxes(dtick=1, title="")
    return finish(fig, meta, height=460), meta


def import_sources_bar(us: pd.DataFrame, *, mineral_name: str, sources) -> tuple[go.Figure, ChartMeta]:
    d = us[(us["measure"] == "import_sources") & us["primary"]].dropna(subset=["value"]).sort_values("value")
    d = d.assign(name=d["country"].map(countries.name))
    top = d.sort_values("value", ascending=False).head(1)
    period = d["period"].dropna().iloc[0] if d["period"].notna().any() else ""
    title = (
        f"{top['name'].iloc[0]} supplied {top['value'].iloc[0]:.0f}% of U.S. {mineral_name.lower()} imports"
        if len(top)
        else f"No U.S. import sources for {mineral_name}"
    )
    detail = d["detail"].iloc[0] if len(d) else ""
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name} ({detail}), share of U.S. imports by source, {period}",
        **provenance(sources, us),
        slug=slugify(mineral_name, "us-import-sources"),
        data=d[["country", "name", "value", "period", "detail"]],
    )
    fig = go.Figure(
        go.Bar(
            x=d["value"] / 100,
            y=d["name"],
            orientation="h",
            marker_color=[country_colour(c) for c in d["country"]],
            text=[f"{v:.0f}%" for v in d["value"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.0%}<extra></extra>",
        )
    )
    fig.update_xaxes(
        tickformat=".0%",
        title="Share of U.S. imports",
        range=[0, min(1.15, max(0.2, float(d["value"].max()) / 100 * 1.25)) if len(d) else 1],
    )
    return finish(fig, meta, height=max(380, 200 + 40 * len(d)), legend=False), meta


def edition_revisions(
    old: pd.DataFrame, new: pd.DataFrame, *, mineral_name: str, stage: str, year: int, unit: str, sources
) -> tuple[go.Figure, ChartMeta]:
    """The same year as published in MCS 2025 and revised in MCS 2026, by country."""
    a = old[old["country"] != countries.WORLD][["country", "value"]].rename(columns={"value": "mcs2025"})
    b = new[new["country"] != countries.WORLD][["country", "value"]].rename(columns={"value": "mcs2026"})
    d = a.merge(b, on="country", how="outer")
    d["change"] = d["mcs2026"] - d["mcs2025"]
    d = d[(d["mcs2025"].fillna(0) > 0) | (d["mcs2026"].fillna(0) > 0)]
    d["name"] = d["country"].map(countries.name)
    d = d.sort_values("mcs2026", ascending=True, na_position="first")
    big = d.assign(absch=d["change"].abs()).sort_values("absch", ascending=False).head(1)
    if len(big) and pd.notna(big["change"].iloc[0]) and big["change"].iloc[0] != 0:
        r = big.iloc[0]
        title = (
            f"MCS 2026 revised {r['name']}'s {year} {mineral_name.lower()} figure from {r['mcs2025']:,.0f} to {r['mcs2026']:,.0f} {unit}"
        )
    else:
        title = f"No revisions to {year} {mineral_name.lower()} {stage_words(stage)} between MCS 2025 and MCS 2026"
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name}, {stage_words(stage)}, {year} ({unit}), as published in MCS 2025 (estimate) and MCS 2026",
        **provenance(sources, old, new),
        slug=slugify(mineral_name, stage, "revisions", year),
        data=d[["country", "name", "mcs2025", "mcs2026", "change"]],
    )
    fig = go.Figure()
    fig.add_trace(go.Bar(y=d["name"], x=d["mcs2025"], orientation="h", name="MCS 2025", marker_color="#BBBBBB"))
    fig.add_trace(go.Bar(y=d["name"], x=d["mcs2026"], orientation="h", name="MCS 2026", marker_color="#0072B2"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=unit, tickformat=",")
    return finish(fig, meta, height=max(420, 160 + 36 * len(d))), meta


# ----------------------------------------------------------------------------------------------
# Scenarios


def _consumer_words(result) -> str:
    c = getattr(result, "consumer", "USA")
    return "U.S." if c == "USA" else countries.name(c) if countries.is_valid(c) else c


def scenario_subtitle(sc, result, extra: str = "") -> str:
    from .scenarios import describe_shocks

    shocks = "; ".join(describe_shocks(sc, result.mineral)) or "no shocks"
    s = f"{result.name}, {stage_words(result.stage, result.product)}, {result.year}. {sc.name}: {shocks}"
    return s + (f". {extra[:1].upper() + extra[1:]}" if extra else "")


_SUPPLY_COLS = ["share_before", "share_after", "volume_before", "volume_after"]


def _top_suppliers(supply: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The ``top_n`` largest suppliers before the shock, the three largest after it, and "All
    others" summed, ordered by share before (smallest first, for horizontal bars).

    The same frame as grouping by (country, name) and sorting on the share with pandas (which
    this replaced: 4 ms of a slider move), row for row and index for index: the selection uses
    pandas' own sort, so ties fall the same way; a country's single row "sums" to itself, a
    missing value to 0 as a pandas sum; the final sort has at most 12 rows, where numpy's
    quicksort is an insertion sort and keeps ties in (country, name) order."""
    sup = supply.reset_index(drop=True)
    codes = sup["country"].tolist()
    by_before = sup["share_before"].sort_values(ascending=False).index[:top_n].tolist()
    keep = [codes[i] for i in by_before]
    keep += [codes[i] for i in sup["share_after"].sort_values(ascending=False).index[:3] if codes[i] not in keep]
    kept = set(keep)
    vals = {c: sup[c].to_numpy(dtype=float) for c in _SUPPLY_COLS}
    groups: dict[tuple[str, str], list[float]] = {}
    for i, code in enumerate(codes):
        if code in kept:
            g = groups.setdefault((code, countries.name(code)), [0.0] * 4)
            for k, col in enumerate(_SUPPLY_COLS):
                v = vals[col][i]
                g[k] += 0.0 if v != v else float(v)
    rest = [i for i, code in enumerate(codes) if code not in kept]
    if rest:
        groups[("OTH", "All others")] = [float(np.nansum(vals[col][rest])) for col in _SUPPLY_COLS]
    rows = sorted(groups.items())  # (country, name) order, as groupby gives
    d = pd.DataFrame(
        {"country": [k[0] for k, _ in rows], "name": [k[1] for k, _ in rows]}
        | {col: [v[j] for _, v in rows] for j, col in enumerate(_SUPPLY_COLS)}
    )
    return d.sort_values("share_before")


def supplier_shares(result, sc, *, sources, top_n: int = 8) -> tuple[go.Figure, ChartMeta]:
    d = _top_suppliers(result.supply, top_n)
    lost = result.values.get("accessible_supply_lost")
    top = result.values.get("top_supplier_after")
    if lost is not None and lost > 0.005:
        title = (
            f"{fmt_share(lost).capitalize()} of the {result.name.lower()} supply accessible to the U.S. is lost; {countries.name(top)} becomes the largest supplier"
            if top
            else f"{pct(lost)} of accessible supply is lost"
        )
    else:
        ch = result.values.get("accessible_supply_change") or 0
        title = (
            f"Supply accessible to the U.S. changes by {ch:+.0%}; {countries.name(top)} remains the largest supplier"
            if top
            else "Accessible supply"
        )
    notes = []
    if any(getattr(x, "destination", "") == "us" for x in sc.shocks if getattr(x, "type", "") == "export_restriction"):
        notes.append(
            "A restriction to the U.S. only removes the restricting country's output from what the U.S. can buy directly; it still reaches other buyers."
        )
    meta = ChartMeta(
        title=title,
        subtitle=scenario_subtitle(sc, result, f"share of supply accessible to the U.S. ({result.unit})"),
        **provenance(sources, result.sources),
        slug=slugify(result.mineral, sc.id, "suppliers", result.year),
        notes=notes,
        data=d,
    )
    names = d["name"].tolist()
    fig = figure_dict(
        [
            {
                "type": "bar",
                "y": names,
                "x": d["share_before"].tolist(),
                "orientation": "h",
                "name": "Baseline",
                "marker": {"color": "#BBBBBB"},
                "hovertemplate": "%{y}: %{x:.1%}<extra>baseline</extra>",
            },
            {
                "type": "bar",
                "y": names,
                "x": d["share_after"].tolist(),
                "orientation": "h",
                "name": "Scenario",
                "marker": {"color": "#0072B2"},
                "text": [pct(v, 0) for v in d["share_after"]],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:.1%}<extra>scenario</extra>",
            },
        ],
        barmode="group",
        xaxis={"tickformat": ".0%", "title": {"text": "Share of accessible supply"}, "range": [0, 1.12]},
    )
    return finish(fig, meta, height=max(440, 160 + 44 * len(d))), meta


def _waterfall_text_positions(values, kinds) -> list[str]:
    vals = [float(v) if v == v else 0.0 for v in values]
    top = max([abs(v) for v in vals] + [1e-12])
    out = []
    for v, k in zip(vals, kinds, strict=True):
        out.append("inside" if k == "relative" and v < 0 and abs(v) >= 0.15 * top else "outside")
    return out


def waterfall(result, sc, *, sources) -> tuple[go.Figure, ChartMeta]:
    """From the U.S. shortfall before offsets, through each offset, to the net shortfall."""
    tp = result.time_path
    last = tp.iloc[-1]
    before = float(last["shortfall_before_offsets"])
    steps = [
        ("Shortfall before offsets", before, "absolute"),
        ("Deal supply", -float(last["deal_offset"]), "relative"),
        ("Spare capacity", -float(last["spare_capacity_offset"]), "relative"),
        ("Extra recycling", -float(last["recycling_offset"]), "relative"),
        ("Net shortfall", float(last["gap"]), "total"),
    ]
    names = [s_[0] for s_ in steps]
    values = [s_[1] for s_ in steps]
    kinds = [s_[2] for s_ in steps]
    net = float(last["gap"])
    title = (
        f"U.S. {result.name.lower()} shortfall: {pct(before)} of consumption before offsets, {pct(net)} after"
        if before > 0
        else f"No U.S. {result.name.lower()} shortfall in this scenario"
    )
    meta = ChartMeta(
        title=title,
        subtitle=scenario_subtitle(sc, result, f"share of {_consumer_words(result)} consumption, month {int(last['month'])}"),
        **provenance(sources, result.sources),
        slug=slugify(result.mineral, sc.id, "waterfall", result.year),
        notes=[
            "Offsets are shares of the lost supply that the deal, spare capacity and recycling replace; the stockpile only buys time (see the time path)."
        ],
        # plain lists until here: a frame's column lookups cost more than the rest of the chart
        data=pd.DataFrame({"step": names, "share_of_us_consumption": values}),
    )
    fig = figure_dict(
        [
            {
                "type": "waterfall",
                "x": names,
                "y": values,
                "measure": kinds,
                "text": [pct(abs(v), 1) for v in values],
                # a decrease's label outside its bar sits below it, on the axis labels when the bar
                # reaches zero: large steps carry their label inside, small ones outside
                "textposition": _waterfall_text_positions(values, kinds),
                "insidetextfont": {"color": "white"},
                "insidetextanchor": "middle",
                "connector": {"line": {"color": "#999999"}},
                "increasing": {"marker": {"color": "#D55E00"}},
                "decreasing": {"marker": {"color": "#009E73"}},
                "totals": {"marker": {"color": "#0072B2"}},
                "cliponaxis": False,
            }
        ],
        xaxis={"tickangle": 0},
        yaxis={"tickformat": ".0%", "title": {"text": "Share of U.S. consumption"}, "rangemode": "tozero"},
    )
    return finish(fig, meta, legend=False), meta


def time_path(result, sc, *, sources) -> tuple[go.Figure, ChartMeta]:
    tp = result.time_path
    ex = result.values.get("stockpile_exhausted_month")
    unmet = result.values.get("unmet_month_equivalents") or 0
    if ex:
        title = f"U.S. {result.name.lower()} stocks run out in month {ex}; {unmet:.1f} months of consumption go unmet over {sc.horizon_months} months"
    elif unmet > 1e-6:
        title = f"{unmet:.1f} months of U.S. {result.name.lower()} consumption go unmet over {sc.horizon_months} months"
    else:
        title = f"Offsets and stocks cover the U.S. {result.name.lower()} shortfall for all {sc.horizon_months} months"
    meta = ChartMeta(
        title=title,
        subtitle=scenario_subtitle(sc, result, "monthly, share of U.S. monthly consumption; stocks in months of consumption"),
        **provenance(sources, result.sources),
        slug=slugify(result.mineral, sc.id, "time-path", result.year),
        data=tp,
    )
    step = {"shape": "hv"}
    month = tp["month"].tolist()
    traces = []
    lo_col, hi_col = ("gap_p10", "gap_p90") if "gap_p10" in tp else ("gap_low", "gap_high")
    if lo_col in tp and hi_col in tp and (tp[hi_col] - tp[lo_col]).abs().max() > 1e-9:
        band = "p10–p90 of the Monte Carlo" if lo_col == "gap_p10" else "range from the data's uncertainty"
        traces.append(
            {
                "type": "scatter",
                "x": month,
                "y": tp[lo_col].tolist(),
                "line": {"width": 0, **step},
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": month,
                "y": tp[hi_col].tolist(),
                "name": f"Gap: {band}",
                "fill": "tonexty",
                "fillcolor": "rgba(213,94,0,0.18)",
                "line": {"width": 0, **step},
            }
        )
    traces += [
        {
            "type": "scatter",
            "x": month,
            "y": tp["shortfall_before_offsets"].tolist(),
            "name": "Shortfall before offsets",
            "line": {"color": "#999999", "dash": "dash", "width": 2, **step},
        },
        {
            "type": "scatter",
            "x": month,
            "y": tp["gap"].tolist(),
            "name": "Gap after deal, spare capacity, recycling",
            "line": {"color": "#D55E00", "width": 3, **step},
        },
        {
            "type": "scatter",
            "x": month,
            "y": tp["unmet"].tolist(),
            "name": "Unmet after drawing on stocks",
            "fill": "tozeroy",
            "line": {"color": "#CC79A7", "width": 1, **step},
            "fillcolor": "rgba(204,121,167,0.25)",
        },
        {
            "type": "scatter",
            "x": month,
            "y": tp["stockpile_left_months"].tolist(),
            "name": "Stocks left (months, right axis)",
            "yaxis": "y2",
            "line": {"color": "#009E73", "width": 2},
        },
    ]
    top_share = float(max(tp["shortfall_before_offsets"].max(), 0.01)) * 1.1
    top_stock = float(max(tp["stockpile_left_months"].max(), 0.1)) * 1.1
    fig = figure_dict(
        traces,
        xaxis={"title": {"text": "Month after the shock"}},
        yaxis={"title": {"text": "Share of monthly consumption"}, "tickformat": ".0%", "range": [0, top_share]},
        yaxis2={
            "title": {"text": "Months of consumption in stock"},
            "overlaying": "y",
            "side": "right",
            "range": [0, top_stock],
            "tickformat": ".1f",
            "showgrid": False,
        },
    )
    if ex:  # what fig.add_vline draws: a dotted line at the month the stocks run out
        fig["layout"]["shapes"] = [
            {
                "type": "line",
                "x0": ex,
                "x1": ex,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "line": {"color": "#009E73", "dash": "dot"},
            }
        ]
    return finish(fig, meta, height=520), meta


def sweep_heatmap(
    df: pd.DataFrame, x: str, y: str, z: str, *, x_label: str, y_label: str, result, sc, sources
) -> tuple[go.Figure, ChartMeta]:
    piv = df.pivot_table(index=y, columns=x, values=z, aggfunc="mean")
    worst = float(np.nanmax(piv.to_numpy())) if piv.size else 0.0
    best = float(np.nanmin(piv.to_numpy())) if piv.size else 0.0
    title = f"Net U.S. {result.name.lower()} shortfall ranges from {pct(best)} to {pct(worst)} of consumption across these settings"
    meta = ChartMeta(
        title=title,
        subtitle=f"{result.name}, {result.year}; scenario: {sc.name}; {y_label} (rows) by {x_label} (columns); other parameters as set",
        **provenance(sources, result.sources),
        slug=slugify(result.mineral, sc.id, "sweep", result.year),
        data=df,
    )
    fig = go.Figure(
        go.Heatmap(
            z=piv.to_numpy(),
            x=piv.columns,
            y=piv.index,
            colorscale="YlOrRd",
            zmin=0,
            zmax=max(worst, 0.01),
            colorbar=dict(title="Net shortfall", tickformat=".0%"),
            hovertemplate=f"{_esc(x_label)} %{{x:.2f}}<br>{_esc(y_label)} %{{y:.2f}}<br>net shortfall %{{z:.1%}}<extra></extra>",
        )
    )
    fig.update_xaxes(title=x_label)
    fig.update_yaxes(title=y_label)
    return finish(fig, meta, height=520, legend=False), meta


def compare_bars(table: pd.DataFrame, metric: str, metric_label: str, *, sources, names: dict) -> tuple[go.Figure, ChartMeta]:
    d = table.dropna(subset=[metric]).copy()
    d["name"] = d["mineral"].map(lambda m: names.get(m, m))
    if len(d):
        worst = d.sort_values(metric, ascending=False).iloc[0]
        words = metric_label if metric_label.startswith("U.S.") else metric_label[:1].lower() + metric_label[1:]
        title = f"{worst['scenario']} leaves the largest {words}: {pct(worst[metric])} for {worst['name'].lower()}"
    else:
        title = "No comparable results"
    meta = ChartMeta(
        title=title,
        subtitle=f"{metric_label} by mineral and scenario (share of U.S. consumption)",
        **provenance(sources, table),
        slug=slugify("compare", metric),
        data=d,
    )
    fig = go.Figure()
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    for i, (scn, g) in enumerate(d.groupby("scenario", sort=False)):
        fig.add_trace(
            go.Bar(
                x=g["name"],
                y=g[metric],
                name=scn,
                marker_color=palette[i % 4],
                text=[pct(v) for v in g[metric]],
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", title=metric_label, rangemode="tozero")
    return finish(fig, meta), meta


# ----------------------------------------------------------------------------------------------
# Trade (CEPII BACI): an importer's sourcing over time, and an origin's share through third countries


def _controls_in(
    events: pd.DataFrame | None, first: int, last: int, *, data_end_note: bool = False
) -> tuple[pd.DataFrame | None, list[str]]:
    """The export controls that take effect within the chart's years, and the footer note that
    names them (plus, for trade charts, a note that later controls fall after the data)."""
    if events is None or not len(events):
        return None, []
    yrs = pd.to_datetime(events["date"]).dt.year
    shown = events[(yrs >= first) & (yrs <= last)]
    notes = []
    if len(shown):
        notes.append(
            "Dotted lines: export controls taking effect (" + "; ".join(f"{e['label']}, {e['date']}" for _, e in shown.iterrows()) + ")."
        )
    if data_end_note and len(shown) < len(events):
        notes.append(f"Controls after {last} are not shown: the trade data end in {last}.")
    return shown, notes


def _mark_controls(fig: go.Figure, shown: pd.DataFrame | None) -> None:
    """A dotted line at each control's effective date, on a year axis (day of year as a fraction)."""
    for _, e in (shown if shown is not None else pd.DataFrame()).iterrows():
        ts = pd.Timestamp(e["date"])
        fig.add_vline(x=ts.year + (ts.day_of_year - 1) / 365.25, line_dash="dot", line_color="#333333")


def import_history(
    yearly: pd.DataFrame,
    *,
    importer_name: str,
    mineral_name: str,
    sources,
    measure: str = "share_value",
    events: pd.DataFrame | None = None,
    top_n: int = 6,
) -> tuple[go.Figure, ChartMeta]:
    """Stacked areas of ``importer``'s imports of a mineral by supplier, year by year (the top N
    suppliers over the whole period, the rest as All others), with control dates as lines."""
    d = yearly.copy()
    totals = d.groupby("exporter")["value_kusd"].sum().sort_values(ascending=False)
    top = list(totals.index[:top_n])
    d["supplier"] = np.where(d["exporter"].isin(top), d["exporter"], "OTH")
    g = d.groupby(["year", "supplier"], as_index=False)[["value_kusd", "share_value"]].sum()
    years = sorted(g["year"].unique())
    first, last = (int(years[0]), int(years[-1])) if years else (0, 0)
    lead = g[g["year"] == last].sort_values("value_kusd", ascending=False).head(1)
    if len(lead):
        r = lead.iloc[0]
        who = countries.name(r["supplier"]) if r["supplier"] != "OTH" else "Other suppliers"
        title = f"{who} supplied {pct(r['share_value'])} of {mineral_name.lower()} imports into {importer_name} by value in {last}"
    else:
        title = f"No {mineral_name.lower()} imports into {importer_name} in the trade data"
    unit = "share of imports by value" if measure == "share_value" else "thousand current US dollars (FOB)"
    shown, notes = _controls_in(events, first, last, data_end_note=True)
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name}, imports into {importer_name} by supplier, {first}–{last}, {unit}; BACI product groups as mapped in data/trade_products.yaml",
        **provenance(sources, yearly),
        slug=slugify(mineral_name, importer_name, "import-history", measure),
        notes=notes,
        data=g.assign(supplier_name=g["supplier"].map(lambda c: countries.name(c) if c != "OTH" else "All others")),
    )
    fig = go.Figure()
    for c in [*top, "OTH"]:
        s = g[g["supplier"] == c].set_index("year")[["value_kusd", "share_value"]].reindex(years, fill_value=0.0)
        fig.add_trace(
            go.Scatter(
                x=years,
                y=s[measure],
                name=countries.name(c) if c != "OTH" else "All others",
                mode="lines",
                stackgroup="one",
                line=dict(width=0.5, color=country_colour(c)),
                hovertemplate="%{x}: %{y:" + (".0%" if measure == "share_value" else ",.0f") + "}<extra>%{fullData.name}</extra>",
            )
        )
    _mark_controls(fig, shown)
    fig.update_yaxes(tickformat=".0%" if measure == "share_value" else ",.0f", title=unit, rangemode="tozero")
    fig.update_xaxes(title="Year", dtick=5)
    return finish(fig, meta, height=560), meta


def origin_shares(
    exp: dict, *, importer_name: str, origin_name: str, mineral_name: str, sources, top_n: int = 6
) -> tuple[go.Figure, ChartMeta]:
    """One bar: the origin's direct share of the importer's imports, then its material arriving
    through each third country (s_X x c_X), then the rest."""
    via = exp["via"][:top_n]
    rest_via = sum(v["contribution"] for v in exp["via"][top_n:])
    parts = [("direct", f"Direct from {origin_name}", exp["direct"], "CHN" if exp["origin"] == "CHN" else exp["origin"])]
    parts += [
        (
            v["country"],
            f"Via {countries.name(v['country'])} ({pct(v['share'])} of imports × {pct(v['look_through'])} look-through)",
            v["contribution"],
            v["country"],
        )
        for v in via
    ]
    if rest_via > 0:
        parts.append(("via_other", "Via other countries", rest_via, "OTH"))
    title = (
        f"{pct(exp['total'])} of {mineral_name.lower()} imports into {importer_name} could be {origin_name}'s material: "
        f"{pct(exp['direct'])} direct, {pct(exp['indirect'])} through third countries"
    )
    data = pd.DataFrame([{"part": p[0], "label": p[1], "share": p[2]} for p in parts]).assign(source=exp["source"])
    meta = ChartMeta(
        title=title,
        subtitle=(
            f"{mineral_name}, imports into {importer_name} {exp['from']}–{exp['to']} by {exp['by']}; look-through c_X = X's imports from "
            f"{origin_name} ÷ the larger of X's imports and exports. At most {pct(exp['indirect_high'])} indirect if every import from {origin_name} is re-exported"
        ),
        **provenance(sources, data),
        slug=slugify(mineral_name, importer_name, exp["origin"], "origin-share", exp["from"], exp["to"]),
        data=data,
    )
    rows = [*parts, ("total", f"Total {origin_name}-origin share", exp["total"], exp["origin"])][::-1]
    fig = go.Figure(
        go.Bar(
            x=[r[2] for r in rows],
            y=[r[1] for r in rows],
            orientation="h",
            marker_color=["#333333" if r[0] == "total" else country_colour(exp["origin"] if r[0] == "direct" else r[3]) for r in rows],
            text=[pct(r[2], 1) for r in rows],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=".0%", range=[0, min(1.1, max(0.2, exp["total"] * 1.25))], title="Share of imports")
    fig.update_yaxes(showgrid=False, automargin=True)
    return finish(fig, meta, height=300 + 34 * len(rows), legend=False), meta


# ----------------------------------------------------------------------------------------------
# Export controls over time, and product chains

KIND_COLOURS = {
    "ban": "#B2182B",
    "licence": "#EF8A62",
    "quota": "#67A9CF",
    "technology_ban": "#762A83",
    "suspension": "#999999",
    "commitment": "#999999",
}
STATUS_STYLE = {"in force": ("", 0.9), "suspended": ("/", 0.35), "announced": (".", 0.3)}


def controls_timeline(periods: pd.DataFrame, *, names: dict, as_of: str, sources) -> tuple[go.Figure, ChartMeta]:
    """One row per mineral: bars while a control is in force (colour: kind), hatched while it is
    suspended, dotted between announcement and effect, grey where the status is unknown."""
    p = periods[~periods["status"].isin(["not yet announced", "ended"]) & ~periods["kind"].isin(["suspension", "commitment"])].copy()
    p["mineral"] = p["minerals"].str.split(";")
    p = p.explode("mineral")
    p["row"] = p["mineral"].map(lambda m: names.get(m, m))
    in_force = p[(p["status"] == "in force") & (pd.to_datetime(p["end"]) >= pd.Timestamp(as_of))]
    n_min = in_force["mineral"].nunique()
    title = f"On {as_of}, export controls are in force on {n_min} minerals; " + (
        f"{p[p['status'].str.startswith('unknown')]['event'].nunique()} measures have an unknown status after their suspension ended"
        if (p["status"].str.startswith("unknown")).any()
        else "none has an unknown status"
    )
    data = p[["row", "event", "part", "number", "kind", "destination", "status", "start", "end", "sources"]].rename(
        columns={"row": "mineral_name"}
    )
    meta = ChartMeta(
        title=title,
        subtitle=f"Export controls by mineral, {p['start'].min()} to {as_of}: in force (solid, by kind), suspended (hatched), announced (dotted), unknown (grey)",
        **provenance(sources, p.assign(sources=p["sources"].str.split(";"))),
        slug=slugify("export-controls-timeline", as_of),
        notes=["A status after the last announcement in the data is 'unknown', never a guess."],
        data=data,
    )
    fig = go.Figure()
    start = pd.to_datetime(p["start"])
    dur = (pd.to_datetime(p["end"]) + pd.Timedelta(days=1) - start).dt.total_seconds() * 1000
    p["shown_status"] = p["status"].where(~p["status"].str.startswith("unknown"), "status unknown")
    groups = p.groupby(["kind", "shown_status"]).groups
    # licences and quotas first, bans on top and narrower, so that overlapping measures both show
    priority = {"licence": 0, "quota": 1, "technology_ban": 2, "ban": 3}
    for (kind, status), idx in sorted(groups.items(), key=lambda kv: (priority.get(kv[0][0], 0), kv[0][1])):
        pattern, alpha = STATUS_STYLE.get(status, ("", 0.25))
        colour = "#BBBBBB" if status == "status unknown" else KIND_COLOURS.get(kind, "#666666")
        sub = p.loc[idx]
        fig.add_trace(
            go.Bar(
                base=start.loc[idx].dt.strftime("%Y-%m-%d"),
                x=dur.loc[idx],
                y=sub["row"],
                orientation="h",
                name=f"{kind.replace('_', ' ')}, {status}",
                width=0.8 if priority.get(kind, 0) < 2 else 0.4,
                marker=dict(color=colour, opacity=alpha, pattern_shape=pattern, line=dict(width=0)),
                customdata=np.stack(
                    [
                        sub["number"].fillna(sub["title"]),
                        sub["start"].astype(str),
                        sub["end"].astype(str),
                        sub["destination"],
                        sub["country"].map(countries.name),
                    ],
                    axis=-1,
                ),
                hovertemplate="%{y}: %{customdata[4]}, %{customdata[0]}<br>%{customdata[1]} to %{customdata[2]}, "
                "destination %{customdata[3]}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(type="date", title="")
    fig.update_yaxes(categoryorder="category descending", showgrid=False)
    rows = -(-len(groups) // 4)
    return finish(fig, meta, height=max(460, 160 + 24 * p["row"].nunique() + 22 * rows), legend_rows=rows), meta


def chain_stages(shares: pd.DataFrame, *, chain_name: str, sources, top_n: int = 5) -> tuple[go.Figure, ChartMeta]:
    """One bar per stage of a product chain, country shares stacked (the top N per stage, the
    rest as All others); stages without sourced shares are labelled so."""
    s = shares.copy()
    s["stage_label"] = s["order"].astype(str) + ". " + s["stage_name"]
    rows = []
    for label, g in s.groupby("stage_label", sort=False):
        g = g.dropna(subset=["share"])
        named = g[g["country"] != countries.OTHER].sort_values("share", ascending=False)
        top = named.head(top_n)
        for r in top.itertuples():
            rows.append({"stage_label": label, "country": r.country, "share": r.share, "year": r.year, "source": r.source})
        rest = g["share"].sum() - top["share"].sum()
        if rest > 1e-6:
            rows.append(
                {"stage_label": label, "country": "OTH", "share": rest, "year": top["year"].max() if len(top) else None, "source": None}
            )
    d = pd.DataFrame(rows, columns=["stage_label", "country", "share", "year", "source"])
    labels = list(dict.fromkeys(s["stage_label"]))
    empty = [lb for lb in labels if lb not in set(d["stage_label"])]
    chn = d[d["country"] == "CHN"]
    title = (
        f"China holds {pct(chn['share'].min())}–{pct(chn['share'].max())} of each stage of the {chain_name} chain that has data"
        if len(chn)
        else f"{chain_name}: country shares by stage"
    )
    notes = [f"No sourced country shares for: {', '.join(e.split('. ', 1)[1] for e in empty)}."] if empty else []
    meta = ChartMeta(
        title=title,
        subtitle=f"{chain_name}: share of each stage by country (stage, year and source of each figure in the data download)",
        **provenance(sources, s),
        slug=slugify("chain", chain_name),
        notes=notes,
        data=d.merge(s[["stage_label", "country", "quote", "basis"]], on=["stage_label", "country"], how="left"),
    )
    fig = go.Figure()
    for c in [*dict.fromkeys(d.loc[d["country"] != "OTH", "country"]), "OTH"]:
        g = d[d["country"] == c].set_index("stage_label").reindex(labels)
        g["share"] = g["share"].fillna(0.0)  # a gap in one trace must not reorder the stack
        fig.add_trace(
            go.Bar(
                y=[_wrap_label(lb) for lb in labels],
                x=g["share"],
                name=countries.name(c) if c != "OTH" else "All others",
                orientation="h",
                marker_color=country_colour(c),
                text=[pct(v) if v == v and v >= 0.06 else "" for v in g["share"]],
                textposition="inside",
                customdata=g["year"],
                hovertemplate="%{y}<br>"
                + _esc(countries.name(c) if c != "OTH" else "All others")
                + ": %{x:.0%} (%{customdata})<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1], title="Share of the stage")
    fig.update_yaxes(categoryorder="array", categoryarray=[_wrap_label(lb) for lb in labels][::-1], showgrid=False)
    return finish(fig, meta, height=max(420, 200 + 46 * len(labels))), meta


def _wrap_label(text: str, width: int = 32) -> str:
    """A long axis label on two or three lines, so that the plot keeps its width."""
    return "<br>".join(_esc(x) for x in wrap(text, width))


def price_history(prices: pd.DataFrame, *, mineral_name: str, sources, events: pd.DataFrame | None = None) -> tuple[go.Figure, ChartMeta]:
    """USGS price series of one mineral, 2021-2025, with export controls marked; series in
    another unit than the first are left to the data download (one axis, one unit)."""
    unit = prices["unit"].iloc[0]
    d = prices[prices["unit"] == unit]
    first = d.sort_values("year").groupby("series").first()
    last = d.sort_values("year").groupby("series").last()
    ch = (last["value"] / first["value"] - 1).dropna()
    y0, y1 = int(d["year"].min()), int(d["year"].max())
    if len(ch):
        k = ch.abs().idxmax()
        title = f"{mineral_name} prices {'rose' if ch[k] >= 0 else 'fell'} {abs(ch[k]):.0%} from {y0} to {y1} ({_short_series(k)})"
    else:
        title = f"{mineral_name} prices, {y0}–{y1}"
    shown, notes = _controls_in(events, y0, y1)
    other = sorted(set(prices["unit"]) - {unit})
    if other:
        notes.append(f"Also in the data download: series in {', '.join(other)}.")
    if (d["flag"] == "estimated").any():
        notes.append("Hollow markers: USGS estimates.")
    meta = ChartMeta(
        title=title,
        subtitle=f"{mineral_name}, annual average prices as published by USGS, {y0}–{y1}, {unit}",
        **provenance(sources, prices),
        slug=slugify(mineral_name, "prices", y0, y1),
        notes=notes,
        data=prices,
    )
    fig = go.Figure()
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    for i, (name, g) in enumerate(d.groupby("series", sort=False)):
        g = g.sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=g["year"],
                y=g["value"],
                name=_short_series(name),
                mode="lines+markers",
                line=dict(color=palette[i % len(palette)]),
                marker=dict(symbol=["circle-open" if f == "estimated" else "circle" for f in g["flag"]], size=9),
                hovertemplate="%{x}: %{y:,.2f} " + _esc(unit) + "<extra>%{fullData.name}</extra>",
            )
        )
    _mark_controls(fig, shown)
    fig.update_xaxes(dtick=1, title="Year")
    fig.update_yaxes(title=unit, rangemode="tozero")
    return finish(fig, meta, height=480, legend=True), meta


def _short_series(name: str) -> str:
    """``Price, metal, average, dollars per pound`` -> ``metal, average``: the words that differ."""
    text = str(name).removeprefix("Price, ").removeprefix("Price: ")
    for unit_words in (", dollars per", " dollars per"):
        if unit_words in text:
            head, _, tail = text.partition(unit_words)
            tail = tail.split(":", 1)[1].strip() if ":" in tail else ""
            text = f"{head}: {tail}" if tail else head
    return text.strip(" ,:")
