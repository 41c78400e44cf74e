"""Scenario engine: the worked gallium numbers, properties, round trips, sweeps and bad input."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.cli import main
from risk.scenarios import (
    MineralInputs,
    Scenario,
    ScenarioError,
    evaluate,
    from_query_params,
    load_scenario,
    load_scenario_text,
    named_scenarios,
    parameters,
    run_mineral,
    run_scenario,
    save_scenario,
    scenario_to_yaml,
    sweep,
    to_query_params,
    with_values,
)


def gallium_ban(fraction=1.0, destination="consumer", pass_through=0.0, **extra):
    shocks = [
        {"type": "export_restriction", "country": "CHN", "fraction": fraction, "destination": destination, "pass_through": pass_through}
    ]
    shocks += extra.get("more", [])
    return Scenario.model_validate({"id": "t", "baseline": {"minerals": ["gallium"], "year": 2025}, "shocks": shocks})


# --- the worked check in the issue ----------------------------------------------------------
# The v2 model (issue 12) is centred on U.S. consumption: shares are of C (19,000 kg reported
# consumption of gallium in 2025), and pass_through is enforcement on re-exports (p), with the
# origin content of third-country supply (c_X) a separate parameter. Expectations that
# encoded the first model's formulas are changed here and say why.


def test_gallium_ban_to_us_no_pass_through(ds):
    r = run_mineral(ds, gallium_ban(), "gallium")
    assert r.stage == "primary" and r.values["nir"] == 1.0
    assert r.values["shortfall"] == pytest.approx(0.18)


def test_gallium_ban_to_us_full_pass_through(ds):
    # v1: 0.18 + 0.82 x China's world share (0.99). v2: p = 1 also needs the content of
    # third-country supply; with c = 1 the whole net import reliance is lost (1.00).
    sc = gallium_ban(pass_through=1.0)
    sc = with_values(sc, {"shocks.0.third_country_content": 1.0})
    r = run_mineral(ds, sc, "gallium")
    assert r.values["shortfall"] == pytest.approx(1.0)


def test_gallium_ban_to_all(ds):
    r = run_mineral(ds, gallium_ban(destination="all"), "gallium")
    assert r.values["accessible_supply_lost"] == pytest.approx(0.99, abs=0.001)
    # to all destinations the world loses 900,000 kg against 9,000 kg outside China: "near 100x"
    assert r.values["replacement_multiple"] == pytest.approx(100, rel=0.02)
    assert r.values["shortfall"] == pytest.approx(0.99, abs=0.001)  # pooled: every buyer loses 99%
    assert r.values["top_supplier_after"] == "RUS"


def test_named_scenarios_run(ds):
    assert set(named_scenarios()) == {"china_export_ban", "russia_deal", "ukraine_deal", "china_ban_russia_deal"}
    for name in named_scenarios():
        sc = load_scenario(name)
        assert sc.description and sc.sources
        results = run_scenario(ds, sc)
        assert [r.mineral for r in results] == sc.baseline.minerals
        for r in results:
            assert len(r.time_path) == sc.horizon_months
            assert set(r.sources) <= set(ds.sources)


def test_russia_deal_offsets_part_of_the_antimony_loss(ds):
    res = {r.mineral: r for r in run_scenario(ds, load_scenario("china_ban_russia_deal"))}
    sb = res["antimony"].values
    # v1 offset Russia's output against China's world output (80%). v2: the U.S. loses
    # 0.91 x 0.55 x 45,000 t = 22,523 t; Russia's 32,000 t (2025) cover it in full, but with the
    # MCS 2025 shares (Russia 13% of 2024 output) only part of it: the range says so.
    assert sb["loss_volume"] == pytest.approx(0.91 * 0.55 * 45_000)
    assert sb["deal_offset_share"] == pytest.approx(1.0)
    assert sb["deal_offset_share_low"] < 0.8
    assert sb["shortfall_net"] < sb["shortfall"]
    ga = res["gallium"].values
    assert ga["deal_offset_share"] == pytest.approx(1.0)  # 6,000 kg of Russian gallium against 3,420 kg


def test_germanium_without_world_data_is_explained(ds):
    res = {r.mineral: r for r in run_scenario(ds, load_scenario("china_export_ban"))}
    ge = res["germanium"]
    assert not ge.computable and ge.values["accessible_supply_lost"] is None
    assert any("no world" in n for n in ge.notes)
    assert ge.values["shortfall"] == pytest.approx(0.5 * 0.23)  # NIR >50% x China's 23% of imports
    assert ge.values["loss_volume"] is None and "not available" in ge.reasons["loss_volume"]


def test_stockpile_time_path(ds):
    sc = gallium_ban(more=[{"type": "stockpile", "months": 3}])
    r = run_mineral(ds, sc, "gallium")
    tp = r.time_path
    assert tp["gap"].iloc[0] == pytest.approx(0.18)
    # 3 months of consumption at 0.18 a month lasts 16.7 months: runs out in month 17
    assert r.values["stockpile_exhausted_month"] == 17
    assert tp["stockpile_left_months"].iloc[0] == pytest.approx(3 - 0.18)
    assert r.values["unmet_month_equivalents"] == pytest.approx(0.18 * 36 - 3)


def test_spare_capacity_ramps_up(ds):
    sc = Scenario.model_validate(
        {
            "baseline": {"minerals": ["rare_earths"]},
            "shocks": [
                {"type": "export_restriction", "country": "CHN", "fraction": 1.0, "destination": "all"},
                {"type": "spare_capacity", "share": 0.5, "ramp_months": 12},
            ],
        }
    )
    tp = run_mineral(ds, sc, "rare_earths").time_path
    assert (np.diff(tp["spare_capacity_offset"]) >= -1e-12).all()
    assert tp["spare_capacity_offset"].iloc[11] == pytest.approx(tp["spare_capacity_offset"].iloc[-1])
    assert tp["gap"].iloc[0] > tp["gap"].iloc[-1]


# --- properties -----------------------------------------------------------------------------

CODES = ("CHN", "RUS", "AUS", "USA", "OTH")


@st.composite
def inputs(draw):
    q = np.array([draw(st.floats(0, 1e6)) for _ in CODES])
    p = np.array([draw(st.floats(0, 1)) for _ in CODES])
    p[3] = 0.0  # the consumer does not import from itself
    p = p / p.sum() if p.sum() > 0 else p
    nir = draw(st.floats(0, 1))
    C = draw(st.floats(1, 1e6))
    K = len(CODES)
    look = {"CHN": (np.array([draw(st.floats(0, 1)) for _ in CODES]), np.zeros(K), np.ones(K), "test")}
    return MineralInputs(
        mineral="x",
        consumer="USA",
        stage="mine",
        product="",
        edition="mcs2026",
        year=2025,
        stage_reason="test",
        unit="t",
        countries=CODES,
        q=q,
        import_share=p,
        nir=nir,
        nir_flag="none",
        consumption=C,
        look=look,
        access0=np.ones(K),
        has_supply=bool(q.sum() > 0),
    )


def _ev(inp, shocks, access=None, horizon=24):
    out = evaluate(inp, access or {}, shocks, horizon, 1)
    return {k: (v[0] if isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) == 1 else v) for k, v in out.items()}


fractions = st.floats(0, 1)


@settings(max_examples=150, deadline=None)
@given(inputs(), st.sampled_from(CODES[:3]), fractions, st.sampled_from(["consumer", "all"]), fractions)
def test_restriction_never_raises_accessible_supply(inp, country, f, dest, pt):
    out = _ev(inp, [{"type": "export_restriction", "country": country, "fraction": f, "destination": dest, "pass_through": pt}])
    assert out["supply_after"].sum() <= out["supply_before"].sum() + 1e-6
    if dest == "consumer":
        assert 0 <= out["shortfall"] <= max(inp.nir, 0) + 1e-9
    else:
        assert 0 <= out["shortfall"] <= 1 + 1e-9 or np.isnan(out["shortfall"])


@settings(max_examples=150, deadline=None)
@given(inputs(), st.sampled_from(CODES[:3]), fractions, st.floats(0, 1))
def test_deal_never_lowers_accessible_supply(inp, country, base_access, expansion):
    shocks = [{"type": "deal", "partner": country, "access": 1.0, "change": expansion, "ramp_months": 6}]
    out = _ev(inp, shocks, access={country: base_access})
    assert out["supply_after"].sum() >= (inp.q * np.where(np.array(CODES) == country, base_access, 1.0)).sum() - 1e-6
    assert out["shortfall"] == pytest.approx(0.0)
    k = CODES.index(country)
    assert out["deal_volume"] <= inp.q[k] * (1 + expansion) + 1e-6  # never more than the output x (1 + e)


@settings(max_examples=150, deadline=None)
@given(inputs(), fractions, fractions, st.floats(0, 0.5), st.floats(0, 60), fractions, st.floats(-0.9, 2))
def test_offsets_never_make_the_shortfall_negative(inp, f, pt, spare, ramp, recyc, demand):
    shocks = [
        {"type": "export_restriction", "country": "CHN", "fraction": f, "destination": "all", "pass_through": pt},
        {"type": "spare_capacity", "share": spare, "ramp_months": ramp},
        {"type": "recycling", "share": recyc},
        {"type": "demand_change", "change": demand},
        {"type": "deal", "partner": "RUS", "access": 1.0, "change": 0.0},
    ]
    out = _ev(inp, shocks, access={"RUS": 0.0})
    if not inp.has_supply:  # a pooled loss without world supply is not computable: NaN, never 0
        assert np.isnan(out["shortfall"])
        return
    assert (out["gap"] >= 0).all() and (out["unmet"] >= -1e-12).all()
    assert out["shortfall_net"] >= 0 or np.isnan(out["shortfall_net"])
    assert out["shortfall_net"] <= 1 + 1e-9 or np.isnan(out["shortfall_net"])
    assert not out["shortfall_net"] > out["shortfall"] + 1e-9


@settings(max_examples=100, deadline=None)
@given(inputs(), fractions, st.floats(0, 24), st.floats(0, 24))
def test_unmet_demand_non_increasing_in_stockpile(inp, f, m1, m2):
    lo, hi = sorted((m1, m2))
    if not inp.has_supply:
        return
    base = [{"type": "export_restriction", "country": "CHN", "fraction": f, "destination": "all"}]
    u_lo = _ev(inp, [*base, {"type": "stockpile", "months": lo}])["unmet_month_equivalents"]
    u_hi = _ev(inp, [*base, {"type": "stockpile", "months": hi}])["unmet_month_equivalents"]
    assert u_hi <= u_lo + 1e-9


# --- sweeps ---------------------------------------------------------------------------------


def test_sweep_matches_one_by_one(ds):
    sc = load_scenario("china_ban_russia_deal")
    rng = np.random.default_rng(1)
    fr, ch, sp = rng.uniform(0, 1, 25), rng.uniform(0, 1, 25), rng.uniform(0, 0.5, 25)
    grid = {"shocks.1.fraction": fr, "shocks.5.change": ch, "shocks.2.share": sp}
    df = sweep(ds, sc, "rare_earths", grid, mode="zip")
    for i in range(0, 25, 6):
        one = with_values(sc, {"shocks.1.fraction": fr[i], "shocks.5.change": ch[i], "shocks.2.share": sp[i]})
        r = run_mineral(ds, one, "rare_earths").values
        for k in ("shortfall", "shortfall_net", "unmet_month_equivalents", "loss_volume"):
            assert df[k].iloc[i] == pytest.approx(r[k]), k


def test_sweep_grid_shape_and_bad_ranges(ds):
    sc = load_scenario("china_ban_russia_deal")
    df = sweep(ds, sc, "antimony", {"shocks.0.fraction": np.linspace(0, 1, 11), "shocks.5.change": np.linspace(0, 1, 5)})
    assert len(df) == 55
    assert df.loc[df["shocks.0.fraction"] == 0, "shortfall"].max() == 0
    with pytest.raises(ScenarioError, match="must lie in"):
        sweep(ds, sc, "antimony", {"shocks.0.fraction": [0, 1.5]})
    with pytest.raises(ScenarioError, match="unknown parameter"):
        sweep(ds, sc, "antimony", {"shocks.0.colour": [0]})


# --- round trips and the URL form -----------------------------------------------------------


def test_yaml_round_trip(ds, tmp_path):
    sc = with_values(load_scenario("china_ban_russia_deal"), {"shocks.0.pass_through": "0.4", "shocks.5.change": 0.5})
    path = tmp_path / "mine.yaml"
    save_scenario(sc, path)
    again = load_scenario(path)
    assert again == sc
    a = [r.to_dict() for r in run_scenario(ds, sc)]
    b = [r.to_dict() for r in run_scenario(ds, again)]
    assert a == b


def test_query_params_round_trip():
    base = load_scenario("china_export_ban")
    sc = with_values(base, {"shocks.1.fraction": 0.8, "shocks.3.months": 6})
    q = to_query_params(sc, base)
    assert q == {"scenario": "china_export_ban", "shocks.1.fraction": "0.8", "shocks.3.months": "6"}
    assert from_query_params(q, base) == sc


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"shocks.0.fraction": "2"}, "less than or equal to 1"),
        ({"shocks.0.fraction": "nan"}, "finite"),
        ({"shocks.0.colour": "1"}, "has no field 'colour'"),
        ({"evil": "<script>alert(1)</script>"}, "unknown parameter"),
        ({"shocks.99.fraction": "1"}, "has 5 shocks"),
        ({"shocks.3.months": "-1"}, "greater than or equal to 0"),
        ({"shocks.0.fraction": "1" * 200}, "too long"),
    ],
)
def test_bad_url_parameters(params, needle):
    with pytest.raises(ScenarioError, match=needle):
        from_query_params(params, load_scenario("china_export_ban"))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("baseline: {minerals: [gallium]}\nshocks: [{type: export_restriction, country: CHN, fraction: 1.5}]", "shocks.0.fraction"),
        ("baseline: {minerals: [gallium]}\nshocks: [{type: export_restriction, country: XXX}]", "unknown country code 'XXX'"),
        ("baseline: {minerals: [gallium]}\nshocks: [{type: stockpile, months: -2}]", "shocks.0.months"),
        ("baseline: {minerals: [gallium]}\nshocks: [{type: teleport}]", "shocks.0"),
        ("baseline: {minerals: [gallium]}\ncolour: red", "colour: unknown field"),
        (
            "baseline: {minerals: [gallium]}\nshocks: [{type: access, country: RUS, value: 1, minerals: [cobalt]}]",
            "cobalt not in baseline.minerals",
        ),
        ("baseline: {minerals: [gallium]\n", "malformed YAML"),
        ("- just\n- a list\n", "a scenario is a mapping"),
        ("name: x\nname: y\nbaseline: {minerals: [gallium]}", "duplicate key"),
    ],
)
def test_bad_scenario_yaml(text, needle):
    with pytest.raises(ScenarioError, match=needle):
        load_scenario_text(text, where="upload.yaml")


def test_unknown_mineral_is_a_clear_error(ds):
    sc = Scenario.model_validate({"baseline": {"minerals": ["unobtainium"]}})
    with pytest.raises(ScenarioError, match="unknown mineral 'unobtainium'"):
        run_scenario(ds, sc)


def test_parameters_cover_every_shock_number():
    sc = load_scenario("china_ban_russia_deal")
    paths = {p.path for p in parameters(sc)}
    # v2: the China ban's shocks first (ban, licensing, spare capacity, stocks, recycling), then the deal
    assert {
        "shocks.0.fraction",
        "shocks.1.fraction",
        "shocks.2.share",
        "shocks.2.ramp_months",
        "shocks.3.months",
        "shocks.5.access",
        "shocks.5.change",
        "shocks.5.ramp_months",
        "horizon_months",
    } <= paths
    for p in parameters(sc):
        assert p.min <= p.value <= p.max


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    import os

    path = tmp_path / "s.yaml"
    sc = load_scenario("russia_deal")
    save_scenario(sc, path)
    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        save_scenario(with_values(sc, {"shocks.0.change": 1}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]


# --- CLI ------------------------------------------------------------------------------------


def test_cli_scenario_json(capsys):
    assert main(["scenario", "china_export_ban", "--format", "json", "--minerals", "gallium", "--set", "shocks.0.pass_through=1"]) == 0
    (r,) = json.loads(capsys.readouterr().out)
    for key in [
        "mineral",
        "consumer",
        "stage",
        "year",
        "unit",
        "consumption",
        "loss_volume",
        "accessible_supply_lost",
        "hhi_before",
        "hhi_after",
        "top_supplier_after",
        "shortfall",
        "shortfall_net",
        "shortfall_low",
        "shortfall_high",
        "replacement_multiple",
        "deal_volume",
        "deal_offset_share",
        "stockpile_exhausted_month",
        "unmet_month_equivalents",
        "notes",
        "time_path",
    ]:
        assert key in r
    # v2: p = 1 with the content of third-country supply from trade data (none for gallium: 0,
    # range to 100%), so the central value stays 18% and the high end of the range is 100%
    assert r["shortfall"] == pytest.approx(0.18, abs=0.005)
    assert r["shortfall_high"] == pytest.approx(1.0)
    assert len(r["time_path"]) == 36


def test_cli_scenario_errors(capsys, tmp_path):
    assert main(["scenario", "nope"]) == 1
    assert "unknown scenario 'nope'" in capsys.readouterr().err
    assert main(["scenario", "china_export_ban", "--set", "shocks.0.fraction=1.5"]) == 1
    assert "shocks.0.fraction" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("baseline: [")
    assert main(["scenario", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "malformed YAML" in err and "Traceback" not in err


def test_cli_scenario_save_round_trip(tmp_path, capsys):
    out = tmp_path / "saved.yaml"
    assert main(["scenario", "china_ban_russia_deal", "--set", "shocks.5.change=0.5", "--save", str(out), "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["scenario", str(out), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert "change: 0.5" in out.read_text()
    assert scenario_to_yaml(load_scenario(out)) == out.read_text()


def test_scenario_from_events_follows_the_timeline(ds):
    from risk.events import load_events
    from risk.scenarios import scenario_from_events

    ef = load_events()
    before = scenario_from_events(ds, ef, "2023-01-01")
    # before China's 2023-25 controls: Indonesia's nickel ore ban (2020) and Zimbabwe's lithium ore ban (2022)
    assert {s.country for s in before.shocks} == {"IDN", "ZWE"}
    mid = scenario_from_events(ds, ef, "2025-06-01")
    ban_us = [s for s in mid.shocks if s.country == "CHN" and s.destination == "consumer" and s.fraction == 1.0]
    assert ban_us and {"gallium", "germanium", "antimony"} <= set(ban_us[0].minerals)  # No. 46 of 2024, Article 2
    later = scenario_from_events(ds, ef, "2025-12-01")
    # No. 72 of 2025 suspends Article 2 until 2026-11-27: no full ban to the U.S. on gallium any more
    assert not [s for s in later.shocks if s.country == "CHN" and s.destination == "consumer" and "gallium" in s.minerals and s.fraction == 1.0]
    assert all(len(s.label) <= 200 for sc in (before, mid, later) for s in sc.shocks)


# --- overlapping restrictions combine, they never add -----------------------------------------


def test_two_bans_on_one_flow_do_not_add(ds):
    # Gallium: NIR 1.00, China 18% of U.S. imports. A ban to the U.S. twice over is still one ban:
    # the second finds the flow already stopped, 1 - (1 - 1)(1 - 1) = 1 of the flow -> 18%, not 36%.
    twice = {"type": "export_restriction", "country": "CHN", "fraction": 1.0, "destination": "consumer", "pass_through": 0.0}
    r = run_mineral(ds, gallium_ban(more=[twice]), "gallium")
    assert r.values["shortfall"] == pytest.approx(0.18)
    # two half-bans: 1 - (1 - 0.5)(1 - 0.5) = 0.75 of the flow -> 0.75 x 0.18 = 13.5%, not 18%
    half = dict(twice, fraction=0.5)
    r = run_mineral(ds, gallium_ban(fraction=0.5, more=[half]), "gallium")
    assert r.values["shortfall"] == pytest.approx(0.75 * 0.18)


def test_ban_to_us_and_licence_to_all_combine_on_what_is_left(ds):
    # The controls in force on 2025-06-01 hit gallium twice: the ban to the U.S. (No. 46 of 2024,
    # 18% of U.S. consumption) and licensing to all destinations (No. 23 of 2023, fraction 0.5,
    # pooled: China is 99% of world primary output, so every buyer loses 0.5 x 0.99 = 49.5%).
    # v2 added them (18% + 49.5% = 67.5%). The pooled loss falls only on what the U.S. still gets:
    # 0.18 + (1 - 0.18) x 0.495 = 0.586.
    from risk.events import load_events
    from risk.scenarios import scenario_from_events

    sc = scenario_from_events(ds, load_events(), "2025-06-01")
    r = run_mineral(ds, sc, "gallium")
    pooled = r.values["accessible_supply_lost"]
    assert pooled == pytest.approx(0.99, abs=0.001)  # China's share of world primary gallium
    assert r.values["shortfall"] == pytest.approx(0.18 + 0.82 * 0.5 * pooled, abs=0.002)
    assert r.values["shortfall"] < 0.18 + 0.5 * pooled - 0.05


def test_controls_in_force_map_no18_onto_part_of_rare_earths(ds):
    # MOFCOM No. 18 of 2025 names seven rare earths; mapped onto the aggregate it covers about 6%
    # of the flow (data/events.yaml, from USGS import volumes), so its fraction there is
    # 0.5 x 0.06 = 0.03 and China's 91% of refining gives about 0.03 x 0.91 = 2.7%, not 46%.
    from risk.events import load_events
    from risk.scenarios import scenario_from_events

    sc = scenario_from_events(ds, load_events(), "2025-06-01")
    ree = [s for s in sc.shocks if s.applies_to("rare_earths")]
    assert [s.fraction for s in ree] == [pytest.approx(0.03)]
    assert "about 6% of the flow" in ree[0].label
    assert any("USGS MCS 2026" in ref for ref in sc.references)
    full = [s for s in sc.shocks if s.applies_to("yttrium") and s.applies_to("scandium")]
    assert full and full[0].fraction == 0.5  # the named elements themselves in full
    r = run_mineral(ds, sc, "rare_earths")
    assert r.values["shortfall"] == pytest.approx(0.03 * 0.913, abs=0.003)
    for m in ("scandium", "yttrium", "rare_earths_heavy", "dysprosium"):
        run_mineral(ds, sc, m)  # sparse minerals: a result or a reason, never an exception


def test_enforcement_on_re_exports_is_a_slider_per_shock(ds):
    # The baseline sets p per origin and mineral: 0.5 for Chinese rare earths (No. 61 of 2025),
    # 0 for gallium, germanium, antimony, graphite, tungsten. Each restriction offers the slider at
    # that default; only moving it sets one p for all of the shock's minerals.
    sc = load_scenario("china_export_ban")
    ps = {p.path: p for p in parameters(sc)}
    assert "shocks.0.pass_through" in ps and "shocks.1.pass_through" in ps
    assert ps["shocks.0.pass_through"].label.endswith("enforcement on re-exports") and ps["shocks.0.pass_through"].value == 0.0
    assert "rare earths 50%" in ps["shocks.1.pass_through"].help
    # antimony, ban to the U.S.: p = 0 -> direct share only; p = 1 with content 1 -> NIR (worked check 2)
    lo = run_mineral(ds, sc, "antimony").values["shortfall"]
    hi = run_mineral(ds, with_values(sc, {"shocks.0.pass_through": 1.0, "shocks.0.third_country_content": 1.0}), "antimony")
    assert lo < hi.values["shortfall"] == pytest.approx(hi.values["nir"])
    # the unset slider leaves rare earths at their own default (0.5), which setting 0 changes
    ree_default = run_mineral(ds, sc, "rare_earths").values["shortfall"]
    ree_p0 = run_mineral(ds, with_values(sc, {"shocks.1.pass_through": 0.0}), "rare_earths").values["shortfall"]
    ree_p05 = run_mineral(ds, with_values(sc, {"shocks.1.pass_through": 0.5}), "rare_earths").values["shortfall"]
    assert ree_default == pytest.approx(ree_p05) and ree_p0 <= ree_default


def test_origin_without_a_row_still_reaches_the_consumer_through_third_countries(ds):
    # Chromium: China is not among the producers or U.S. import sources in the data, but a ban
    # to the U.S. with full enforcement on re-exports (p = 1) and third-country content 1 takes all
    # net imports: shortfall = NIR (0.79). The flows-left bookkeeping must not skip such an origin.
    sc = Scenario.model_validate(
        {
            "id": "t",
            "baseline": {"minerals": ["chromium"], "year": 2025},
            "shocks": [
                {"type": "export_restriction", "country": "CHN", "fraction": 1.0, "destination": "consumer", "pass_through": 1.0, "third_country_content": 1.0}
            ],
        }
    )
    r = run_mineral(ds, sc, "chromium")
    assert r.values["shortfall"] == pytest.approx(r.values["nir"]) and r.values["nir"] > 0.5
