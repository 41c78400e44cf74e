"""Every page under AppTest: no exception, key widgets present, widgets change what is shown."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import BoxSlider, figures, offences, page_texts, slider_boxes

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/profile.py",
    "pages/scenario_lab.py",
    "pages/compare.py",
    "pages/controls.py",
    "pages/data_sources.py",
    "pages/methodology.py",
]


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def metric(at, label: str) -> str:
    """A headline figure's value: an st.metric's, or a box of ui.common.figures_html (in a ui.text_box element)."""
    boxes = figures(at)
    return boxes[label]["value"] if label in boxes else next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = open_page(page)
    assert at.title, f"{page} has no title"
    assert not at.error, [e.value for e in at.error]


def test_overview():
    at = open_page("pages/overview.py")
    # the chart or the table, one at a time: the chart first, the table not sent
    assert [t.label for t in at.tabs] == ["Concentration against U.S. import reliance", "Table of every mineral"]
    (spec,) = chart_specs(at)
    assert "highly concentrated" in spec["layout"]["title"]["text"]
    assert "Source:" in spec["layout"]["annotations"][-1]["text"]
    assert not at.dataframe and "view" not in at.query_params
    at.session_state["ov_view"] = "Table of every mineral"
    at.run()
    assert at.query_params["view"] in ("table", ["table"]) and not chart_specs(at)
    table = at.dataframe[0].value
    assert {"mineral", "top_country", "hhi", "hhi_band", "nir", "single_supplier_dependency"} <= set(table.columns)
    assert "Gallium" in set(table["mineral"])
    assert any("Source:" in c.value for c in at.caption)  # the table's source line under it
    # bounded values read as bounds: germanium's NIR ">50" is "≥ 50%", and so is its dependency
    assert not any(str(v).startswith(">") for v in table["nir"])
    n_before = len(table)
    at.selectbox(key="ov_list").set_value("all").run()
    assert at.query_params["list"] in ("all", ["all"])
    assert len(at.dataframe[0].value) > n_before
    # a link opens the table
    assert open_page("pages/overview.py", view="table").dataframe[0].value.shape[0] == n_before
    # the press claims and the importers' sourcing are closed sections, sent when opened
    assert [e.label for e in at.expander][:2] == [
        "Sourcing of any importer, 2021–24 (CEPII BACI)",
        "Press claims beside the USGS and IEA figures",
    ]
    assert len(at.dataframe) == 1
    at.session_state["ov_open_claims"] = True
    at.run()
    claims = next(d.value for d in at.dataframe if "Verdict" in d.value.columns)
    assert "overstates" in set(claims["Verdict"])


def test_profile_switches_mineral():
    at = open_page("pages/profile.py", mineral="gallium")
    assert at.title[0].value.startswith("Gallium")
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    assert any("China" in t for t in titles)
    at.selectbox(key="pf_mineral").set_value("cobalt").run()
    assert at.title[0].value.startswith("Cobalt")
    assert at.query_params["mineral"] in ("cobalt", ["cobalt"])


def test_profile_bad_mineral_in_link():
    at = open_page("pages/profile.py", mineral="<script>alert(1)</script>")
    assert any("Unknown mineral" in w.value for w in at.warning)
    assert at.title[0].value.startswith("Rare Earths")


def test_scenario_lab_slider_changes_headline_and_chart():
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium")
    before = metric(at, "Shortfall, before offsets")
    spec_before = chart_specs(at)[0]
    # v2: NIR 1.00 x China's 18% of U.S. imports, with its range (only the rounding of NIR here)
    assert before == "18%"
    assert any("about 3,400 kg a year" in text for _, text in page_texts(at))
    # v1 moved pass-through (then: the content of third-country supply) to 99.2%; in v2 the ban's
    # fraction is the slider the page always has: half the ban is half the loss, 9%
    BoxSlider(at, "p:shocks.0.fraction").set_value(0.5).run()
    after = metric(at, "Shortfall, before offsets")
    assert after == "9%"
    assert chart_specs(at)[0] != spec_before
    assert at.query_params["shocks.0.fraction"] in ("0.5", ["0.5"])


def test_scenario_lab_restores_link():
    # v2: the deal is the sixth shock of the combined scenario (after the China ban's five)
    at = open_page("pages/scenario_lab.py", scenario="china_ban_russia_deal", mineral="antimony", **{"shocks.5.change": "1"})
    assert BoxSlider(at, "p:shocks.5.change").value == 1.0
    assert at.selectbox(key="lab_mineral").value == "antimony"
    assert metric(at, "Deal replaces").startswith("100%") and metric(at, "Deal replaces").endswith("of the loss")


def test_scenario_lab_bad_link():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = "china_export_ban"
    at.query_params["shocks.0.fraction"] = "7"
    at.switch_page("pages/scenario_lab.py").run()
    assert not at.exception
    assert any("not applied" in e.value for e in at.error)
    assert BoxSlider(at, "p:shocks.0.fraction").value == 1.0


def test_scenario_lab_unknown_scenario_in_link():
    at = open_page("pages/scenario_lab.py", scenario="nope")
    assert any("unknown scenario" in e.value for e in at.error)


def test_compare():
    at = open_page("pages/compare.py")
    table = at.dataframe[0].value
    assert set(table["scenario"]) == {"China export ban", "China export ban + Russia deal"}
    at.multiselect(key="cmp_scenarios").set_value(["china_export_ban"]).run()
    assert any("at least two" in i.value for i in at.info)


def test_data_page():
    at = open_page("pages/data_sources.py")
    assert at.selectbox[0].value == "rare_earths"
    table = at.dataframe[0].value
    assert 270000 in set(table["value"])
    at.selectbox[0].set_value("gallium").run()
    assert set(at.dataframe[0].value["unit"]) == {"kg"}


def test_scenario_lab_sweep_and_table_on_demand():
    at = open_page("pages/scenario_lab.py", scenario="china_ban_russia_deal", mineral="antimony")
    n = len(chart_specs(at))
    # the sections below the chart are closed expanders, and a closed one sends nothing
    assert [e.label for e in at.expander] == [
        "Sweep and all minerals",
        "Scenario sources and references",
        "Briefing pack for this scenario",
        "Save or load this scenario",
    ]
    assert not at.toggle and not at.get("file_uploader") and not at.multiselect(key="lab_uncertain").value
    assert all(w.key != "lab_pack_minerals" for w in at.multiselect)
    at.session_state["lab_open_sweep"] = True  # the analyst opens the sweep's section
    at.run()
    assert not at.toggle(key="lab_show_sweep").value and len(chart_specs(at)) == n
    at.toggle(key="lab_show_sweep").set_value(True).run()
    specs = chart_specs(at)
    assert len(specs) == n + 1
    assert specs[-1]["data"][0]["type"] == "heatmap"
    at.toggle(key="lab_show_all").set_value(True).run()
    table = at.dataframe[-1].value
    assert len(table) == 6 and "Antimony" in set(table["mineral"])
    # the toggles are part of the view: in the link, and a link with them opens with them on
    assert at.query_params["sweep"] == "1" and at.query_params["all"] == "1"
    again = open_page("pages/scenario_lab.py", scenario="china_ban_russia_deal", mineral="antimony", sweep="1")
    assert again.toggle(key="lab_show_sweep").value and not again.toggle(key="lab_show_all").value
    assert len(chart_specs(again)) == n + 1 and not again.error
    at.toggle(key="lab_show_sweep").set_value(False).run()
    assert "sweep" not in at.query_params and at.query_params["all"] == "1"
    # the section closed: the table goes, and so does its toggle from the link
    at.session_state["lab_open_sweep"] = False
    at.run()
    assert "all" not in at.query_params and not at.dataframe and not at.toggle


def test_scenario_lab_sections_open_on_demand():
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium")
    for key in ("lab_open_refs", "lab_open_pack", "lab_open_save"):
        at.session_state[key] = True
    at.run()
    assert not at.exception and not at.error
    assert any("Announcement No. 23 of 2023" in t.value for t in at.text)  # the scenario's references
    assert at.multiselect(key="lab_pack_minerals").value == ["gallium"]
    assert at.get("file_uploader") and any(b.proto.label == "Download scenario (YAML)" for b in at.get("download_button"))


def _every_mineral(page="pages/scenario_lab.py"):
    from risk.dataset import load_dataset

    ds = load_dataset()
    return sorted(set(ds.figures["mineral"]) | set(ds.us["mineral"]) | set(ds.salient["mineral"]) | set(ds.minerals["mineral"]))


@pytest.mark.slow
@pytest.mark.parametrize(("page", "key"), [("pages/profile.py", "pf_mineral"), ("pages/scenario_lab.py", "lab_mineral")])
def test_every_mineral_opens_without_an_exception(page, key):
    """Every mineral in the data, including those with sparse data (germanium: no MCS 2026 world
    table; scandium, yttrium, slag: a world total only), on the Mineral profile and the Scenario
    lab. One AppTest session moves through all of them, as an analyst flicking the selector."""
    minerals = _every_mineral(page)
    assert len(minerals) >= 100
    at = open_page(page)
    failures = {}
    for m in minerals:
        at.selectbox(key=key).set_value(m).run()
        # the profile sends only its open tab: every tab of every mineral is opened in turn
        tabs = [t.label for t in at.tabs] if key == "pf_mineral" and not at.exception else []
        for i, tab in enumerate(tabs or [None]):
            if i:
                at.session_state["pf_tab"] = tab
                at.run()
            where = f"{m} ({tab})" if tab else m
            if at.exception:
                failures[where] = at.exception[0].message
                at = open_page(page)
                break
            elif at.error:
                failures[where] = [e.value for e in at.error]
            elif bad := offences(page_texts(at)):
                failures[where] = bad  # internal words on screen (ids, None, nan, edition codes ...)
        if tabs:
            at.session_state["pf_tab"] = tabs[0]
    assert not failures, failures


@pytest.mark.parametrize("mineral", ["germanium", "scandium", "yttrium", "iron_and_steel_slag"])
def test_sparse_profiles_say_what_is_missing(mineral):
    at = open_page("pages/profile.py", mineral=mineral)
    text = " ".join(i.value for i in at.info)
    assert "no world production" in text.lower() or "no country figures" in text.lower(), text
    assert at.title[0].value.endswith("supply and U.S. exposure")


def test_lab_unknown_mineral_in_link_is_named_and_any_mineral_opens():
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="unobtainium")
    assert any("unobtainium" in w.value for w in at.warning)
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="copper")
    assert at.selectbox(key="lab_mineral").value == "copper"
    assert any("does not name Copper" in i.value for i in at.info)


def test_profile_trade_section_follows_the_link_and_names_an_unknown_importer():
    import re

    at = open_page("pages/profile.py", mineral="rare_earths", tab="trade")
    titles = [" ".join(re.sub(r"<[^>]+>", " ", s["layout"]["title"]["text"]).split()) for s in chart_specs(at)]
    # U.S. rare earths 2021-24 by value: China direct 61.6% + 11.1% via third countries = 72.7% (BACI)
    assert any("73% of rare earths imports into the United States could be China's material: 62% direct, 11%" in t for t in titles), titles
    assert any("imports into the United States by value in 2024" in t for t in titles)
    at = open_page("pages/profile.py", mineral="rare_earths", consumer="EU27")  # a link naming an importer opens the trade tab
    assert at.selectbox(key="pf_consumer").value == "EU27"
    assert any("European Union" in s["layout"]["title"]["text"] for s in chart_specs(at))
    at = open_page("pages/profile.py", mineral="rare_earths", consumer="ATLANTIS")
    assert any("ATLANTIS" in w.value for w in at.warning)


def test_data_sources_compares_usgs_and_baci():
    at = open_page("pages/data_sources.py")
    tables = [d.value for d in at.dataframe]
    both = next(t for t in tables if "baci_china_share" in t.columns)
    ree = both[both["mineral"] == "Rare Earths"].iloc[0]
    assert ree["usgs_china_share"] == pytest.approx(0.71) and ree["baci_china_share"] == pytest.approx(0.616, abs=0.001)


def test_controls_page_status_on_a_date_from_the_link():
    at = open_page("pages/controls.py", as_of="2025-12-01", mineral="gallium")
    table = at.dataframe[0].value
    # No. 46 of 2024, Article 2 (the ban to the U.S.) is suspended until 2026-11-27 on that date
    art2 = table[(table["number"] == "Announcement No. 46 of 2024") & (table["status"] == "suspended")]
    assert len(art2) and set(art2["until"]) == {"2026-11-27"}
    assert at.selectbox(key="ctl_mineral").value == "gallium"
    (spec,) = chart_specs(at)
    assert "2025-12-01" in spec["layout"]["title"]["text"]
    at = open_page("pages/controls.py", as_of="yesterday")
    assert any("yesterday" in w.value for w in at.warning)


def test_profile_shows_the_product_chain():
    at = open_page("pages/profile.py", mineral="rare_earths", tab="chain")
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    assert any("NdFeB" in t and "China holds" in t for t in titles), titles


def test_overview_and_profile_views_come_back_from_the_link():
    at = open_page("pages/overview.py", list="all", bands="2010", year="2024", view="table")
    assert at.selectbox(key="ov_list").value == "all" and at.selectbox(key="ov_bands").value == "2010"
    assert at.selectbox(key="ov_year").value == 2024
    assert "2010" in " ".join(c.value for c in at.caption)
    at = open_page("pages/overview.py", bands="1997")
    assert any("1997" in w.value for w in at.warning) and at.selectbox(key="ov_bands").value == "2023"
    at = open_page("pages/profile.py", mineral="rare_earths", series="mcs2026:rare_earths:reserves:")
    assert at.radio(key="pf_series").value == "mcs2026:rare_earths:reserves:"
    at = open_page("pages/profile.py", mineral="rare_earths", trade="value_kusd")  # opens the trade tab
    assert at.radio(key="pf_trade_measure").value == "value_kusd"
    at = open_page("pages/profile.py", mineral="rare_earths", series="nonsense")
    assert any("nonsense" in w.value for w in at.warning)


def test_switching_mineral_resets_series_without_a_notice():
    at = open_page("pages/profile.py", mineral="rare_earths", series="mcs2026:rare_earths:reserves:")
    at.selectbox(key="pf_mineral").set_value("cobalt").run()
    assert not at.exception and not at.warning
    assert at.radio(key="pf_series").value.startswith("mcs2026:cobalt:")


def test_profile_price_chart_marks_controls():
    at = open_page("pages/profile.py", mineral="antimony", tab="prices")
    prices = [s for s in chart_specs(at) if "prices" in s["layout"]["title"]["text"]]
    assert prices, "antimony has USGS prices 2021-2025"
    # USGS: antimony metal 5.31 $/lb (2021) -> 25.00 (2025e): +371%
    assert "rose 371% from 2021 to 2025" in prices[0]["layout"]["title"]["text"]
    at = open_page("pages/profile.py", mineral="neodymium")
    assert not at.warning and any("only U.S. salient statistics" in i.value for i in at.info)


def test_lab_controls_in_force_on_a_date_from_the_link():
    at = open_page("pages/scenario_lab.py", scenario="controls", as_of="2025-04-04", mineral="rare_earths")
    assert at.select_slider(key="lab_as_of").value == "2025-04-04"
    assert "Controls in force on 2025-04-04" in " ".join(c.value for c in at.caption) or any(
        "2025-04-04" in str(s.label) or "2025-04-04" in str(s.value) for s in at.select_slider
    )
    assert at.query_params["as_of"] in ("2025-04-04", ["2025-04-04"])
    # the day gallium and germanium licensing took effect (No. 23 of 2023): gallium is restricted
    at = open_page("pages/scenario_lab.py", scenario="controls", as_of="2023-08-01", mineral="gallium")
    assert not at.exception and not at.warning
    assert at.selectbox(key="lab_mineral").value == "gallium"
    at = open_page("pages/scenario_lab.py", scenario="controls", as_of="tomorrow")
    assert any("tomorrow" in w.value for w in at.warning)


def test_compare_keeps_its_view_in_the_link_and_adds_the_lab_scenario():
    at = open_page("pages/compare.py", scenarios="china_export_ban,russia_deal", minerals="antimony,gallium", measure="shortfall")
    assert at.multiselect(key="cmp_scenarios").value == ["china_export_ban", "russia_deal"]
    assert at.multiselect(key="cmp_minerals").value == ["antimony", "gallium"]
    assert at.radio(key="cmp_metric").value == "shortfall"
    # a scenario built in the lab, carried in the link as its parameters: half the ban to the U.S.
    lab = "scenario=china_export_ban|shocks.0.fraction=0.5"
    at = open_page("pages/compare.py", scenarios="china_export_ban,lab", lab=lab, minerals="gallium", measure="shortfall")
    table = at.dataframe[0].value
    by = dict(zip(table["scenario"], table["shortfall"], strict=True))
    # gallium: 1.00 x 0.18 = 18% with the full ban; 0.5 x 18% = 9% as set in the lab
    assert by["China export ban"] == pytest.approx(0.18, abs=0.005)
    assert by["China export ban (as set in the lab)"] == pytest.approx(0.09, abs=0.005)
    at = open_page("pages/compare.py", scenarios="china_export_ban,atlantis")
    assert any("atlantis" in w.value for w in at.warning)


def test_compare_chart_follows_its_selection_though_kept_per_process():
    # The measure's chart is kept per process on (scenarios, the lab's link, minerals, measure): each
    # of those must give its own chart. Gallium's shortfall before offsets, as set in the lab:
    # fraction 0.5 -> 9% (0.5 x 18%), fraction 0.25 -> 4.5%; read from the bars' labels.
    def lab_bar(fraction, minerals="gallium"):
        lab = f"scenario=china_export_ban|shocks.0.fraction={fraction}"
        at = open_page("pages/compare.py", scenarios="china_export_ban,lab", lab=lab, minerals=minerals, measure="shortfall")
        return at, chart_specs(at)[0]

    def values(spec):
        return {tr["name"]: tr["text"] for tr in spec["data"]}

    _, half = lab_bar(0.5)
    _, quarter = lab_bar(0.25)
    lab = "China export ban (as set in the lab)"
    assert values(half)[lab] == ["9%"] and values(quarter)[lab][0] in ("4%", "4.5%", "5%")
    at, both = lab_bar(0.5, minerals="gallium,antimony")
    assert len(values(both)[lab]) == 2
    # another measure, then back: the first chart again, the same figure
    at.radio(key="cmp_metric").set_value("shortfall_net").run()
    other = chart_specs(at)[0]
    at.radio(key="cmp_metric").set_value("shortfall").run()
    assert chart_specs(at)[0] == both and other != both


def test_compare_says_why_a_bar_is_missing():
    # Germanium under the China export ban: USGS MCS 2026 gives no U.S. consumption estimate for 2025,
    # so the offsets (volumes) cannot be set against the loss, and there is no world production
    # series, so no share of accessible supply; each missing bar says which, not "not computable".
    at = open_page("pages/compare.py", scenarios="china_export_ban,china_ban_russia_deal", minerals="germanium,gallium")
    missing = next(m.value for m in at.markdown if m.value.startswith("**Missing bars**"))
    lines = [x for x in missing.splitlines() if "Germanium" in x]
    assert len(lines) == 2 and all("consumption" in x and "not available" in x for x in lines), missing
    at.radio(key="cmp_metric").set_value("accessible_supply_lost").run()
    missing = next(m.value for m in at.markdown if m.value.startswith("**Missing bars**"))
    assert "world production" in missing and "no bar; not computable\n" not in missing + "\n", missing


def test_overview_sourcing_of_any_importer():
    at = open_page("pages/overview.py")
    at.session_state["ov_open_sourcing"] = True
    at.run()
    src = next(d.value for d in at.dataframe if "origin_total" in d.value.columns)
    ree = src[src["mineral"] == "Rare Earths"].iloc[0]
    # U.S. rare earths 2021-24 by value (BACI): China 61.6% direct + 11.1% via third countries = 72.7%
    assert ree["origin_direct"] == pytest.approx(0.616, abs=0.001) and ree["origin_total"] == pytest.approx(0.727, abs=0.001)
    at = open_page("pages/overview.py", consumer="EU27")  # a link that names an importer opens the section
    assert at.selectbox(key="ov_consumer").value == "EU27"
    src = next(d.value for d in at.dataframe if "origin_total" in d.value.columns)
    assert len(src) > 20 and src["origin_total"].between(0, 1).all()


def test_lab_enforcement_slider_follows_the_mineral_until_set():
    # Baseline enforcement on re-exports for China: rare earths 50% (No. 61 of 2025), graphite 0%.
    # The licensing shock (graphite, rare earths, tungsten) shows the default of the mineral on view
    # and applies each mineral's own default until the user moves the slider.
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="rare_earths")
    key = "p:shocks.1.pass_through"
    assert BoxSlider(at, key).value == 0.5
    assert "shocks.1.pass_through" not in at.query_params
    at.selectbox(key="lab_mineral").set_value("graphite").run()
    assert BoxSlider(at, key).value == 0.0 and "shocks.1.pass_through" not in at.query_params
    # set it: it stays set across minerals and goes into the link
    BoxSlider(at, key).set_value(0.25).run()
    assert at.query_params["shocks.1.pass_through"] == "0.25"
    at.selectbox(key="lab_mineral").set_value("rare_earths").run()
    assert BoxSlider(at, key).value == 0.25 and at.query_params["shocks.1.pass_through"] == "0.25"
    # a set value equal to another mineral's default is still a setting (0 for rare earths)
    BoxSlider(at, key).set_value(0.0).run()
    assert at.query_params["shocks.1.pass_through"] == "0"


def test_lab_sliders_are_one_box_that_says_each_value_in_its_unit():
    # The nine parameters are one element (ui.sliders' box), not nine st.sliders: each shows its
    # value in its unit, in its own steps. Gallium under the China export ban: the ban's fraction
    # is 1 ("100%", 21 steps of 5%), the ramp of spare capacity 18 months.
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium")
    from ui.sliders import COMPONENT

    boxes = [e for e in at.get("bidi_component") if e.proto.component_name == COMPONENT]
    rows = {r["key"]: r for r in slider_boxes(at)}
    assert len(boxes) == 1 and not at.slider and len(rows) == 9
    fr = rows["p:shocks.0.fraction"]
    assert fr["label"] == "Ban on exports to the U.S. (gallium, germanium, antimony): fraction" and fr["help"]
    assert fr["words"][fr["index"]] == "100%" and (fr["values"][0], fr["values"][-1], len(fr["values"])) == (0, 1, 21)
    ramp = rows["p:shocks.2.ramp_months"]
    assert ramp["words"][ramp["index"]] == "18 months"
    # a move sets the value, says so, and marks the slider as the user's
    BoxSlider(at, "p:shocks.0.fraction").set_value(0.5).run()
    fr = {r["key"]: r for r in slider_boxes(at)}["p:shocks.0.fraction"]
    assert fr["words"][fr["index"]] == "50%" and "shocks.0.fraction" in at.session_state["lab_set"]
    assert metric(at, "Shortfall, before offsets") == "9%"
    # a link's value off the steps shows as it is, between its neighbours, and is the value used:
    # 0.33 x 18% = 5.9%
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium", **{"shocks.0.fraction": "0.33"})
    fr = {r["key"]: r for r in slider_boxes(at)}["p:shocks.0.fraction"]
    i = fr["index"]
    assert fr["words"][i] == "33%" and (fr["values"][i - 1], fr["values"][i], fr["values"][i + 1]) == (0.3, 0.33, 0.35)
    assert metric(at, "Shortfall, before offsets") == "6%"


def test_lab_headline_boxes_fit_and_carry_no_arrow():
    # germanium has no U.S. consumption in MCS 2026: the boxes say "not computable" (a value that
    # fits) and the reason goes into the help, never into a delta arrow
    at = open_page("pages/scenario_lab.py", scenario="china_ban_russia_deal", mineral="germanium")
    boxes = figures(at)
    assert len(boxes) == 6 and not at.metric, boxes  # one element of six boxes, no st.metric
    assert boxes["Shortfall, before offsets"]["value"].startswith("12%")
    assert boxes["Deal replaces"]["value"] == "not computable" and "consumption" in boxes["Deal replaces"]["help"]
    for label, b in boxes.items():
        assert len(b["value"]) <= 26, b  # about what a third of the page shows at 1400 px
        assert not b["note"], (label, b)  # the reason goes into the help, not under the value
    at = open_page("pages/scenario_lab.py", scenario="china_ban_russia_deal", mineral="rare_earths")
    assert figures(at)["Loss a year"]["value"] == "12,000–13,000 t"


def test_lab_caches_give_each_setting_its_own_numbers_across_sessions(caplog):
    """The lab keeps scenarios, results and charts per process on the sliders' settings: a second
    session at the same settings gets the same numbers, a move back gives the first numbers again,
    and no setting leaks into another (gallium, ban to the U.S.: NIR 1.00 x China's 18% of U.S.
    imports x the ban's fraction)."""
    import logging

    caplog.set_level(logging.WARNING, logger="streamlit")
    a = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium")
    assert metric(a, "Shortfall, before offsets") == "18%"
    BoxSlider(a, "p:shocks.0.fraction").set_value(0.5).run()
    assert metric(a, "Shortfall, before offsets") == "9%"
    spec_half = chart_specs(a)[0]
    b = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium", **{"shocks.0.fraction": "0.5"})
    assert metric(b, "Shortfall, before offsets") == "9%"
    assert chart_specs(b)[0] == spec_half
    BoxSlider(b, "p:shocks.0.fraction").set_value(0.3).run()
    assert metric(b, "Shortfall, before offsets") == "5%"  # 0.3 x 18% = 5.4%
    BoxSlider(a, "p:shocks.0.fraction").set_value(1.0).run()
    assert metric(a, "Shortfall, before offsets") == "18%"
    title = chart_specs(a)[0]["layout"]["title"]["text"]
    assert "18% of consumption before offsets" in title, title
    assert chart_specs(a)[0] != spec_half
    # no widget complains that the page set its value through session state
    assert not [r for r in caplog.records if "set via the Session State API" in r.getMessage()]


def test_lab_works_out_the_next_step_of_a_moving_slider_ahead():
    """A slider moved one step: the step after it, the same way, is worked out after the run (its
    scenario, result and chart kept as that move would keep them), so that move computes nothing;
    its numbers are the ones it would compute (gallium, ban to the U.S.: 0.9 x 18% = 16.2%)."""
    import time

    from ui.common import LAB_CHARTS, LAB_RUNS, LAB_SCENARIOS, PREFETCH

    def idle():
        for _ in range(500):
            if PREFETCH.idle():
                return
            time.sleep(0.01)

    def kept(fraction):
        key = ("china_export_ban", (("shocks.0.fraction", fraction),), "auto")
        return key in LAB_SCENARIOS._d

    for c in (LAB_CHARTS, LAB_RUNS, LAB_SCENARIOS):  # what other tests kept does not count here
        with c._lock:
            c._d.clear()
    with PREFETCH._lock:  # the sessions of the tests before this one ran in the last seconds
        PREFETCH._seen.clear()
    at = open_page("pages/scenario_lab.py", scenario="china_export_ban", mineral="gallium")
    assert not kept(0.9)
    BoxSlider(at, "p:shocks.0.fraction").set_value(0.95).run()
    idle()
    assert metric(at, "Shortfall, before offsets") == "17%"
    assert kept(0.9), "the next step down was not worked out ahead"
    runs, scenarios, charts_ = set(LAB_RUNS._d), set(LAB_SCENARIOS._d), set(LAB_CHARTS._d)
    BoxSlider(at, "p:shocks.0.fraction").set_value(0.9).run()
    # the move found its scenario, result and chart kept; what it added is the step after it
    assert metric(at, "Shortfall, before offsets") == "16%"
    idle()
    assert kept(0.85)
    assert len(set(LAB_SCENARIOS._d) - scenarios) == len(set(LAB_RUNS._d) - runs) == len(set(LAB_CHARTS._d) - charts_) == 1
    # a jump (a click on the track) goes on the same way from where it landed
    BoxSlider(at, "p:shocks.0.fraction").set_value(0.5).run()  # a jump down: the next is 0.45
    idle()
    assert kept(0.45)


def test_lab_results_text_is_one_element_of_escaped_html():
    """The lab's notes, stage line, six figures and briefing line are one ui.text_box element (no
    markdown for the browser to parse on a move); each figure with a help takes the focus and is
    described by it; every text is escaped."""
    from tests.conftest import text_boxes
    from ui.common import figures_html

    at = open_page("pages/scenario_lab.py", scenario="china_ban_russia_deal", mineral="gallium")
    (box,) = text_boxes(at)
    assert box.index('class="mr-notes"') < box.index("Consumer: United States. Stage:") < box.index('class="mr-figures"')
    assert box.index('class="mr-figures"') < box.index("The U.S. would lose 18% of its gallium consumption")
    assert "The deal adds about" in box  # the deal's rider, under the sentence
    assert box.count('tabindex="0" aria-describedby="lab-figure-help-') == 6 and box.count('class="mr-sr"') == 6
    # nothing of the fragment is markdown any more: the only caption is the scenario's description
    assert not [c for c in at.caption if "Consumer:" in c.value] and not [m for m in at.markdown if "would lose" in m.value]
    html_ = figures_html([{"label": "<b>x</b>", "value": "1 < 2", "help": 'say "hi" & <i>'}])
    assert "<b>" not in html_ and "&lt;b&gt;x&lt;/b&gt;" in html_ and "1 &lt; 2" in html_ and "&quot;hi&quot; &amp; &lt;i&gt;" in html_


def test_profile_flagged_values_on_demand():
    at = open_page("pages/profile.py", mineral="gallium", tab="sources")
    flags = next(e for e in at.expander if e.label.startswith("Values with a flag or a note"))
    n = int(flags.label.rsplit("(", 1)[1].split()[0])
    assert n > 0 and not any("raw" in d.value.columns for d in at.dataframe)  # closed: the table is not sent
    at.session_state["pf_open_flags"] = True
    at.run()
    table = next(d.value for d in at.dataframe if "raw" in d.value.columns)
    assert len(table) == n and "none" not in set(table["flag"])
    # every source of the page in one list, one element
    (listed,) = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert "Mineral Commodity Summaries 2026" in listed


def test_profile_shares_as_bar_or_map():
    at = open_page("pages/profile.py", mineral="rare_earths")
    first = chart_specs(at)[0]["data"][0]["type"]
    assert first == "bar" and not any(d["type"] == "choropleth" for s in chart_specs(at) for d in s["data"])
    at.segmented_control(key="pf_shares_view").set_value("map").run()
    assert chart_specs(at)[0]["data"][0]["type"] == "choropleth"
    assert at.query_params["view"] in ("map", ["map"])
    again = open_page("pages/profile.py", mineral="rare_earths", view="map")  # the link opens with the map
    assert chart_specs(again)[0]["data"][0]["type"] == "choropleth"


def test_profile_sections_are_tabs_sent_only_when_open():
    """The sections below the headline figures are tabs; only the open one's content is sent, and
    the link names the open tab (the first, where it is produced, needs no parameter)."""
    at = open_page("pages/profile.py", mineral="rare_earths")
    assert [t.label for t in at.tabs] == [
        "Where it is produced",
        "U.S. imports",
        "Prices",
        "Trade over time (BACI)",
        "Product chain",
        "Sources and flags",
    ]
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    # the year's shares and the revisions between editions: no U.S., price, trade or chain chart
    assert len(titles) == 2 and not any("NdFeB" in t or "imports into the United States" in t for t in titles), titles
    assert "tab" not in at.query_params
    at.session_state["pf_tab"] = "U.S. imports"
    at.run()
    assert at.query_params["tab"] in ("us", ["us"])
    assert not [r for r in at.radio if r.key == "pf_series"]  # the production tab's content is not sent
    assert any("net import reliance" in s["layout"]["title"]["text"].lower() for s in chart_specs(at))
    at = open_page("pages/profile.py", mineral="rare_earths", tab="chain")
    assert any("NdFeB" in s["layout"]["title"]["text"] for s in chart_specs(at))
    # an unknown tab in the link is named, and the first tab opens
    at = open_page("pages/profile.py", mineral="rare_earths", tab="gossip")
    assert any("gossip" in w.value for w in at.warning) and at.radio(key="pf_series")
    # a tab this mineral does not have is named with the reason, not called unknown: gallium has
    # no BACI series of its own (HS 8112.92 mixes it with germanium, indium and others)
    at = open_page("pages/profile.py", mineral="gallium", tab="trade")
    (w,) = [w.value.replace("\\", "") for w in at.warning]  # the warning is escaped markdown
    assert "Gallium has no tab 'Trade over time (BACI)'" in w and "trade_products.yaml" in w and "Unknown" not in w, w
    assert at.radio(key="pf_series") and "tab" not in at.query_params
    # a mineral with only U.S. figures has no production tab: its first tab is the U.S. one
    at = open_page("pages/profile.py", mineral="neodymium")
    assert not at.exception and [t.label for t in at.tabs][-1] == "Sources and flags"
