"""Compare two to four scenarios side by side for chosen minerals."""

import pandas as pd
import streamlit as st

from risk import charts
from risk.scenarios import (
    ScenarioError,
    from_query_params,
    load_scenario,
    load_scenario_text,
    named_scenarios,
    run_scenario,
    scenario_to_yaml,
)
from ui.common import (
    build_once,
    caption_sources,
    counted,
    dataset,
    mineral_name,
    names,
    plain,
    render_chart,
    results_column_config,
    results_view,
)
from ui.deeplink import ensure_navigation
from ui.links import link_box, linked

ensure_navigation()

ds = dataset()
st.title("Compare scenarios")
st.write("Two to four scenarios side by side: how much U.S. consumption each leaves unmet, before and after offsets.")

NAMED = list(named_scenarios())
labels = {n: load_scenario(n).name for n in NAMED}
LAB = "lab"  # the scenario as set in the Scenario lab, carried in the link as its parameters


def _lab_scenario(link: str):
    """The lab's scenario from its parameters (``scenario=china_export_ban|shocks.0.fraction=0.5``)."""
    params = dict(part.split("=", 1) for part in link.split("|") if "=" in part)
    name = params.pop("scenario", "")
    if name == "controls":
        from risk.events import load_events
        from risk.scenarios import scenario_from_events

        base = scenario_from_events(ds, load_events(), params.pop("as_of", ""))
    elif name in NAMED:
        base = load_scenario(name)
    else:
        raise ScenarioError(f"lab: unknown scenario {name[:40]!r}")
    sc = from_query_params({k: v for k, v in params.items() if k != "as_of"}, base)
    return sc.model_copy(update={"name": f"{base.name} (as set in the lab)", "id": "lab"})


lab_link = st.query_params.get("lab") or st.session_state.get("lab_current_link") or ""
lab_sc = None
if lab_link:
    try:
        lab_sc = _lab_scenario(lab_link)
    except (ScenarioError, ValueError) as exc:
        st.warning(plain(f"The scenario from the lab in the link could not be rebuilt: {exc}"))
options = NAMED + ([LAB] if lab_sc is not None else [])
labels[LAB] = lab_sc.name if lab_sc is not None else "The scenario as set in the lab"
wanted = [x for x in st.query_params.get("scenarios", "").split(",") if x]
unknown = [x for x in wanted if x not in options]
if unknown:
    st.warning(plain(f"Unknown scenario(s) in the link: {', '.join(unknown)[:80]}; left out."))
if "cmp_scenarios" not in st.session_state or st.session_state.get("_cmp_link") != st.query_params.get("scenarios"):
    st.session_state["cmp_scenarios"] = [x for x in wanted if x in options] or ["china_export_ban", "china_ban_russia_deal"]
picked = st.multiselect("Scenarios", options, format_func=labels.get, max_selections=4, key="cmp_scenarios")
if lab_sc is None:
    st.caption("Set up a scenario in the Scenario lab and it can be added here.")
st.query_params["scenarios"] = ",".join(picked)
st.session_state["_cmp_link"] = ",".join(picked)
if LAB in picked:
    st.query_params["lab"] = lab_link
else:
    st.query_params.pop("lab", None)
if len(picked) < 2:
    st.info("Pick at least two scenarios to compare.")
    st.stop()


@st.cache_data(show_spinner=False, max_entries=64)
def results(yaml_text: str) -> pd.DataFrame:
    sc = load_scenario_text(yaml_text, where="scenario")
    rows = []
    for r in run_scenario(ds, sc):
        rows.append({"scenario": sc.name, "scenario_id": sc.id, **r.to_dict(with_path=False)})
    return pd.DataFrame(rows)


table = pd.concat([results(scenario_to_yaml(lab_sc if n == LAB else load_scenario(n))) for n in picked], ignore_index=True)
all_minerals = list(dict.fromkeys(table["mineral"]))
want_m = [m for m in st.query_params.get("minerals", "").split(",") if m]
if want_m and [m for m in want_m if m not in all_minerals]:
    st.warning(
        plain(f"Minerals in the link not in these scenarios: {', '.join(m for m in want_m if m not in all_minerals)[:80]}; left out.")
    )
if "cmp_minerals" not in st.session_state or st.session_state.get("_cmp_min_link") != st.query_params.get("minerals"):
    st.session_state["cmp_minerals"] = [m for m in want_m if m in all_minerals] or all_minerals
st.session_state["cmp_minerals"] = [m for m in st.session_state["cmp_minerals"] if m in all_minerals] or all_minerals
chosen = st.multiselect("Minerals", all_minerals, format_func=mineral_name, key="cmp_minerals")
st.query_params["minerals"] = ",".join(chosen)
st.session_state["_cmp_min_link"] = ",".join(chosen)
table = table[table["mineral"].isin(chosen)]
if table.empty:
    st.info("Pick at least one mineral.")
    st.stop()

MEASURES = {
    "shortfall_net": "U.S. shortfall after offsets",
    "shortfall": "U.S. shortfall before offsets",
    "accessible_supply_lost": "Accessible supply lost",
}


@st.fragment
@counted
def by_measure(table: pd.DataFrame) -> None:
    """The measure's chart and its missing bars: a change of measure reruns only this (the table
    below shows every measure)."""
    metric = linked(st.radio, "Measure", list(MEASURES), key="cmp_metric", param="measure", format_func=MEASURES.get, horizontal=True)
    label = MEASURES[metric]
    # the table is the picked scenarios (the lab's as its link) run on the bundled data, for the
    # chosen minerals: a measure seen before in this selection is not built again
    key = (tuple(picked), lab_link if LAB in picked else "", tuple(chosen), metric)
    fig, meta = build_once(key, charts.compare_bars, table=table, metric=metric, metric_label=label, names=names())
    render_chart(fig, meta, "compare")
    missing = table[table[metric].isna()] if metric in table.columns else table.iloc[0:0]
    if len(missing):
        lines = []
        for _, row in missing.iterrows():
            reasons = row.get("reasons") or {}
            # the measure's own reason first (after offsets: why the offsets cannot be set against
            # the loss), then the shortfall's, which every measure depends on
            why = reasons.get(metric) or reasons.get(metric.replace("_net", "")) or reasons.get("shortfall") or "not computable"
            lines.append(f"- {plain(row['scenario'])}, {mineral_name(row['mineral'])}: no bar; {plain(why)}")
        st.markdown("**Missing bars**\n" + "\n".join(lines))


by_measure(table)

view = table.assign(mineral=table["mineral"].map(mineral_name))
st.dataframe(
    results_view(view, ["scenario", "mineral"]),
    hide_index=True,
    width="stretch",
    column_config=results_column_config(),
)
caption_sources(table)

link_box()
