"""Helpers shared by the pages: cached data, chart rendering with downloads, number formats.

Streamlit lives here and in the page files, never in risk/.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from risk import charts
from risk import dataset as ds_mod
from risk import metrics as metrics_mod
from risk.export import to_xlsx_bytes
from risk.export_data import to_csv_bytes


@st.cache_resource(show_spinner="Loading the bundled data…")
def dataset() -> ds_mod.Dataset:
    """The validated bundled dataset, shared read-only by every session."""
    return ds_mod.load_dataset()


@st.cache_data(show_spinner=False)
def metrics_all() -> pd.DataFrame:
    return metrics_mod.metrics_table(dataset())


@st.cache_data(show_spinner=False)
def claims_table() -> pd.DataFrame:
    return metrics_mod.check_claims(dataset())


@st.cache_resource(show_spinner=False)
def names() -> dict[str, str]:
    """Mineral slug -> display name (built once; format_func calls it for every option)."""
    return dataset().minerals.set_index("mineral")["name"].to_dict()


def mineral_name(m: str) -> str:
    return names().get(m, m.replace("_", " ").title())


def source_line(source_ids) -> str:
    return charts.source_line(dataset(), source_ids)


def caption_sources(source_ids) -> None:
    line = source_line(source_ids)
    if line:
        st.caption(line)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text) -> str:
    """Escape Markdown so that user-supplied text (names, labels, error messages quoting an
    upload or a link) shows as typed: no links, images, HTML or formatting."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def pct(x, digits: int = 0) -> str:
    return charts.pct(x, digits)


def nir_text(nir, flag) -> str:
    if nir is None or (isinstance(nir, float) and math.isnan(nir)):
        return "n/a"
    if flag == "net_exporter":
        return "0% (net exporter)"
    return (">" if flag == "lower_bound" else "") + f"{100 * nir:.0f}%"


#: plotly.js settings: the world topology is served locally (static/topojson), never from a CDN.
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "/app/static/topojson/"}


def build(builder, source_ids, **kwargs):
    """Call a chart builder with the source line for ``source_ids``; the ids travel on the meta."""
    ids = list(dict.fromkeys(i for i in source_ids if i))
    fig, meta = builder(source=source_line(ids), **kwargs)
    meta.source_ids = ids
    return fig, meta


def render_chart(fig, meta: charts.ChartMeta, key: str) -> None:
    """Show a chart as it will be exported, its source line, and its downloads."""
    st.plotly_chart(
        fig, theme=None, key=f"chart-{key}", config=PLOTLY_CONFIG | {"toImageButtonOptions": {"filename": meta.slug, "scale": 2}}
    )
    _downloads(fig, meta, key)


def _downloads(fig, meta: charts.ChartMeta, key: str) -> None:
    ds = dataset()
    srcs = [ds.sources[i] for i in meta.source_ids if i in ds.sources]
    title = f"{meta.title} — {meta.subtitle}"
    cols = st.columns([1, 1, 1, 1, 1, 3])
    if meta.data is not None:
        cols[0].download_button(
            "CSV",
            data=lambda: to_csv_bytes(meta.data, sources=srcs, title=title),
            file_name=f"{meta.slug}.csv",
            mime="text/csv",
            key=f"csv-{key}",
            help="Exactly the data in the chart, with its sources",
            on_click="ignore",
        )
        cols[1].download_button(
            "XLSX",
            data=lambda: to_xlsx_bytes({"Data": meta.data}, sources=srcs, title=title),
            file_name=f"{meta.slug}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"xlsx-{key}",
            help="The chart's data with a Sources sheet",
            on_click="ignore",
        )
    from pages import exports_ui

    exports_ui.chart_buttons(fig, meta, key, cols[2:5])


def results_column_config() -> dict:
    """Column labels and formats for tables of scenario results (lab and compare pages)."""
    num = st.column_config.NumberColumn
    return {
        "us_shortfall": num("U.S. shortfall", format="percent"),
        "us_shortfall_net": num("After offsets", format="percent"),
        "accessible_supply_lost": num("Supply lost", format="percent"),
        "replacement_multiple": num("Replacement multiple", format="%.1f"),
        "deal_offset_share": num("Deal offsets", format="percent"),
        "stockpile_exhausted_month": num("Stocks run out (month)"),
        "unmet_month_equivalents": num("Unmet (months of use)", format="%.1f"),
        "hhi_after": num("HHI after", format="%.0f"),
    }
