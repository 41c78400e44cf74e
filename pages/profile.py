"""Mineral profile: where one mineral is produced, refined and held in reserve, and U.S. exposure."""

import streamlit as st

from risk import charts, countries
from risk.metrics import dependency_by_country, prices, shares
from risk.trade import TradeQueryError, exposure, usgs_beside_baci, yearly_import_sources
from risk.vocab import (
    CURRENT_EDITION,
    NON_PRODUCTION_STAGES,
    PREVIOUS_EDITION,
    edition_label,
    flag_words,
    fmt_value,
    product_words,
    stage_words,
)
from ui.common import (
    CONSUMERS,
    YEAR_VIEWS,
    build_once,
    caption_sources,
    chains_for,
    column_config,
    consumer_name,
    control_dates,
    counted,
    dataset,
    hs_codes,
    lazy_section,
    metrics_all,
    mineral_name,
    nir_text,
    pct,
    plain,
    render_chart,
    trade,
    trade_span,
)
from ui.deeplink import ensure_navigation
from ui.links import link_box, linked, linked_tabs

ensure_navigation()

ds = dataset()
with_world = sorted(ds.figures["mineral"].unique(), key=mineral_name)
us_only = sorted(set(ds.us["mineral"]) - set(with_world), key=mineral_name)
salient_only = sorted(set(ds.salient["mineral"]) - set(with_world) - set(us_only), key=mineral_name)
options = with_world + us_only + salient_only
default = st.query_params.get("mineral", "rare_earths")
if default not in options:
    st.warning(plain(f"Unknown mineral {default[:60]!r} in the link; showing rare earths."))
    default = "rare_earths"
mineral = st.selectbox("Mineral", options, index=options.index(default), format_func=mineral_name, key="pf_mineral")
st.query_params["mineral"] = mineral
name = mineral_name(mineral)
st.title(f"{name}: supply and U.S. exposure")

f = ds.figures[ds.figures["mineral"] == mineral]
us = ds.us[ds.us["mineral"] == mineral]
m = metrics_all()
m = m[m["mineral"] == mineral]

# Headline numbers (latest MCS 2026 main stage)
head = m[(m["edition"] == CURRENT_EDITION) & ~m["stage"].isin(NON_PRODUCTION_STAGES) & (m["product"] == "")].sort_values("year")
c1, c2, c3, c4 = st.columns(4)
if len(head):
    h = head.iloc[-1]
    c1.metric(
        f"Top producer ({int(h['year'])})",
        countries.name(h["top_country"]) if isinstance(h["top_country"], str) else "n/a",
        f"{pct(h['cr1'])} of world {stage_words(h['stage'])}" if h["cr1"] == h["cr1"] else None,
        delta_color="off",
        delta_arrow="off",
    )
    c2.metric(
        "Concentration (HHI)",
        f"{h['hhi']:,.0f}" if h["hhi"] == h["hhi"] else "n/a",
        h["hhi_band"] if isinstance(h["hhi_band"], str) else None,
        delta_color="off",
        delta_arrow="off",
    )
    c3.metric("U.S. net import reliance", nir_text(h["nir"], h["nir_flag"]))
    c4.metric(
        "Dependency on top import source",
        fmt_value(h["single_supplier_dependency"], h["dependency_flag"], percent=True),
        countries.name(h["top_import_country"]) if isinstance(h["top_import_country"], str) else None,
        delta_color="off",
        delta_arrow="off",
    )
elif mineral in salient_only:
    st.info(f"USGS MCS 2026 publishes only U.S. salient statistics for {name} (prices, trade); no world table or net import reliance.")
elif len(us):
    dep = dependency_by_country(ds.us, mineral)
    c3.metric("U.S. net import reliance", nir_text(dep["nir"].iloc[0], dep["nir_flag"].iloc[0]) if len(dep) else "n/a")
    st.info(f"No world production for {name} in USGS MCS 2026 (withheld or not available); U.S. figures below.")
if len(head) and h["total"] == h["total"]:
    denominator = f"Shares are of the sum of country rows ({h['total']:,.0f} {h['unit']}, 'Other countries' included)"
    if h["world_total"] == h["world_total"] and abs(h["world_total"] - h["total"]) > 0.5:
        denominator += f"; USGS publishes a rounded world total of {fmt_value(h['world_total'], h['world_total_flag'], unit=h['unit'])}"
    st.caption(denominator + ".")
    caption_sources(head.tail(1))
elif len(head):
    st.caption(f"No shares or concentration: {str(h['reason']).removeprefix('not computable: ')}.")
    caption_sources(head.tail(1))
else:
    caption_sources(us)

# The sections below the headline figures are tabs, and only the open tab's content is sent
# (ui.links.linked_tabs): the page had 30 elements and nine charts, each redrawn by the
# browser on every change of year (benchmarks/README, "The profile in tabs").
pr = prices(ds, mineral)
flows, mapping, groups = trade()
chains = chains_for(mineral)
ALL_TABS = (
    ("production", "Where it is produced", len(f) > 0, "no world production figures in the USGS tables"),
    ("us", "U.S. imports", len(us) > 0, "no U.S. import figures in the USGS tables"),
    ("prices", "Prices", len(pr) > 0, "no USGS price series"),
    ("trade", "Trade over time (BACI)", mineral in set(mapping.minerals), "no BACI product mapped to it (data/trade_products.yaml)"),
    ("chain", "Product chain", len(chains) > 0, "no product chain in data/chains.yaml"),
    ("sources", "Sources and flags", True, ""),
)
TABS = {k: v for k, v, ok, _ in ALL_TABS if ok}
# a link naming a tab this mineral does not have says why
ABSENT = {k: f"{mineral_name(mineral)} has no tab '{v}': {why}" for k, v, ok, why in ALL_TABS if not ok}
# a link that names an importer or a trade measure opens the trade tab
tab, box = linked_tabs(TABS, key="pf_tab", open_first="trade" if {"consumer", "trade"} & set(st.query_params) else None, absent=ABSENT)

if tab == "production":
    with box:
        # Series with at least one country figure; MCS 2025 only where MCS 2026 publishes no world table
        has_country = f[(f["country"] != "WLD") & f["value"].notna()]["series"].unique()
        series = f[["edition", "stage", "product", "series"]].drop_duplicates()
        current = series[series["edition"] != PREVIOUS_EDITION]
        older_only = current.empty and not series.empty
        if older_only:
            current = series
        if len(current):
            labels = {r.series: f"{edition_label(r.edition)}: {stage_words(r.stage, r.product)}" for r in current.itertuples()}
            order = sorted(
                labels, key=lambda s: (s not in has_country, not s.startswith(CURRENT_EDITION), "reserves" in s, "capacity" in s, s)
            )
            no_country = [labels[x] for x in order if x not in has_country]
            if no_country and len(no_country) < len(order):
                st.info(f"No country figures for {name} in: {'; '.join(no_country)} (a world total or withheld entries only).")
            sid = linked(st.radio, "Series", order, key="pf_series", param="series", format_func=labels.get, horizontal=True)
            sf = f[f["series"] == sid]
            obs = sf[sf["flag"] != "projection"]
            years = sorted(obs["year"].unique() if len(obs) else sf["year"].unique(), reverse=True)
            years = [int(y) for y in years]
            r0 = sf.iloc[0]  # a series is one edition, stage, product and unit

            SHARE_VIEWS = {"bar": "Bar chart by country", "map": "World map"}

            def _year_view(sf, year: int) -> dict:
                """What the Year section shows for one year of the series ``sf``: the shares and the chart's
                labels, the note when no country has a figure, the withheld entries and the world total."""
                sy = sf[sf["year"] == year]
                r0 = sy.iloc[0]
                sh = shares(sy)
                edition = r0["edition"]
                kw = dict(
                    mineral_name=name,
                    stage=r0["stage"],
                    product=r0["product"],
                    year=year,
                    unit=r0["unit"],
                    edition_label=edition_label(edition),
                )
                named = bool(len(sh[(sh["country"] != "WLD") & sh["share"].notna()]))
                none = (
                    f"{edition_label(edition)} gives no country figures for {name} "
                    f"({stage_words(r0['stage'], r0['product'])}, {year}): only a world total or withheld entries, "
                    "so no shares or concentration can be computed."
                )
                withheld = sy[sy["value"].isna() & (sy["country"] != "WLD")]
                withheld_text = (
                    "Withheld or not available: "
                    + ", ".join(
                        f"{countries.name(c)} ({r if isinstance(r, str) and r else flag_words(fl)})"
                        for c, r, fl in zip(withheld["country"], withheld["raw"], withheld["flag"], strict=True)
                    )
                    if len(withheld)
                    else ""
                )
                world = sy[sy["country"] == "WLD"]
                world_text = ""
                if len(world):
                    w = world.iloc[0]
                    if isinstance(w["raw"], str):
                        published = f"{w['raw']} {r0['unit']}" + (f" ({flag_words(w['flag'])})" if flag_words(w["flag"]) else "")
                    else:
                        published = fmt_value(w["value"], w["flag"], unit=r0["unit"])
                        published += f" ({flag_words(w['flag'])})" if w["flag"] in ("estimated", "range") else ""
                    world_text = f"Published world total: {published}." + (
                        f" Shares are of the sum of country rows, {sh['value'].sum():,.0f} {r0['unit']}, 'Other countries' included. "
                        "HHI leaves 'Other countries' out and is a lower bound."
                        if named
                        else ""
                    )
                return {
                    "edition": edition,
                    "shares": sh,
                    "kw": kw,
                    "named": named,
                    "none": none,
                    "withheld": withheld_text,
                    "world": world_text,
                }

            @st.fragment
            @counted
            def produced_in(sf, years: list[int]) -> None:
                """The year's shares, as a bar chart or a map, and what the year withholds: a change of year
                reruns only this (the page's other eight charts do not depend on it)."""
                year = linked(st.selectbox, "Year", years, key="pf_year", param="year") if len(years) > 1 else years[0]
                # the year's shares, its withheld entries and its world total, worked out once per process
                # (a change of year spent 8 ms of its 11 on the server filtering and summing them again)
                yv = YEAR_VIEWS.get((mineral, sid, int(year)), lambda: _year_view(sf, int(year)))
                if yv["named"]:
                    # one chart at a time, the bar or the map of the same shares: a change of year draws
                    # one plotly chart, not two (the map's was 14% of the move; benchmarks/README)
                    view = linked(
                        st.segmented_control,
                        "Shares as",
                        list(SHARE_VIEWS),
                        key="pf_shares_view",
                        param="view",
                        format_func=SHARE_VIEWS.get,
                        required=True,
                        label_visibility="collapsed",
                    )
                    builder = charts.world_map if view == "map" else charts.share_bar
                    fig, meta = build_once((mineral, sid, yv["edition"], int(year)), builder, shares=yv["shares"], **yv["kw"])
                    render_chart(fig, meta, view)
                else:
                    st.info(yv["none"])
                if yv["withheld"]:
                    st.warning(yv["withheld"])
                if yv["world"]:
                    st.caption(yv["world"])

            produced_in(sf, years)
            edition = r0["edition"]

            # revisions between editions (same year in both)
            f25 = f[(f["edition"] == PREVIOUS_EDITION) & (f["stage"] == r0["stage"]) & (f["product"] == r0["product"])]
            f26 = f[(f["edition"] == CURRENT_EDITION) & (f["stage"] == r0["stage"]) & (f["product"] == r0["product"])]
            common = sorted(set(f25["year"]) & set(f26["year"]))
            if edition == CURRENT_EDITION and common:
                st.subheader("What changed between MCS 2025 and MCS 2026")
                y = common[-1]
                fig, meta = build_once(
                    (mineral, r0["stage"], r0["product"], int(y)),
                    charts.edition_revisions,
                    old=f25[f25["year"] == y],
                    new=f26[f26["year"] == y],
                    mineral_name=name,
                    stage=r0["stage"],
                    year=int(y),
                    unit=r0["unit"],
                )
                render_chart(fig, meta, "revisions")

if tab == "us":
    with box:
        if len(us):
            st.subheader("U.S. import sources and net import reliance")
            if (us["measure"] == "import_sources").any():
                fig, meta = build_once((mineral,), charts.import_sources_bar, us=us, mineral_name=name)
                render_chart(fig, meta, "imports")
            if (us["measure"] == "net_import_reliance").any():
                fig, meta = build_once((mineral,), charts.nir_trend, us=us, mineral_name=name)
                render_chart(fig, meta, "nir")
            dep = dependency_by_country(ds.us, mineral)
            if len(dep):
                st.dataframe(
                    dep.assign(
                        country=dep["country"].map(countries.name),
                        nir=[nir_text(v, fl) for v, fl in zip(dep["nir"], dep["nir_flag"], strict=True)],
                        dependency=[
                            fmt_value(v, fl, percent=True) for v, fl in zip(dep["dependency"], dep["dependency_flag"], strict=True)
                        ],
                    )[["country", "import_share", "nir", "dependency"]],
                    hide_index=True,
                    column_config=column_config(["country", "import_share", "nir", "dependency"]),
                )
                caption_sources(dep)

# ----------------------------------------------------------------------------------------------
# Prices (USGS salient statistics), with export controls marked
if tab == "prices":
    with box:
        if len(pr):
            fig, meta = build_once((mineral,), charts.price_history, prices=pr, mineral_name=name, events=control_dates(mineral))
            render_chart(fig, meta, "prices")

# ----------------------------------------------------------------------------------------------
# Trade: any importer's sourcing 1995-2024 and the origin's share through third countries (BACI)
if tab == "trade":
    with box:
        if mineral in set(mapping.minerals):
            st.subheader("Imports by source over time (CEPII BACI)")
            first, last = (int(y) for y in flows.attrs["years"])
            known = set(flows["importer"].astype(str).unique()) | set(groups)
            qc = st.query_params.get("consumer", "USA")
            options = [*CONSUMERS, *([qc] if qc in known and qc not in CONSUMERS else [])]
            t1, t2, t3 = st.columns([2, 2, 3])
            consumer = linked(
                t1.selectbox, "Importer", options, key="pf_consumer", param="consumer", default="USA", format_func=consumer_name
            )
            measure = linked(
                t2.radio,
                "Show",
                ["share_value", "value_kusd"],
                key="pf_trade_measure",
                param="trade",
                format_func={"share_value": "Share", "value_kusd": "Value"}.get,
                horizontal=True,
            )
            span = t3.slider("Years for the origin shares", first, last, (max(first, last - 3), last), key="pf_trade_span")
            yearly = yearly_import_sources(flows, consumer, mineral, groups=groups)
            codes = hs_codes(mineral)
            if yearly.empty:
                st.info(f"{consumer_name(consumer)} reports no imports of {name} (HS {codes}) in {first}–{last}.")
            else:
                fig, meta = build_once(
                    (mineral, consumer, measure),
                    charts.import_history,
                    yearly=yearly,
                    importer_name=consumer_name(consumer),
                    mineral_name=name,
                    measure=measure,
                    events=control_dates(mineral),
                )
                render_chart(fig, meta, "trade-history")
                try:
                    exp = exposure(trade_span(*span), consumer, "CHN", mineral, span[0], span[1], groups=groups)
                except TradeQueryError as exc:
                    st.info(plain(str(exc)))
                else:
                    if consumer != "CHN":
                        fig, meta = build_once(
                            (mineral, consumer, *span),
                            charts.origin_shares,
                            exp=exp,
                            importer_name=consumer_name(consumer),
                            origin_name="China",
                            mineral_name=name,
                        )
                        render_chart(fig, meta, "origin-shares")
                st.caption(
                    f"HS 1992 codes counted as {name}: {codes} (data/trade_products.yaml). Values are BACI's reconciled mirror data in "
                    "current U.S. dollars; USGS's import sources below come from U.S. Census data, often by quantity and for a wider product set."
                )
            if consumer == "USA" and len(us):
                both = usgs_beside_baci(us, trade_span(2021, 2024), [mineral], 2021, 2024)
                if len(both):
                    b = both.iloc[0]
                    st.markdown(
                        f"**U.S. imports 2021–24, two sources:** USGS puts {countries.name(b['usgs_top_source'])} first with "
                        f"{pct(b['usgs_top_share'])} of U.S. imports; by value in BACI it has {pct(b['baci_share_of_usgs_top'])}. "
                        f"China: {pct(b['usgs_china_share'])} (USGS) and {pct(b['baci_china_share'])} (BACI)."
                    )

# ----------------------------------------------------------------------------------------------
# Product chains that use this mineral (magnets, batteries, chip materials)
if tab == "chain":
    with box:
        if len(chains):
            for chain_id, g in chains.groupby("chain", sort=False):
                fig, meta = build_once((mineral, chain_id), charts.chain_stages, shares=g, chain_name=g["chain_name"].iloc[0])
                render_chart(fig, meta, f"chain-{chain_id}")

if tab == "sources":
    with box:
        notes = ds.minerals.set_index("mineral").get("notes", {}).get(mineral) if mineral in set(ds.minerals["mineral"]) else None
        if notes:
            st.text(notes)
        # every source of the page's figures, one list in one element (an element a source was one more
        # element for the browser to redraw on every move of the Year)
        srcs = [ds.sources[sid] for sid in dict.fromkeys([*f["source"], *us["source"]])]
        st.markdown(
            "\n".join(
                f"- **{s.publisher}**, *{s.title}*, {s.edition}. {s.licence}. "
                + (f"[doi:{s.doi}](https://doi.org/{s.doi})" if s.doi else s.url)
                for s in srcs
            )
        )
        flagged = f[(f["flag"] != "none") | f["note"].notna()][
            ["edition", "stage", "product", "country", "year", "value", "unit", "flag", "raw", "note"]
        ]
        # the table of flagged values is closed until opened, and sent only then (ui.common.lazy_section)
        if len(flagged) and (
            section := lazy_section(
                f"Values with a flag or a note: estimates, projections, withheld or not available ({len(flagged)} rows)", "pf_open_flags"
            )
        ):
            section.dataframe(
                flagged.assign(
                    edition=flagged["edition"].map(edition_label),
                    stage=flagged["stage"].map(stage_words),
                    product=flagged["product"].map(product_words),
                    flag=flagged["flag"].map(flag_words),
                ).fillna({"raw": "", "note": ""}),
                hide_index=True,
                width="stretch",
                column_config=column_config(flagged.columns) | {"value": st.column_config.NumberColumn("Value", format="localized")},
            )

link_box()
