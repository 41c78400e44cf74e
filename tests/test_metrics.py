"""Concentration and dependency metrics: hand-worked cases, properties and the bundled data."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.cli import main
from risk.metrics import check_claims, concentration, concentration_loop, metrics_table, reserves_to_production, us_dependency
from risk.vocab import hhi_band, hhi_bands


def frame(values: dict, *, series="t:x:mine:", year=2025, unit="t", world=None, flags=None):
    rows = [
        {
            "edition": "t",
            "source": "src",
            "mineral": "x",
            "stage": "mine",
            "product": "",
            "series": series,
            "country": c,
            "year": year,
            "value": v,
            "unit": unit if not isinstance(unit, dict) else unit[c],
            "flag": (flags or {}).get(c, "none" if v is not None else "withheld"),
        }
        for c, v in values.items()
    ]
    if world is not None:
        rows.append({**rows[0], "country": "WLD", "value": world, "unit": rows[0]["unit"], "flag": "none"})
    df = pd.DataFrame(rows)
    df["value"] = df["value"].astype("float64")
    return df


WGI = pd.DataFrame({"country": ["AAA", "BBB", "CHN", "USA"], "year": [2022] * 4, "scaled": [10.0, 0.0, 5.67, 3.01]})


def one(df, **kw):
    out = concentration(df, **kw)
    assert len(out) == 1
    return out.iloc[0]


# --- hand-worked ---------------------------------------------------------------------------


def test_fifty_fifty():
    r = one(frame({"CHN": 50, "USA": 50}))
    assert r["hhi"] == pytest.approx(5000)
    assert r["cr1"] == pytest.approx(0.5) and r["cr3"] == pytest.approx(1.0)
    assert r["hhi_band"] == "highly concentrated"


def test_single_supplier():
    r = one(frame({"CHN": 900}))
    assert r["hhi"] == pytest.approx(10000) and r["cr1"] == 1.0 and r["top_country"] == "CHN"


def test_other_countries_count_in_shares_but_not_in_hhi():
    # 60 / 20 / 20 (OTH): shares 0.6 and 0.2; HHI = 3600 + 400 = 4000 (a lower bound)
    r = one(frame({"CHN": 60, "USA": 20, "OTH": 20}, world=100))
    assert r["hhi"] == pytest.approx(4000)
    assert r["cr1"] == pytest.approx(0.6) and r["cr3"] == pytest.approx(0.8)
    assert r["total"] == 100 and r["world_total"] == 100


def test_bands():
    # DOJ/FTC 2023 (the default): over 1,800 highly, 1,000 to 1,800 moderately, under 1,000 un-
    assert hhi_band(999) == "unconcentrated"
    assert hhi_band(1000) == "moderately concentrated"
    assert hhi_band(1800) == "moderately concentrated"  # "greater than 1,800" is highly
    assert hhi_band(1800.01) == "highly concentrated"
    assert hhi_band(2000) == "highly concentrated"  # moderately under the 2010 set
    # DOJ/FTC 2010: above 2,500 highly, 1,500 to 2,500 moderately
    assert hhi_band(1499, "2010") == "unconcentrated"
    assert hhi_band(1500, "2010") == "moderately concentrated"
    assert hhi_band(2000, "2010") == "moderately concentrated"
    assert hhi_band(2500, "2010") == "moderately concentrated"
    assert hhi_band(2501, "2010") == "highly concentrated"
    assert hhi_band(float("nan")) is None
    assert list(hhi_bands(pd.Series([500.0, np.nan, 5000.0]))) == ["unconcentrated", None, "highly concentrated"]
    with pytest.raises(ValueError, match="unknown HHI band set"):
        hhi_band(100, "1997")
    # ten equal suppliers: HHI = 10 x 10^2 = 1,000
    r = one(frame({c: 10 for c in ["AUS", "BRA", "CAN", "CHL", "CHN", "DEU", "IND", "JPN", "USA", "ZAF"]}), bands="2010")
    assert r["hhi"] == pytest.approx(1000) and r["hhi_band"] == "unconcentrated" and r["bands"] == "2010"


def test_metrics_cli_bands_default_2023_and_2010(capsys):
    main(["metrics", "--format", "json", "--mineral", "antimony", "--edition", "2026"])
    rows = json.loads(capsys.readouterr().out)
    mid = [r for r in rows if r["hhi"] and 1800 < r["hhi"] <= 2500]
    assert mid, "antimony has a series with an HHI between 1,800 and 2,500"
    assert {r["hhi_band"] for r in mid} == {"highly concentrated"} and {r["bands"] for r in rows} == {"2023"}
    main(["metrics", "--format", "json", "--mineral", "antimony", "--edition", "2026", "--bands", "2010"])
    rows = json.loads(capsys.readouterr().out)
    assert {r["hhi_band"] for r in rows if r["hhi"] and 1800 < r["hhi"] <= 2500} == {"moderately concentrated"}


def test_governance_weighted_hhi():
    # shares 0.5 (WGI 10) and 0.5 (WGI 0): 0.25 * 10 + 0.25 * 0 = 2.5
    r = one(frame({"AAA": 50, "BBB": 50}), wgi=WGI)
    assert r["hhi_wgi"] == pytest.approx(2.5) and r["wgi_year"] == 2022 and r["wgi_coverage"] == 1.0


def test_missing_wgi_is_reported_as_coverage():
    r = one(frame({"AAA": 50, "ZZZ": 50}), wgi=WGI)
    assert r["hhi_wgi"] == pytest.approx(2.5) and r["wgi_coverage"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("values", "kw", "reason"),
    [
        ({"CHN": None, "USA": None}, {}, "every country value is withheld"),
        ({"CHN": 0.0, "USA": 0.0}, {}, "add up to zero"),
        ({"OTH": 10.0}, {}, "no named country rows"),
        ({"CHN": 1.0, "USA": 2.0}, {"unit": {"CHN": "t", "USA": "kg"}}, "mixed units"),
    ],
)
def test_not_computable_is_explicit(values, kw, reason):
    r = one(frame(values, **kw))
    assert not r["computable"] and reason in r["reason"]
    assert np.isnan(r["hhi"]) and np.isnan(r["cr1"]) and pd.isna(r["top_country"])


def test_world_total_only():
    df = frame({"CHN": 1.0}, world=80.0)
    df = df[df["country"] == "WLD"]
    r = one(df)
    assert not r["computable"] and "only a world total" in r["reason"]


def test_withheld_rows_are_counted_and_left_out():
    r = one(frame({"CHN": 80, "USA": None, "AUS": 20}))
    assert r["n_withheld"] == 1 and r["cr1"] == pytest.approx(0.8)


def test_input_is_not_mutated():
    df = frame({"CHN": 60, "USA": 40})
    before = df.copy()
    concentration(df, wgi=WGI)
    pd.testing.assert_frame_equal(df, before)


# --- properties ----------------------------------------------------------------------------

CODES = ["AUS", "BRA", "CAN", "CHL", "CHN", "DEU", "IND", "JPN", "USA", "ZAF", "AAA", "BBB"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.001, max_value=1e9), min_size=1, max_size=len(CODES)))
def test_hhi_bounds(values):
    df = frame(dict(zip(CODES, values, strict=False)))
    r = one(df, wgi=WGI)
    n = len(values)
    assert 10000 / n - 1e-6 <= r["hhi"] <= 10000 + 1e-6
    assert r["cr1"] <= r["cr3"] + 1e-12 <= 1 + 1e-9
    assert 0 <= r["hhi_wgi"] <= 10 + 1e-9


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=len(CODES)),
    st.floats(min_value=0.0, max_value=1e6),
)
def test_other_countries_make_hhi_a_lower_bound(values, other):
    named = dict(zip(CODES, values, strict=False))
    with_other = one(frame({**named, "OTH": other}))
    if with_other["computable"]:
        assert with_other["hhi"] <= 10000 + 1e-6
        without = one(frame(named))
        if without["computable"]:
            assert with_other["hhi"] <= without["hhi"] + 1e-6


# --- the bundled data ----------------------------------------------------------------------


def test_vectorised_matches_the_per_series_loop(ds):
    fast = concentration(ds.figures, ds.wgi)
    slow = concentration_loop(ds.figures, ds.wgi)
    j = fast.merge(slow, on=["series", "year"], suffixes=("", "_loop"))
    assert len(j) == len(fast) == len(slow)
    for col in ["hhi", "cr1", "cr3", "hhi_wgi"]:
        np.testing.assert_allclose(j[col].astype(float), j[f"{col}_loop"].astype(float), equal_nan=True)
    assert (j["top_country"].fillna("-") == j["top_country_loop"].fillna("-")).all()
    assert (j["computable"] == j["computable_loop"]).all()


def test_real_values(ds):
    m = metrics_table(ds, edition="mcs2026", year=2025)
    ga = m[(m.mineral == "gallium") & (m.stage == "primary")].iloc[0]
    assert ga["top_country"] == "CHN" and ga["cr1"] == pytest.approx(0.99, abs=0.005)
    assert ga["nir"] == 1.0 and ga["top_import_country"] == "CAN" and ga["single_supplier_dependency"] == pytest.approx(0.28)
    ree = m[(m.mineral == "rare_earths") & (m.stage == "mine")].iloc[0]
    assert ree["cr1"] == pytest.approx(0.694, abs=0.001) and ree["hhi_band"] == "highly concentrated"
    assert ree["hhi_wgi"] == pytest.approx(2.82, abs=0.01)  # by hand from the MCS 2026 rare-earth rows and WGI 2022 (see shared data notes)
    assert ree["single_supplier_dependency"] == pytest.approx(0.67 * 0.71)
    li = m[(m.mineral == "lithium") & (m.stage == "mine")].iloc[0]
    assert li["nir_flag"] == "lower_bound" and li["nir"] == 0.5
    ree_res = m[(m.mineral == "rare_earths") & (m.stage == "reserves")].iloc[0]
    assert ree_res["world_total_flag"] == "lower_bound"
    assert set(m["sources"].str.split(";").explode()) <= set(ds.sources)


def test_every_commodity_agrees_with_the_usgs_file(ds):
    """CR1 from the metrics equals the top country's value over the country-row sum in the file."""
    m = metrics_table(ds, edition="mcs2026")
    f = ds.figures[(ds.figures.edition == "mcs2026") & (ds.figures.country != "WLD")]
    for r in m[m.computable].itertuples():
        sel = f[(f.mineral == r.mineral) & (f.stage == r.stage) & (f["product"] == r.product) & (f.year == r.year)]
        assert r.cr1 == pytest.approx(sel.loc[sel.country == r.top_country, "value"].iloc[0] / sel["value"].sum())
    assert m["mineral"].nunique() == 90


def test_germanium_has_no_production_hhi_only_dependency(ds):
    m = metrics_table(ds, mineral="germanium")
    assert (m["edition"] == "mcs2025").all() and not m["computable"].any()
    dep = us_dependency(ds.us)
    ge = dep[(dep.mineral == "germanium") & (dep.nir_year == 2025)].iloc[0]
    assert ge["nir"] == 0.5 and ge["nir_flag"] == "lower_bound" and ge["top_import_country"] == "BEL"


def test_net_exporter_means_zero_reliance(ds):
    dep = us_dependency(ds.us)
    wol = dep[(dep.mineral == "wollastonite")].iloc[0]
    assert wol["nir"] == 0 and wol["nir_flag"] == "net_exporter"


def test_reserves_to_production(ds):
    rp = reserves_to_production(ds).set_index("mineral")
    assert rp.loc["cobalt", "rp_years"] == pytest.approx(12_000_000 / 310_000)
    assert bool(rp.loc["rare_earths", "rp_is_lower_bound"])


def test_claims_check(ds):
    c = check_claims(ds)
    res = c[(c.claim == "china_reserves_60") & (c.edition == "mcs2026")].iloc[0]
    assert res["table_value"] == pytest.approx(0.52, abs=0.01) and res["verdict"] == "overstates"
    mine = c[(c.claim == "china_production_90") & (c.edition == "mcs2026")].iloc[0]
    assert mine["table_value"] == pytest.approx(0.69, abs=0.01) and "refining" in mine["explanation"]
    ref = c[(c.claim == "china_production_90") & (c.edition == "iea2025")].iloc[0]
    assert ref["table_value"] == pytest.approx(0.91, abs=0.01) and ref["verdict"] == "consistent"
    rank = c[c.claim == "russia_fifth_reserves"].set_index("edition")["table_value"]
    assert rank["mcs2025"] == 5 and rank["mcs2026"] == 4
    assert (c["sources"].str.contains("article_trump_putin")).all()


def test_cli_metrics_json(capsys):
    assert main(["metrics", "--format", "json", "--mineral", "gallium", "--stage", "primary", "--year", "2025", "--edition", "2026"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    r = rows[0]
    for key in [
        "mineral",
        "stage",
        "year",
        "edition",
        "unit",
        "top_country",
        "cr1",
        "cr3",
        "hhi",
        "hhi_band",
        "hhi_wgi",
        "wgi_year",
        "nir",
        "nir_flag",
        "top_import_country",
        "single_supplier_dependency",
        "sources",
    ]:
        assert key in r
    assert r["sources"] == ["usgs_mcs2026", "wb_wgi_2023"]


def test_cli_metrics_csv_and_bad_input(capsys):
    assert main(["metrics", "--format", "csv", "--mineral", "rare_earths"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mineral,stage,product,year,edition")
    assert main(["metrics", "--mineral", "unobtainium"]) == 1
    assert "unknown mineral 'unobtainium'" in capsys.readouterr().err
    assert main(["metrics", "--edition", "1999"]) == 1
    assert "unknown edition" in capsys.readouterr().err


def test_cli_claims(capsys):
    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert "china_production_90" in out and "overstates" in out
