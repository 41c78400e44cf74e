"""Compare two to four scenarios side by side for chosen minerals."""

import pandas as pd
import streamlit as st

from risk import charts
from risk.scenarios import load_scenario, named_scenarios, run_scenario
from ui.common import RESULT_COLUMNS, build, caption_sources, dataset, mineral_name, names, render_chart, results_column_config
from ui.deeplink import ensure_navigation

ensure_navigation()

ds = dataset()
st.title("Compare scenarios")
st.write("Two to four scenarios side by side: how much U.S. consumption each leaves unmet, before and after offsets.")

NAMED = list(named_scenarios())
labels = {n: load_scenario(n).name for n in NAMED}
picked = st.multiselect(
    "Scenarios", NAMED, default=["china_export_ban", "china_ban_russia_deal"], format_func=labels.get, max_selections=4, key="cmp_scenarios"
)
if len(picked) < 2:
    st.info("Pick at least two scenarios to compare.")
    st.stop()


@st.cache_data(show_spinner=False)
def results(name: str) -> pd.DataFrame:
    sc = load_scenario(name)
    rows = []
    for r in run_scenario(ds, sc):
        rows.append({"scenario": sc.name, "scenario_id": sc.id, **r.to_dict(with_path=False)})
    return pd.DataFrame(rows)


table = pd.concat([results(n) for n in picked], ignore_index=True)
all_minerals = list(dict.fromkeys(table["mineral"]))
chosen = st.multiselect("Minerals", all_minerals, default=all_minerals, format_func=mineral_name, key="cmp_minerals")
table = table[table["mineral"].isin(chosen)]
if table.empty:
    st.info("Pick at least one mineral.")
    st.stop()

metric = st.radio(
    "Measure",
    ["shortfall_net", "shortfall", "accessible_supply_lost"],
    format_func={
        "shortfall_net": "U.S. shortfall after offsets",
        "shortfall": "U.S. shortfall before offsets",
        "accessible_supply_lost": "Accessible supply lost",
    }.get,
    horizontal=True,
    key="cmp_metric",
)
label = {
    "shortfall_net": "U.S. shortfall after offsets",
    "shortfall": "U.S. shortfall before offsets",
    "accessible_supply_lost": "Accessible supply lost",
}[metric]
fig, meta = build(charts.compare_bars, table=table, metric=metric, metric_label=label, names=names())
render_chart(fig, meta, "compare")

view = table.assign(mineral=table["mineral"].map(mineral_name))
st.dataframe(
    view[["scenario", "mineral", *RESULT_COLUMNS]],
    hide_index=True,
    width="stretch",
    column_config=results_column_config(),
)
caption_sources(table)
