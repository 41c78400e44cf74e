"""Briefing: the pack (PPTX and PDF) for the current scenario and chosen minerals."""

import re

import streamlit as st

from risk.scenarios import ScenarioError, describe_shocks, load_scenario, load_scenario_text, named_scenarios
from ui import exports as exports_ui
from ui.common import dataset, mineral_name, plain
from ui.deeplink import ensure_navigation

ensure_navigation()

ds = dataset()
st.title("Briefing pack")
st.write(
    "A slide deck (PPTX) and the same as a PDF: a title slide with the scenario and date, the bottom line in three "
    "sentences with ranges, one slide per chart with a one-sentence finding written from the numbers, the export "
    "controls on these minerals with their status, where each stage of their product chains is concentrated, key "
    "figures and sources. Charts are PNG at 2x; the PDF is US Letter or A4, landscape."
)

options = {}
if st.session_state.get("lab_current_yaml"):
    options["current"] = "The scenario as set in the Scenario lab"
for n in named_scenarios():
    options[n] = load_scenario(n).name + " (defaults)"
choice = st.selectbox("Scenario", list(options), format_func=options.get, key="brief_scenario")
try:
    sc = load_scenario_text(st.session_state["lab_current_yaml"], where="lab scenario") if choice == "current" else load_scenario(choice)
except ScenarioError as exc:
    st.error(plain(exc))
    st.stop()
st.caption(plain(f"{sc.name}: " + "; ".join(describe_shocks(sc))))
minerals = st.multiselect(
    "Minerals", sc.baseline.minerals, default=sc.baseline.minerals[:3], format_func=mineral_name, key="brief_minerals"
)
if not minerals:
    st.info("Pick at least one mineral.")
    st.stop()

st.subheader("What goes into the pack")
try:
    from risk.export import build_pack

    preview = build_pack(ds, sc, minerals)
except Exception as exc:
    st.error(plain(f"The preview could not be built: {exc}"))
else:
    st.markdown("**Bottom line** (the slide after the title)")
    for line in preview.bottom_line:
        st.markdown(f"- {plain(line)}")
    st.dataframe(preview.key_figures, hide_index=True, width="stretch")
    for i, item in enumerate(preview.charts):
        st.markdown(f"**{plain(item.finding)}**")
        st.plotly_chart(item.fig, theme=None, key=f"brief_preview_{i}", config={"displaylogo": False})  # as exported
    for n in preview.notes[:12]:
        st.caption(plain(n))

slug = re.sub(r"[^a-z0-9]+", "-", f"{sc.id}-{'-'.join(minerals)}-briefing".lower()).strip("-")[:100]
if not exports_ui.pack_buttons(
    ds,
    sc,
    minerals,
    st.columns([2, 2, 1]),
    key="brief",
    stem=slug,
    labels=("Download briefing (PPTX)", "Download briefing (PDF)"),
    primary=True,
):
    st.stop()
st.caption(
    "Building a pack takes a few seconds: the charts are rendered by Chromium when you click. The PDF is US Letter, "
    "landscape, unless A4 is chosen; the PPTX is 16:9."
)
