"""Scenario lab: China export ban, Russia or Ukraine deal; sliders for every parameter; the URL holds the view."""

import dataclasses
import datetime as dt
import os
import re
from html import escape as esc

import numpy as np
import pandas as pd
import streamlit as st

from risk import charts, countries
from risk.scenarios import (
    STAGE_CHOICES,
    Scenario,
    ScenarioError,
    fmt_range,
    fmt_volume,
    from_query_params,
    load_scenario,
    load_scenario_text,
    monte_carlo,
    named_scenarios,
    parameters,
    run_mineral,
    scenario_from_events,
    scenario_to_yaml,
    sweep,
    to_query_params,
    with_values,
)
from risk.vocab import stage_words
from ui.common import (
    LAB_CHARTS,
    LAB_RUNS,
    LAB_SCENARIOS,
    PREFETCH,
    build,
    caption_sources,
    counted,
    dataset,
    download_row,
    events_file,
    figures_html,
    lazy_section,
    mineral_name,
    pct,
    plain,
    render_chart,
    results_column_config,
    results_view,
)
from ui.deeplink import ensure_navigation
from ui.sliders import SliderSpec, box_values, next_step, slider_box
from ui.text_box import text_box

ensure_navigation()

ds = dataset()
NAMED = list(named_scenarios())
BASELINE = "baseline"
EVENTS = "controls"  # "Controls in force on a date", built from data/events.yaml
TOGGLES = {"lab_show_sweep": "sweep", "lab_show_all": "all"}  # widget key -> URL key ("1" when on)
VIEW_KEYS = ("mineral", "as_of", "chart", *TOGGLES.values())  # URL keys that are the view, not scenario parameters
SWEEP_OPEN = "lab_open_sweep"  # the expander that holds the two toggles: closed, they are off


def _toggle_on(key: str) -> bool:
    return bool(st.session_state.get(SWEEP_OPEN) and st.session_state.get(key))


def _run_one(yaml_text: str, mineral: str, sc: Scenario | None = None):
    """One mineral's result for this scenario, kept per process (the 512 most recent), shared and
    read-only. The key is the scenario's YAML, its canonical form; ``sc`` is the scenario that YAML
    was written from, when the caller has it (a slider move: it saves parsing the YAML back)."""
    return LAB_RUNS.get((yaml_text, mineral), lambda: run_mineral(ds, sc or load_scenario_text(yaml_text, where="scenario"), mineral))


@st.cache_data(show_spinner=False, max_entries=64)
def _sweep(yaml_text: str, mineral: str, x: str, y: str, xs: tuple, ys: tuple):
    sc = load_scenario_text(yaml_text, where="scenario")
    return sweep(ds, sc, mineral, {x: np.array(xs), y: np.array(ys)})


@st.cache_data(show_spinner=False, max_entries=64)
def _monte_carlo(yaml_text: str, mineral: str, unc: tuple):
    sc = load_scenario_text(yaml_text, where="scenario")
    return monte_carlo(ds, sc, mineral, 2_000, uncertain={p: (lo, hi) for p, lo, hi in unc})["bands"]


@st.cache_resource(show_spinner=False)
def named(name: str) -> Scenario:
    """A bundled scenario, parsed once per process (read-only; changes go through with_values)."""
    return load_scenario(name)


@st.cache_resource(show_spinner=False, max_entries=64)
def controls_scenario(day: str) -> Scenario:
    return scenario_from_events(ds, events_file(), day)


def control_dates_all() -> list[str]:
    """The dates on which a control took effect, was suspended or lapsed, and the data's as-of date."""
    ef = events_file()
    one = dt.timedelta(days=1)
    days = {ef.as_of}
    for e in ef.events:
        days |= {e.effective} | ({e.ends + one} if e.ends else set())
    return sorted(d.isoformat() for d in days if dt.date(2023, 1, 1) <= d <= ef.as_of)


def base_scenario(choice: str) -> Scenario:
    if choice == EVENTS:
        return controls_scenario(st.session_state.get("lab_as_of") or events_file().as_of.isoformat())
    if choice == BASELINE:
        sc = named("china_ban_russia_deal")
        zeroed = {p.path: p.min for p in parameters(sc) if p.path.endswith((".fraction", ".change", ".share", ".months", ".access"))}
        sc = with_values(sc, zeroed)
        return sc.model_copy(
            update={
                "id": BASELINE,
                "name": "Baseline (no shocks)",
                "description": "The baseline: every shock set to zero. Move a slider to build a scenario.",
            }
        )
    return named(choice)


st.title("Scenario lab")
qp = dict(st.query_params)
uploaded: Scenario | None = st.session_state.get("uploaded_scenario")
choices = [*NAMED, EVENTS, BASELINE] + (["uploaded"] if uploaded else [])
url_choice = qp.get("scenario", "china_export_ban")
if url_choice not in choices:
    st.error(plain(f"The link names an unknown scenario ({url_choice[:60]!r}); showing the China export ban."))
    url_choice = "china_export_ban"
labels = {n: named(n).name for n in NAMED} | {
    EVENTS: "Controls in force on a date (export-control events)",
    BASELINE: "Baseline (no shocks)",
    "uploaded": f"Uploaded: {uploaded.name}" if uploaded else "",
}
# The scenario named in the URL wins when the URL changes (a link opened, back/forward);
# otherwise the selectbox's own state does (a choice made, a scenario uploaded).
if st.session_state.get("lab_scenario") not in choices or st.session_state.get("lab_url_applied") != url_choice:
    st.session_state["lab_scenario"] = url_choice
    st.session_state["lab_url_applied"] = url_choice
choice = st.selectbox("Scenario", choices, format_func=labels.get, key="lab_scenario")
if choice == EVENTS:
    days = control_dates_all()
    want = qp.get("as_of", days[-1])
    if want not in days:
        st.warning(plain(f"The link's date {want[:20]!r} is not a date on which a control changed; showing {days[-1]}."))
        want = days[-1]
    if st.session_state.get("lab_as_of") not in days or st.session_state.get("lab_as_of_url") != qp.get("as_of"):
        st.session_state["lab_as_of"] = want
        st.session_state["lab_as_of_url"] = qp.get("as_of")
    as_of = st.select_slider(
        "Controls in force on", days, key="lab_as_of", help="Each step is a date on which a control took effect, was suspended or lapsed"
    )
    st.session_state["lab_as_of_url"] = as_of
base = uploaded if choice == "uploaded" and uploaded else base_scenario(choice)
loaded_key = f"{choice}:{st.session_state.get('lab_as_of')}" if choice == EVENTS else choice

# The mineral on view: its own full run (a choice is rarer than a slider move), so the results
# fragment below never has to redraw the selector. The scenario's own minerals come first, then
# every other mineral in the data (which it leaves alone); sliders never change the list.
mineral_options = [*base.baseline.minerals, *sorted(set(ds.minerals["mineral"]) - set(base.baseline.minerals), key=mineral_name)]
url_mineral = qp.get("mineral")
if url_mineral is not None and url_mineral not in mineral_options:
    st.warning(plain(f"Unknown mineral {url_mineral[:60]!r} in the link; showing {mineral_name(base.baseline.minerals[0])}."))
if st.session_state.get("lab_mineral") not in mineral_options or st.session_state.get("lab_mineral_url") != url_mineral:
    st.session_state["lab_mineral"] = url_mineral if url_mineral in mineral_options else base.baseline.minerals[0]
    st.session_state["lab_mineral_url"] = url_mineral
view_mineral = st.session_state["lab_mineral"]

# URL parameters seed the sliders when a scenario is (re)opened from a link
if st.session_state.get("lab_loaded") != loaded_key:
    st.session_state["lab_loaded"] = loaded_key
    start = base
    if choice == url_choice and len(qp) > 1:
        try:
            start = from_query_params({k: v for k, v in qp.items() if k not in VIEW_KEYS}, base)
        except ScenarioError as exc:
            st.error(plain(f"Some settings in the link were not applied: {exc}"))
    for p in parameters(start, view_mineral):
        st.session_state[f"p:{p.path}"] = int(p.value) if p.integer else float(p.value)
    # the parameters the link or the user set (an unset enforcement on re-exports follows the mineral)
    st.session_state["lab_set"] = {p.path for p in parameters(start) if p.explicit} - {p.path for p in parameters(base) if p.explicit}
    st.session_state["lab_param_mineral"] = view_mineral
    st.session_state["lab_stage"] = start.baseline.stage
    if choice == url_choice:  # the link's toggles (sweep heatmap, table of every mineral)
        for key, q in TOGGLES.items():
            st.session_state[key] = qp.get(q) == "1"
        if any(st.session_state[key] for key in TOGGLES):
            st.session_state[SWEEP_OPEN] = True

# Text from an uploaded scenario is escaped where it goes into Markdown (shown exactly as typed);
# the bundled scenarios' text is kept as written. The sliders' box sets its labels as text.
show = plain if choice == "uploaded" else str
st.caption(show(base.description))


mineral = st.selectbox("Mineral", mineral_options, format_func=mineral_name, key="lab_mineral")
st.session_state["lab_mineral_url"] = mineral
if mineral not in base.baseline.minerals:
    st.info(
        f"{show(base.name)} does not name {mineral_name(mineral)}: none of its restrictions or deals apply to it, "
        "only the shocks that cover every mineral (spare capacity, stocks, recycling, demand)."
    )

CHARTS = {"waterfall": "Shortfall and offsets", "suppliers": "Suppliers before and after", "timepath": "Month by month"}
_BUILDERS = {"waterfall": charts.waterfall, "suppliers": charts.supplier_shares, "timepath": charts.time_path}
if choice == url_choice and qp.get("chart") in CHARTS and st.session_state.get("lab_chart_url") != qp.get("chart"):
    st.session_state["lab_chart"] = qp["chart"]  # a link names the chart on view
st.session_state["lab_chart_url"] = qp.get("chart")
# What the fragment computed last, for the downloads below it (built when clicked, from this
# session's current scenario) and for the sweep and the table: a plain dict, read at click time
# from Streamlit's download thread.
live: dict = st.session_state.setdefault("lab_live", {})


def _mark_set(path: str) -> None:
    st.session_state.setdefault("lab_set", set()).add(path)


# The sidebar's header is written in the full run: a fragment may write to the sidebar only
# when the full run has.
st.sidebar.header("Parameters")


@counted
def lab() -> None:
    """Sliders, headline figures and the chart on view. A slider move reruns only this (as a
    fragment): the navigation, the selectors, the pack and the downloads below are not sent again.
    Each element costs about 1.5 ms on the server and more in the browser, so this sends as few
    as it can: one sidebar box of sliders whose value labels carry the unit, one element of text
    (notes, stage, figures, briefing line), one chart at a time, and the chart before the rest."""
    full_run = live.pop("run", None) == "full"  # set by the page's full run, absent in a fragment run
    base_params = parameters(base, view_mineral)
    lab_set: set = st.session_state.setdefault("lab_set", set())
    if st.session_state.get("lab_param_mineral") != view_mineral:
        # another mineral: the sliders the user has not set show that mineral's baseline default
        st.session_state["lab_param_mineral"] = view_mineral
        for p in base_params:
            if not p.explicit and p.path not in lab_set:
                st.session_state[f"p:{p.path}"] = float(p.value)

    # one box of sliders in the sidebar: one element however many (ui.sliders), where nine
    # st.sliders were nine elements re-sent and drawn again on every move
    specs = []
    for p in base_params:
        unset = not p.explicit and p.path not in lab_set
        # the box sets its labels as text (never markup), so an uploaded label needs no escaping
        label = str(p.label) + (f" (baseline default for {mineral_name(p.default_for)})" if unset and p.default_for else "")
        specs.append(
            SliderSpec(
                f"p:{p.path}",
                label,
                p.min,
                p.max,
                p.step,
                p.show,
                help=p.help,
                integer=p.integer,
                words_key=(p.min, p.max, p.step, p.unit, p.integer),
                on_change=_mark_set,
                args=(p.path,),
            )
        )
    held = box_values(specs)
    values = {p.path: held[f"p:{p.path}"] for p in base_params}
    try:
        ahead = _results(base_params, values, lab_set, full_run, {p.path: sp for p, sp in zip(base_params, specs, strict=True)})
    finally:
        # the box goes last, on every way out (an error, a rerun): the chart's message is sent
        # first, before the text and the box, and the new chart shows 4-8 ms sooner
        # (benchmarks/README, "The lab's text as one element, the chart sent first")
        slider_box(specs, key="lab_sliders", container=st.sidebar)
    # the next move's work done ahead, after this run, when this session is alone on the server
    # (ui.common.Prefetch); LAB_NO_WORK_AHEAD=1 turns it off (benchmarks/ui_breakdown.py --variant)
    if ahead is not None and os.environ.get("LAB_NO_WORK_AHEAD") != "1":
        PREFETCH.offer(ahead)


def _scenario_for(the_base, key: str, moved: dict, stage_choice: str, keep: bool = True):
    """The scenario the sliders' ``moved`` values make of ``the_base`` at ``stage_choice``, its link
    and its YAML: kept per process on (scenario ``key``, moved, stage) unless ``keep`` is False (an
    uploaded scenario is this session's own). A move and its work ahead both come here, so the
    work ahead keeps what the move will look up."""

    def make():
        sc_ = with_values(the_base, {**moved, "baseline.stage": stage_choice}, where="sliders")
        return sc_, to_query_params(sc_, the_base), scenario_to_yaml(sc_)

    return LAB_SCENARIOS.get((key, tuple(sorted(moved.items())), stage_choice), make) if keep else make()


def _chart_for(chart: str, yaml_text: str, mineral_: str, result, sc):
    """The chart on view: a function of the scenario and the mineral, kept per process like the result."""
    return LAB_CHARTS.get((chart, yaml_text, mineral_), lambda: build(_BUILDERS[chart], result=result, sc=sc))


def _ahead(path: str, value: float, moved: dict, stage_choice: str, chart: str):
    """The work of the move that sets ``path`` to ``value`` next (its scenario, result and chart,
    kept as that move would keep them), to run while the browser draws this one."""
    the_base, key, mineral_ = base, loaded_key, mineral
    moved2 = {**moved, path: value}

    def job() -> None:
        sc2, _, yaml2 = _scenario_for(the_base, key, moved2, stage_choice)
        _chart_for(chart, yaml2, mineral_, _run_one(yaml2, mineral_, sc2), sc2)

    return job


def _results(base_params, values: dict, lab_set: set, full_run: bool, specs: dict):
    """The lab's results for the sliders' ``values`` (``lab_set``: the parameters the user or the
    link set): the chart first (into its place below the figures), then the notes, the figures and
    the briefing line above it."""
    stage_choice = st.session_state.get("lab_stage") or "auto"

    # only the sliders moved off the scenario's values (or set by the user or the link) are applied:
    # an unset enforcement on re-exports keeps the baseline's default for each mineral
    defaults = {p.path: p.value for p in base_params}
    moved = {k: v for k, v in values.items() if v != defaults.get(k) or k in lab_set}

    try:
        # the same sliders on the same scenario give the same scenario, its link and its YAML: kept per
        # process on the settings (an uploaded scenario is this session's own and is not kept)
        sc, sc_qp, yaml_text = _scenario_for(base, loaded_key, moved, stage_choice, keep=choice != "uploaded")
    except ScenarioError as exc:
        st.error(plain(exc))
        st.stop()

    chart = st.session_state.get("lab_chart") or "waterfall"
    # the URL holds the view; an uploaded scenario lives only in this session, and its URL says so
    new_qp = sc_qp | {"scenario": choice, "mineral": mineral} if choice != "uploaded" else {"scenario": "uploaded"}
    if choice == EVENTS:
        new_qp["as_of"] = st.session_state["lab_as_of"]
    for key, q in TOGGLES.items():
        if _toggle_on(key):
            new_qp[q] = "1"
    if chart != "waterfall" and choice != "uploaded":
        new_qp["chart"] = chart
    if new_qp != dict(st.query_params):
        st.query_params.from_dict(new_qp)  # one message to the browser (clear and update were two)
    st.session_state["lab_chart_url"] = new_qp.get("chart")

    live.update(sc=sc, yaml=yaml_text)
    st.session_state["lab_current_yaml"] = yaml_text  # the Briefing page builds the pack for this scenario
    # Compare can add this scenario, and put it in its own link as the lab's parameters
    st.session_state["lab_current_link"] = (
        "|".join(f"{k}={v}" for k, v in new_qp.items() if k not in ("mineral", "chart", *TOGGLES.values())) if choice != "uploaded" else ""
    )
    r = _run_one(yaml_text, mineral, sc)
    live["result"] = r
    v = r.values

    def _head() -> None:
        """The notes, the stage, the six figures and the briefing line."""

        # The notes, the stage line, the six figures and the briefing line are one element of HTML
        # made here with every text escaped (ui.text_box): as markdown (st.info, st.caption and
        # two st.markdown) the browser parsed them again on every move, before it drew the chart.
        # One box of notes, not one per note; the stage note repeats the stage line below it.
        notes = [n for n in r.notes if not n.startswith("stage:")]
        parts = []
        if notes:
            items = "".join(f"<li>{esc(n[:1].upper() + n[1:])}</li>" for n in notes)
            parts.append(f'<div class="mr-notes" role="note"><ul>{items}</ul></div>')
        stage_line = f"Consumer: {countries.name(r.consumer)}. Stage: {stage_words(r.stage, r.product)} ({r.year}); {r.stage_reason}."
        parts.append(f'<p class="mr-caption">{esc(stage_line)}</p>')

        def _rng(key, kind="percent"):
            if v.get(key) is None:
                return "n/a"
            return fmt_range(v[key], v.get(f"{key}_low"), v.get(f"{key}_high"), kind, r.unit)

        def _short(key: str, value: str | None, help_: str) -> dict[str, str]:
            """The box's value, or a word or two where there is none, and its help with the whole reason."""
            if value is not None:
                return {"value": value, "help": help_}
            why = r.reasons.get(key, "")
            word = (
                "not computable"
                if why.startswith("not computable")
                else f"after month {sc.horizon_months}"
                if why.startswith("stocks last")
                else "none"
                if why.startswith("no ")
                else "n/a"
            )
            return {"value": word, "help": f"{help_}. {why[:1].upper() + why[1:]}" if why else help_}

        # the six headline figures in one element (six metrics in two rows were eight, each re-sent and
        # each a render of the page in the browser on every move)
        ex = v["stockpile_exhausted_month"]
        figs = [
            {
                "label": "Shortfall, before offsets",
                "value": _rng("shortfall"),
                "help": "Share of the consumer's baseline consumption lost "
                "(range from NIR bounds, withheld data, rounding, look-through, editions)",
            },
            {"label": "Shortfall, after offsets"}
            | _short(
                "shortfall_net",
                None if v.get("shortfall_net") is None else _rng("shortfall_net"),
                "After the deal, spare capacity and recycling at the end of the horizon",
            ),
            {"label": "Loss a year"}
            | _short(
                "loss_volume",
                None if v.get("loss_volume") is None else _rng("loss_volume", "volume"),
                "Shortfall × consumption, in the consumer's unit",
            ),
            {"label": "Stockpile runs out"}
            | _short("stockpile_exhausted_month", f"month {ex}" if ex else None, f"Over a {sc.horizon_months}-month horizon"),
            {"label": "Replacement multiple"}
            | _short(
                "replacement_multiple",
                None if v["replacement_multiple"] is None else _rng("replacement_multiple", "multiple"),
                "The loss ÷ the accessible supply outside the restricting countries and the consumer",
            ),
            {"label": "Deal replaces"}
            | _short(
                "deal_offset_share",
                None if v["deal_offset_share"] is None else _rng("deal_offset_share") + " of the loss",
                "min(deal volume, loss) ÷ loss; the deal volume is never more than the partner's output × (1 + expansion)",
            ),
        ]
        parts.append(figures_html(figs, ids="lab-figure"))
        # the briefing line and its two riders
        riders = []
        if v.get("deal_volume"):
            riders.append(f"The deal adds about {fmt_volume(v['deal_volume'], r.unit)} a year at full volume.")
        if v.get("demand_growth"):
            riders.append(
                f"Demand growth of {v['demand_growth']:.0%} is its own line: "
                f"{pct(v.get('demand_unmet'))} of baseline consumption unmet after offsets."
            )
        parts.append(f'<p class="mr-line">{esc(r.sentence)}{"".join(f"<span class=mr-rider>{esc(x)}</span>" for x in riders)}</p>')
        text_box("".join(parts), key="lab_text")

    # Above the chart in the page, sent after it (the chart's message first: see lab())
    above = st.container()
    # One chart at a time: drawing a plotly chart is the largest cost of a move in the browser
    available = [
        c
        for c, ok in (
            ("waterfall", v["shortfall"] is not None),
            ("suppliers", r.computable or v["accessible_supply_lost"] is not None),
            ("timepath", v["shortfall"] is not None),
        )
        if ok
    ]
    if not available:
        live["chart"] = None
        with above:
            _head()
        return
    if st.session_state.get("lab_chart") not in available:
        st.session_state["lab_chart"] = available[0]
    chart = st.session_state["lab_chart"]  # the selector's value (drawn above the chart, after it)
    uncertain = [u for u in st.session_state.get("lab_uncertain") or [] if u in defaults] if chart == "timepath" else []
    if uncertain:
        plist = {p.path: p for p in parameters(sc)}
        mc = _monte_carlo(yaml_text, mineral, tuple((u, plist[u].min, plist[u].max) for u in uncertain if u in plist))
        r_mc = dataclasses.replace(r, time_path=r.time_path.merge(mc, on="month"))  # the kept result stays as it is
        fig, meta = build(charts.time_path, result=r_mc, sc=sc)
    else:
        fig, meta = _chart_for(chart, yaml_text, mineral, r, sc)
    render_chart(fig, meta, chart, downloads=False)
    # a slider that moved will likely move one more step the same way (a key held, a drag): that
    # move's work is done ahead, after this run, while the browser draws this one
    ahead = None
    prev = st.session_state.get("lab_prev")
    st.session_state["lab_prev"] = (loaded_key, mineral, stage_choice, chart, dict(values))
    if choice != "uploaded" and not uncertain and prev and prev[:4] == (loaded_key, mineral, stage_choice, chart):
        changed = [k for k in values if values[k] != prev[4].get(k)]
        if len(changed) == 1 and changed[0] in specs:
            nxt = next_step(specs[changed[0]], prev[4][changed[0]], values[changed[0]])
            if nxt is not None:
                ahead = _ahead(changed[0], nxt, moved, stage_choice, chart)
    with above:
        _head()
        st.segmented_control("Chart", available, format_func=CHARTS.get, required=True, key="lab_chart", label_visibility="collapsed")
    live.update(fig=fig, meta=meta, chart=chart)
    if not full_run and st.session_state.get("lab_rows_drawn") != chart:
        # another chart on view: its download row (outside the fragment) is drawn by a full run
        st.rerun(scope="app")
    return ahead


# The sweep and the table of every mineral rerun the scenario many times: when either is on, a
# slider move runs the whole page (they follow every move); otherwise only the fragment runs.
heavy = any(_toggle_on(k) for k in TOGGLES)
live["run"] = "full"
(lab if heavy else st.fragment(lab))()

if live.get("chart"):
    # the chart's downloads, outside the fragment: each file is built when clicked from the chart
    # the sliders show at that moment, so a slider move need not send the row again
    download_row(live["meta"], live["chart"], lambda: (live["fig"], live["meta"]))
st.session_state["lab_rows_drawn"] = live.get("chart")

with st.sidebar:
    params_now = parameters(base, view_mineral)
    st.selectbox(
        "Supply stage",
        STAGE_CHOICES,
        format_func=lambda s_: "choke point (from the baseline data)" if s_ == "auto" else stage_words(s_),
        key="lab_stage",
        help="The stage whose world supply a restriction bites on; the default is each mineral's choke point, with its reason",
    )
    st.multiselect(
        "Uncertain parameters (Monte Carlo bands on the time path)",
        [p.path for p in params_now if p.path.startswith("shocks.")],
        format_func=lambda path: next((show(p.label) for p in params_now if p.path == path), path),
        key="lab_uncertain",
        help="Each marked parameter is drawn uniformly over its slider's range, 2,000 draws; the bands show on the Month by month chart",
    )
    if st.button("Reset to the scenario's defaults"):
        st.session_state.pop("lab_loaded", None)
        st.query_params.clear()
        st.query_params["scenario"] = choice
        st.rerun()

sc = live["sc"]
r = live["result"]


def _on_upload() -> None:
    """Validate an uploaded scenario before the page runs, and switch to it when it is valid."""
    up = st.session_state.get("lab_upload")
    if up is None:
        return
    try:
        loaded = load_scenario_text(up.getvalue(), where=up.name)
        known = set(ds.minerals["mineral"])
        unknown = [m for m in loaded.baseline.minerals if m not in known]
        if unknown:
            raise ScenarioError(f"{up.name}: baseline.minerals: unknown mineral(s) {', '.join(unknown)}")
    except ScenarioError as exc:
        st.session_state["lab_upload_error"] = str(exc)
        return
    st.session_state["uploaded_scenario"] = loaded
    st.session_state["lab_scenario"] = "uploaded"
    st.session_state.pop("lab_upload_error", None)
    st.session_state.pop("lab_loaded", None)


def _sweep_and_table() -> None:
    # Sweep: the first restriction's fraction against the deal's expansion (or spare capacity)
    paths = {p.path: p for p in parameters(sc)}
    xp = next((k for k in paths if k.endswith(".fraction")), None)
    yp = next((k for k in paths if k.endswith(".change")), None) or next((k for k in paths if k.endswith(".share")), None)
    st.caption("Both rerun the scenario many times; switch them on when you need them (each slider move then takes longer).")
    toggles = st.container(horizontal=True, gap="large")
    show_sweep = toggles.toggle("Sweep heatmap: ban fraction against deal size", key="lab_show_sweep")
    show_all = toggles.toggle("Table of every mineral in this scenario", key="lab_show_all")
    if show_sweep and not (xp and yp and r.computable):
        st.info("This scenario and mineral have no restriction and deal parameters to sweep.")
    if show_sweep and xp and yp and r.computable:
        xs = tuple(np.round(np.linspace(paths[xp].min, min(paths[xp].max, 1.0), 21), 4))
        ys = tuple(np.round(np.linspace(0.0, min(paths[yp].max, 2.0), 21), 4))
        df = _sweep(live["yaml"], mineral, xp, yp, xs, ys)
        fig, meta = build(
            charts.sweep_heatmap,
            df=df,
            x=xp,
            y=yp,
            z="shortfall_net",
            x_label=paths[xp].label,
            y_label=paths[yp].label,
            result=r,
            sc=sc,
        )
        render_chart(fig, meta, "sweep")

    if show_all:
        results = {m: _run_one(live["yaml"], m) for m in sc.baseline.minerals}  # the selected mineral comes from the cache
        table = pd.DataFrame([x.to_dict(with_path=False) for x in results.values()])
        table["mineral"] = table["mineral"].map(mineral_name)
        table["top_supplier_after"] = table["top_supplier_after"].map(lambda c: countries.name(c) if isinstance(c, str) else "—")
        st.dataframe(
            results_view(table.assign(stage=table["stage"].map(stage_words)), ["mineral", "stage", "year"]).assign(
                top_supplier_after=table["top_supplier_after"]
            ),
            hide_index=True,
            width="stretch",
            column_config=results_column_config(),
        )
        caption_sources(table)


def _references() -> None:
    if base.references:  # one element, one reference a line
        st.text("\n".join(base.references))
    else:
        st.caption("This scenario lists no references.")


# Below here nothing follows a slider move on screen: each download is built when clicked, from
# the scenario the sliders hold at that moment (``live``)
def _pack() -> None:
    pack_minerals = st.multiselect(
        "Minerals in the pack", mineral_options, default=[mineral], format_func=mineral_name, key="lab_pack_minerals"
    )
    if pack_minerals:
        from ui import exports as exports_ui

        stem = re.sub(r"[^a-z0-9]+", "-", f"{base.id}-{'-'.join(pack_minerals)}-briefing".lower()).strip("-")[:100]
        if exports_ui.pack_buttons(ds, lambda: live["sc"], pack_minerals, [st.container(horizontal=True)] * 3, key="lab_pack", stem=stem):
            st.caption(
                "Title slide, the bottom line in three sentences, one slide per chart with its finding, the export controls on these "
                "minerals, their product chains, key figures, sources. PDF on US Letter or A4."
            )


def _save_load() -> None:
    st.download_button(
        "Download scenario (YAML)",
        data=lambda: live["yaml"].encode(),
        file_name=f"{base.id}.yaml",
        mime="application/x-yaml",
        on_click="ignore",
        help="The scenario as the sliders hold it when you click",
    )
    st.file_uploader("Load a scenario (YAML)", type=["yaml", "yml"], key="lab_upload", max_upload_size=1, on_change=_on_upload)
    if st.session_state.get("lab_upload_error"):
        st.error(plain(st.session_state["lab_upload_error"]))


# Each section below the chart is a closed expander until the analyst opens it, and its content
# is sent only while it is open (ui.common.lazy_section).
SECTIONS = (
    ("Sweep and all minerals", SWEEP_OPEN, _sweep_and_table),
    ("Scenario sources and references", "lab_open_refs", _references),
    ("Briefing pack for this scenario", "lab_open_pack", _pack),
    ("Save or load this scenario", "lab_open_save", _save_load),
)
for label, key, body in SECTIONS:
    if section := lazy_section(label, key):
        with section:
            body()
