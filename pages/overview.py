"""Overview: every critical mineral in one table, the criticality chart, and the press claims."""

import streamlit as st

from pages.common import build, claims_table, dataset, metrics_all, mineral_name, names, nir_text, pct, render_chart
from risk import charts, countries
from risk.metrics import main_series
from ui.deeplink import ensure_navigation

ensure_navigation()

ds = dataset()
st.title("Critical minerals: concentration and U.S. dependency")
st.write(
    "Which critical minerals are most concentrated, in which countries, and how dependent is the United States "
    "on a single supplier? One row per mineral, from the USGS Mineral Commodity Summaries; click a column to sort."
)

EDITIONS = {"mcs2026": "USGS MCS 2026", "mcs2025": "USGS MCS 2025"}
c1, c2, c3, c4 = st.columns(4)
which = c1.selectbox("List", ["2025 critical minerals list", "2022 critical minerals list", "All minerals with world data"], key="ov_list")
edition = c2.selectbox("Edition", list(EDITIONS), format_func=EDITIONS.get, key="ov_edition")
years = sorted(ds.figures.loc[ds.figures["edition"] == edition, "year"].unique(), reverse=True)
years = [y for y in years if y >= 2023]
year = c3.selectbox("Year", years, key="ov_year")
stage = c4.selectbox(
    "Stage",
    ["main", "mine", "refinery", "primary", "smelter", "reserves"],
    format_func=lambda s: {"main": "Main production stage", "reserves": "Reserves"}.get(s, charts.stage_words(s).capitalize()),
    key="ov_stage",
    help="'Main production stage' takes each mineral's first published stage: mine, else primary, refinery or smelter.",
)

m = metrics_all()
m = m[(m["edition"] == edition) & (m["year"] == year)]
m = main_series(m) if stage == "main" else m[(m["stage"] == stage) & (m["product"] == "")]
minerals = ds.minerals.set_index("mineral")
if which.startswith("2025"):
    m = m[m["mineral"].map(minerals["critical_2025"]).fillna(False).astype(bool)]
elif which.startswith("2022"):
    m = m[m["mineral"].map(minerals["critical_2022"]).fillna(False).astype(bool)]

table = m.assign(
    Mineral=m["mineral"].map(mineral_name),
    Stage=m.apply(lambda r: charts.stage_words(r["stage"], r["product"]), axis=1),
    **{
        "Top country": m["top_country"].map(lambda c: countries.name(c) if isinstance(c, str) else "—"),
        "Top share": m["cr1"],
        "Top 3 share": m["cr3"],
        "HHI": m["hhi"],
        "Band": m["hhi_band"],
        "Governance-weighted HHI": m["hhi_wgi"],
        "U.S. net import reliance": [nir_text(n, f) for n, f in zip(m["nir"], m["nir_flag"], strict=True)],
        "Top import source": m["top_import_country"].map(lambda c: countries.name(c) if isinstance(c, str) else "—"),
        "Single-supplier dependency": m["single_supplier_dependency"],
        "Note": m["reason"].fillna(""),
    },
).sort_values("HHI", ascending=False, na_position="last")
cols = [
    "Mineral",
    "Stage",
    "Top country",
    "Top share",
    "Top 3 share",
    "HHI",
    "Band",
    "Governance-weighted HHI",
    "U.S. net import reliance",
    "Top import source",
    "Single-supplier dependency",
    "Note",
]
st.dataframe(
    table[cols],
    hide_index=True,
    width="stretch",
    column_config={
        "Top share": st.column_config.NumberColumn(format="percent", help="CR1: largest country's share of the sum of country rows"),
        "Top 3 share": st.column_config.NumberColumn(format="percent", help="CR3: the three largest countries' share"),
        "HHI": st.column_config.NumberColumn(
            format="%.0f",
            help="Herfindahl-Hirschman index over named countries, 0-10,000; a lower bound since 'Other countries' is left out",
        ),
        "Band": st.column_config.TextColumn(
            help="DOJ/FTC: under 1,500 unconcentrated, 1,500-2,500 moderately, over 2,500 highly concentrated"
        ),
        "Governance-weighted HHI": st.column_config.NumberColumn(
            format="%.2f", help="EU method: sum of share² x WGI scaled 0 (best) to 10 (worst); World Bank WGI 2022"
        ),
        "U.S. net import reliance": st.column_config.TextColumn(
            help="Percent of U.S. apparent consumption met by net imports (USGS); '>' is a lower bound"
        ),
        "Single-supplier dependency": st.column_config.NumberColumn(
            format="percent", help="Net import reliance x the top source's share of U.S. imports (2021-24)"
        ),
    },
)
st.caption(
    f"{len(table)} minerals. "
    + charts.source_line(ds, [edition.replace("mcs", "usgs_mcs"), "usgs_mcs2026", "wb_wgi_2023"])
    + ". U.S. import sources are 2021–24 averages (MCS 2026)."
)

st.subheader("Concentration against U.S. import reliance")
chart_rows = table.dropna(subset=["hhi"])
if len(chart_rows):
    fig, meta = build(
        charts.criticality_scatter,
        [edition.replace("mcs", "usgs_mcs"), "usgs_mcs2026", "wb_wgi_2023"],
        m=chart_rows,
        names=names(),
        year=int(year),
        stage_label="main production stage" if stage == "main" else charts.stage_words(stage),
    )
    render_chart(fig, meta, "criticality")
else:
    st.info("No mineral in this selection has a computable concentration index.")

st.subheader("Press claims beside the USGS and IEA figures")
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
    Edition=c["edition"].fillna("—"),
    Verdict=c["verdict"],
    Explanation=c["explanation"],
    Sources=c["sources"].str.replace(";", ", "),
)
st.dataframe(view[["Claim", "Claimed", "Tables", "Edition", "Verdict", "Explanation", "Sources"]], hide_index=True, width="stretch")
st.caption(charts.source_line(ds, ["article_trump_putin", "usgs_mcs2026", "usgs_mcs2025", "iea_cmd_2025"]))
