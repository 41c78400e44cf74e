"""Concentration metrics on small literal frames, worked by hand, and their properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.metrics import concentration
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
