"""Data and sources: the figures with their flags, every source, and the validation report."""

import streamlit as st

from risk import countries
from risk.dataset import validation_report
from risk.export_data import to_csv_bytes
from risk.trade import usgs_beside_baci
from risk.vocab import EDITIONS, edition_label
from ui.common import caption_sources, column_config, dataset, hs_codes, mineral_name, plain, trade, trade_span
from ui.deeplink import ensure_navigation

ensure_navigation()

ds = dataset()
st.title("Data and sources")
st.write(
    "Every number in this dashboard comes from the tables below, each tied to its source. "
    "Flags say where a value is estimated, withheld, a lower bound or an IEA projection."
)

summary = ds.summary()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Commodities with world tables (MCS 2026)", summary["commodities_mcs2026"])
c2.metric("Series", f"{summary['series']:,}")
c3.metric("Figures", f"{summary['figures'] + summary['us_figures']:,}")
c4.metric("Sources", summary["sources"])

st.subheader("Figures")
minerals = ds.minerals.set_index("mineral")["name"].to_dict()
with_world = sorted(ds.figures["mineral"].unique(), key=lambda m: minerals.get(m, m))
col_m, col_e = st.columns([2, 1])
mineral = col_m.selectbox(
    "Mineral",
    with_world,
    index=with_world.index("rare_earths") if "rare_earths" in with_world else 0,
    format_func=lambda m: minerals.get(m, m),
)
_have = set(ds.figures.loc[ds.figures["mineral"] == mineral, "edition"].unique())
editions = [e for e in EDITIONS if e in _have]
edition = col_e.selectbox("Edition", editions, format_func=edition_label)

f = ds.figures[(ds.figures["mineral"] == mineral) & (ds.figures["edition"] == edition)].copy()
f["country name"] = f["country"].map(countries.name)
view = f[["stage", "product", "country", "country name", "year", "value", "unit", "flag", "raw", "note"]]
number = st.column_config.NumberColumn(format="localized")
st.dataframe(view.fillna({"raw": "", "note": ""}), hide_index=True, width="stretch", column_config={"value": number})
caption_sources(f)
st.download_button(
    "Download these figures (CSV)",
    data=lambda: to_csv_bytes(view, sources=[ds.sources[s] for s in f["source"].unique()]),
    file_name=f"{mineral}-{edition}-figures.csv",
    mime="text/csv",
)

us = ds.us[ds.us["mineral"] == mineral]
if len(us):
    st.subheader("U.S. net import reliance and import sources")
    st.dataframe(
        us[["measure", "detail", "primary", "country", "year", "period", "value", "unit", "flag", "raw", "note"]].fillna(
            {"period": "", "raw": "", "note": ""}
        ),
        hide_index=True,
        width="stretch",
        column_config={"value": number},
    )
    caption_sources(us)

st.subheader("U.S. import sources: USGS beside CEPII BACI, 2021–24")
st.write(
    "USGS's import sources come from U.S. Census data, often by quantity and for the product set of its chapter; "
    "BACI reconciles both partners' declarations (mirror data) and is by value here, for the HS 1992 codes mapped in "
    "data/trade_products.yaml. Several points of difference are normal; large ones usually mean a different product "
    "scope (antimony: BACI maps ores only, USGS counts oxide and metal)."
)
_flows, mapping, _groups = trade()
both = usgs_beside_baci(ds.us, trade_span(2021, 2024), sorted(set(mapping.minerals)), 2021, 2024)
if len(both):
    codes = {m: hs_codes(m) for m in both["mineral"]}
    view = both.assign(
        mineral=both["mineral"].map(mineral_name),
        hs_codes=both["mineral"].map(codes),
        usgs_top_source=both["usgs_top_source"].map(countries.name),
        baci_top_source=both["baci_top_source"].map(countries.name),
    )
    cols = ["mineral", "usgs_top_source", "usgs_top_share", "baci_share_of_usgs_top", "baci_top_source", "baci_top_share"]
    cols += ["usgs_china_share", "baci_china_share", "china_difference", "hs_codes"]
    st.dataframe(view[cols], hide_index=True, width="stretch", column_config=column_config(cols))
    caption_sources(both)

st.subheader("Sources")
for s in ds.sources.values():
    with st.expander(f"{s.publisher}: {s.title}"):
        st.markdown(f"**Edition:** {s.edition}  \n**Licence:** {s.licence}  \n**Accessed:** {s.accessed}")
        st.markdown(f"**Link:** {('https://doi.org/' + s.doi) if s.doi else s.url}")
        st.text(s.citation)
        if s.notes:
            st.caption(s.notes)

st.subheader("Validation report")
st.caption("Produced by `python -m risk validate` on the bundled data.")
st.code(validation_report(ds), language=None)

st.subheader("Add a USGS data-release file for this session")
st.write(
    "Upload a USGS Mineral Commodity Summaries data-release CSV (the MCS 2026 long table or the MCS 2025 world "
    "table) to see its figures and concentration metrics here. It is validated first, used only in your session, "
    "and never changes the bundled data."
)
up = st.file_uploader("USGS MCS data-release CSV", type=["csv"], key="data_upload", max_upload_size=20)
if up is not None:
    from risk.dataset import figures_from_docs
    from risk.importers.common import ImportFailure
    from risk.importers.upload import import_upload

    try:
        edition, docs = import_upload(up.getvalue(), up.name)
    except ImportFailure as exc:
        st.error(plain(f"This file was not loaded: {exc}"))
    else:
        figs = figures_from_docs(docs)
        st.session_state["uploaded_figures"] = figs
        st.success(plain(f"Read {up.name}: {len(docs)} minerals, {len(figs):,} figures (session only)."))
if "uploaded_figures" in st.session_state:
    figs = st.session_state["uploaded_figures"]
    from risk.metrics import concentration

    conc = concentration(figs, ds.wgi)
    st.dataframe(
        conc[["mineral", "stage", "product", "year", "unit", "top_country", "cr1", "hhi", "hhi_band", "reason"]].fillna({"reason": ""}),
        hide_index=True,
        width="stretch",
        column_config=column_config(["mineral", "stage", "product", "year", "unit", "top_country", "cr1", "hhi", "hhi_band", "reason"]),
    )
    st.caption("Uploaded by you in this session; figures keep the file's values and flags. Concentration per the Methodology page.")
