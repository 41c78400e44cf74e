"""Overview: every critical mineral in one table, the criticality chart, and the press claims."""

import streamlit as st

from risk import charts, countries
from risk.metrics import SUMMARY_COLUMNS, main_series
from risk.vocab import BAND_SETS, PRODUCTION_STAGES, USGS_EDITIONS, edition_label, fmt_value, stage_words
from ui.common import (
    CONSUMERS,
    OVERVIEW_VIEWS,
    build,
    caption_sources,
    claims_table,
    column_config,
    consumer_name,
    counted,
    dataset,
    lazy_section,
    metrics_all,
    mineral_name,
    names,
    nir_text,
    pct,
    render_chart,
    sourcing_table,
)
from ui.deeplink import ensure_navigation
from ui.links import link_box, linked, linked_tabs

ensure_navigation()

ds = dataset()
st.title("Critical minerals: concentration and U.S. dependency")
st.write(
    "Which critical minerals are most concentrated, in which countries, and how dependent is the United States "
    "on a single supplier? From the USGS Mineral Commodity Summaries: a chart of every mineral's concentration against "
    "U.S. import reliance, and a table with one row per mineral (click a column to sort)."
)


def _country(c) -> str:
    return countries.name(c) if isinstance(c, str) else "—"


@st.fragment
@counted
def selection() -> None:
    """The five selectors, and the chart or the table they drive: a change reruns only this (the
    sourcing table and the press claims below do not depend on it). The table, its captions and
    the chart of a selection are built once and shared (``_VIEWS``)."""
    # one horizontal row rather than five columns: one container element instead of six
    c1 = c2 = c3 = c4 = c5 = st.container(horizontal=True)
    LISTS = {"2025": "2025 critical minerals list", "2022": "2022 critical minerals list", "all": "All minerals with world data"}
    which = linked(c1.selectbox, "List", list(LISTS), key="ov_list", param="list", format_func=LISTS.get)
    edition = linked(c2.selectbox, "Edition", list(USGS_EDITIONS), key="ov_edition", param="edition", format_func=edition_label)
    years = _VIEWS.get(
        ("years", edition),
        lambda: [int(y) for y in sorted(ds.figures.loc[ds.figures["edition"] == edition, "year"].unique(), reverse=True) if y >= 2023],
    )
    year = linked(c3.selectbox, "Year", years, key="ov_year", param="year")
    # the years and stages on offer are read from the figures once per process, not on every change
    stages = _VIEWS.get(
        ("stages",), lambda: ["main", *[s for s in PRODUCTION_STAGES if s in set(ds.figures["stage"].unique())], "reserves"]
    )
    stage = linked(
        c4.selectbox,
        "Stage",
        stages,
        key="ov_stage",
        param="stage",
        format_func=lambda s: "Main production stage" if s == "main" else stage_words(s).capitalize(),
        help="'Main production stage' takes each mineral's first published stage: mine, else primary, refinery or smelter.",
    )
    bands = linked(
        c5.selectbox,
        "HHI bands",
        list(BAND_SETS),
        key="ov_bands",
        param="bands",
        format_func=lambda b: BAND_SETS[b].name,
        help="; ".join(b.describe() for b in BAND_SETS.values()),
    )
    view = _VIEWS.get((which, edition, int(year), stage, bands), lambda: _selection_view(which, edition, int(year), stage, bands))
    # The chart or the table, one at a time (tabs, only the open one sent; ?view=table in the link):
    # a change of selection redrew both, and the table's re-render was a sixth of the move in the
    # browser (benchmarks/README, "The profile in tabs, the Overview's chart or table").
    shown, box = linked_tabs(
        {"chart": "Concentration against U.S. import reliance", "table": "Table of every mineral"}, key="ov_view", param="view"
    )
    with box:
        if shown == "table":
            st.dataframe(view["table"], hide_index=True, width="stretch", column_config=view["column_config"])
            # the count and bands, then the source line, in one caption (two lines)
            st.caption(view["caption"] + ("  \n" + view["source_line"] if view["source_line"] else ""))
        elif view["fig"] is not None:
            render_chart(view["fig"], view["meta"], "criticality")
        else:
            st.info("No mineral in this selection has a computable concentration index.")


#: one view per (list, edition, year, stage, bands): the table, its captions and the chart, shared
#: read-only by every session (a selection seen before is neither filtered nor built again); kept in
#: ui.common, as a page's own globals are made afresh on every full run
_VIEWS = OVERVIEW_VIEWS


def _selection_view(which: str, edition: str, year: int, stage: str, bands: str) -> dict:
    band = BAND_SETS[bands]
    m = metrics_all(bands)
    m = m[(m["edition"] == edition) & (m["year"] == year)]
    m = main_series(m) if stage == "main" else m[(m["stage"] == stage) & (m["product"] == "")]
    minerals = ds.minerals.set_index("mineral")
    if which == "2025":
        m = m[m["mineral"].map(minerals["critical_2025"]).fillna(False).astype(bool)]
    elif which == "2022":
        m = m[m["mineral"].map(minerals["critical_2022"]).fillna(False).astype(bool)]

    table = m.sort_values("hhi", ascending=False, na_position="last").assign(
        mineral=lambda d: d["mineral"].map(mineral_name),
        stage=lambda d: [stage_words(s, p) for s, p in zip(d["stage"], d["product"], strict=True)],
        top_country=lambda d: d["top_country"].map(_country),
        top_import_country=lambda d: d["top_import_country"].map(_country),
        # bounded values read as bounds: a ">50" reliance is "≥ 50%", and so is the dependency built on it
        nir=lambda d: [nir_text(n, f) for n, f in zip(d["nir"], d["nir_flag"], strict=True)],
        single_supplier_dependency=lambda d: [
            fmt_value(v, f, percent=True) for v, f in zip(d["single_supplier_dependency"], d["dependency_flag"], strict=True)
        ],
        reason=lambda d: d["reason"].fillna(""),
    )
    cols = [c for c in SUMMARY_COLUMNS if c not in ("product", "year", "edition")]
    chart_rows = m.dropna(subset=["hhi"])
    fig = meta = None
    if len(chart_rows):
        fig, meta = build(
            charts.criticality_scatter,
            m=chart_rows,
            names=names(),
            year=year,
            stage_label="main production stage" if stage == "main" else stage_words(stage),
            bands=bands,
        )
    return {
        "table": table[cols],
        "column_config": column_config(cols, hhi_band=f"This table: {band.describe()}.") | {"reason": st.column_config.TextColumn("Note")},
        "caption": f"{len(table)} minerals; bands: {band.describe()}. U.S. import sources are 2021–24 averages (MCS 2026).",
        "source_line": charts.source_line(ds.sources, charts.source_ids_of(m)),
        "fig": fig,
        "meta": meta,
    }


selection()


@st.fragment
@counted
def sourcing() -> None:
    """Any importer's sourcing, from bilateral trade: the importer's own selector reruns only this."""
    st.write(
        "The table above is the U.S. as USGS publishes it. Here, for any importer, where its imports of each mineral "
        "came from by value, how concentrated that sourcing is, and how much could be Chinese material, directly or "
        "through third countries."
    )
    consumer = linked(st.selectbox, "Importer", CONSUMERS, key="ov_consumer", param="consumer", default="USA", format_func=consumer_name)
    src = sourcing_table(consumer, 2021, 2024)
    if src.empty:
        st.info(f"No imports by {consumer_name(consumer)} of the mapped minerals in 2021–24.")
    else:
        view = src.sort_values("origin_total", ascending=False, na_position="last").assign(
            mineral=lambda d: d["mineral"].map(mineral_name),
            top_import_country=lambda d: d["top_import_country"].map(_country),
            imports_kusd=lambda d: d["imports_kusd"].round(0),
        )
        scols = [
            "mineral",
            "imports_kusd",
            "top_import_country",
            "top_import_share",
            "hhi",
            "hhi_band",
            "origin_direct",
            "origin_indirect",
            "origin_total",
        ]
        st.dataframe(
            view[scols],
            hide_index=True,
            width="stretch",
            column_config=column_config(scols, hhi="Of the importer's sourcing; every BACI supplier is named, so not a lower bound.")
            | {
                "top_import_country": st.column_config.TextColumn("Top source"),
                "top_import_share": st.column_config.NumberColumn("Its share", format="percent"),
            },
        )
        st.caption(
            f"{len(view)} minerals mapped to HS 1992 codes (data/trade_products.yaml); values summed over 2021–24; bands: {BAND_SETS['2023'].describe()}."
        )
        caption_sources(src)


def claims() -> None:
    st.write("Figures quoted in the seed article, checked against the tables. They never change the tables.")
    c = claims_table()
    view = c.assign(
        Claim=c["quote"].str.slice(0, 140),
        Claimed=c.apply(lambda r: ("rank " + str(int(r["claimed"]))) if r["measure"] == "rank" else pct(r["claimed"]), axis=1),
        Tables=c.apply(
            lambda r: (
                ("rank " + str(int(r["table_value"])))
                if r["measure"] == "rank" and r["table_value"] == r["table_value"]
                else pct(r["table_value"])
            ),
            axis=1,
        ),
        Edition=c["edition"].map(lambda e: edition_label(e) if isinstance(e, str) else "—"),
        Verdict=c["verdict"],
        Explanation=c["explanation"],
        Sources=c["sources"].map(lambda ids: "; ".join(ds.sources[i].short for i in ids.split(";") if i in ds.sources)),
    )
    st.dataframe(view[["Claim", "Claimed", "Tables", "Edition", "Verdict", "Explanation", "Sources"]], hide_index=True, width="stretch")
    caption_sources(c)


# The two sections below the table are closed until opened, their content sent only then
# (ui.common.lazy_section): a filter move in the browser redraws every element on the page.
if section := lazy_section("Sourcing of any importer, 2021–24 (CEPII BACI)", "ov_open_sourcing", open_now="consumer" in st.query_params):
    with section:
        sourcing()
if section := lazy_section("Press claims beside the USGS and IEA figures", "ov_open_claims"):
    with section:
        claims()

link_box()
