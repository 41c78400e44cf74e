"""Export controls: what is in force, suspended or unknown on a date, and the timeline of every measure."""

import datetime as dt

import pandas as pd
import streamlit as st

from risk import charts
from risk.events import for_mineral, status_on, timeline
from ui.common import build, caption_sources, dataset, events_file, mineral_name, names, plain, render_chart
from ui.deeplink import ensure_navigation

ensure_navigation()

ds = dataset()
ef = events_file()
st.title("Export controls on critical minerals")
st.write(
    "Dated export controls (China's licensing and bans since 2023, their suspensions, Indonesia's, Zimbabwe's and the DRC's "
    "measures), each checked against its official text or two reports. The status on a date follows suspension links; "
    f"after the data's last announcement ({ef.as_of}) a status is 'unknown', never a guess."
)

first = min(e.announced for e in ef.events)
qd = st.query_params.get("as_of")
try:
    default = dt.date.fromisoformat(qd) if qd else ef.as_of
except ValueError:
    st.warning(plain(f"Unknown date {qd[:20]!r} in the link; showing {ef.as_of}."))
    default = ef.as_of
default = min(max(default, first), ef.as_of)
c1, c2 = st.columns([1, 2])
as_of = c1.date_input("Status on", value=default, min_value=first, max_value=ef.as_of, key="ctl_as_of", format="YYYY-MM-DD")
minerals = sorted({m for e in ef.events for m in e.minerals}, key=mineral_name)
qm = st.query_params.get("mineral")
if qm and qm not in minerals:
    st.warning(plain(f"No export controls in the data name {qm[:40]!r}; showing every mineral."))
    qm = None
mineral = c2.selectbox(
    "Mineral",
    ["all", *minerals],
    index=(minerals.index(qm) + 1) if qm else 0,
    format_func=lambda m: "All minerals" if m == "all" else mineral_name(m),
    key="ctl_mineral",
)
st.query_params["as_of"] = as_of.isoformat()
if mineral == "all":
    st.query_params.pop("mineral", None)
else:
    st.query_params["mineral"] = mineral


@st.cache_data(show_spinner=False, max_entries=16)
def _periods(start: str, end: str) -> pd.DataFrame:
    return timeline(events_file(), start, end)


status = status_on(ef, as_of)
if mineral != "all":
    status = for_mineral(status, mineral)
view = status.assign(
    kind=status["kind"].str.replace("_", " "),
    minerals=status["minerals"].map(lambda s: ", ".join(mineral_name(m) for m in str(s).split(";") if m)),
)
cols = ["number", "title", "kind", "minerals", "destination", "effective", "status", "until", "note"]
st.dataframe(
    view[cols].fillna(""),
    hide_index=True,
    width="stretch",
    column_config={
        "number": st.column_config.TextColumn("Measure"),
        "title": st.column_config.TextColumn("What it does"),
        "kind": st.column_config.TextColumn("Kind"),
        "minerals": st.column_config.TextColumn("Minerals"),
        "destination": st.column_config.TextColumn("Destination"),
        "effective": st.column_config.TextColumn("Effective"),
        "status": st.column_config.TextColumn(f"Status on {as_of}"),
        "until": st.column_config.TextColumn("Until"),
        "note": st.column_config.TextColumn("Note"),
    },
)
caption_sources(status.assign(sources=status["sources"].str.split(";")))

st.subheader("Timeline")
periods = _periods("2019-01-01", as_of.isoformat())
if mineral != "all":
    periods = periods[periods["minerals"].str.split(";").map(lambda ms: mineral in ms)]
if periods.empty:
    st.info("No export control in the data before this date.")
else:
    fig, meta = build(charts.controls_timeline, periods=periods, names=names(), as_of=as_of.isoformat())
    render_chart(fig, meta, "controls-timeline")
