"""The bundled trade store (data/trade/, CEPII BACI HS92) against known numbers.

Issue 11's check and data/raw/baci_hs92/PROVENANCE.md's sanity figures (U.S. imports
2021-24, share of value):
* rare earths (280530, 284610, 284690): China 61.6%, Japan 15.5%, France 5.9%
  (USGS MCS 2026, from Census data: China 71%);
* natural graphite (250410, 250490): China 67.6%, Canada 9.5%;
* lithium carbonate (283691) alone: Chile 61.2%, Argentina 36.1%.

China-origin content of U.S. rare-earth imports 2021-24 (by value), computed here:
direct 61.6% + indirect 11.1% (Japan 15.5% x c_JPN 51.3% = 7.9 points, then Korea, Russia,
South Africa, France ...) = total 72.7%; with the look-through high bound the indirect part
is 20.6%.
"""

import numpy as np
import pandas as pd
import pytest

from risk import trade
from risk.importers.baci import load_mapping, load_store
from tests.conftest import DATA


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(DATA / "trade_products.yaml")


@pytest.fixture(scope="module")
def groups(mapping):
    return {g: list(x.members) for g, x in mapping.groups.items()}


@pytest.fixture(scope="module")
def flows():
    return load_store(DATA)


@pytest.fixture(scope="module")
def agg_2021_24(flows, groups):
    return trade.with_groups(trade.span_flows(flows, 2021, 2024), groups)


def _shares(src):
    return dict(zip(src["exporter"], src["share_value"], strict=True))


def test_us_rare_earth_sources_2021_24(agg_2021_24):
    src = trade.import_sources(agg_2021_24, "USA", "rare_earths", 2021, 2024)
    s = _shares(src)
    assert s["CHN"] == pytest.approx(0.616, abs=0.0005)
    assert s["JPN"] == pytest.approx(0.155, abs=0.0005)
    assert s["FRA"] == pytest.approx(0.059, abs=0.0005)
    assert list(src["exporter"][:3]) == ["CHN", "JPN", "FRA"]
    assert src["value_kusd"].sum() == pytest.approx(732_026.544, abs=0.01)  # thousand USD, 2021-24
    assert src["share_value"].sum() == pytest.approx(1.0)


def test_us_rare_earth_china_origin_direct_and_indirect(agg_2021_24, groups):
    e = trade.exposure(agg_2021_24, "USA", "CHN", "rare_earths", 2021, 2024, groups=groups)
    assert e["direct"] == pytest.approx(0.6163, abs=0.00005)
    assert e["indirect"] == pytest.approx(0.1108, abs=0.00005)
    assert e["total"] == pytest.approx(0.7271, abs=0.00005)
    assert e["indirect_high"] == pytest.approx(0.2060, abs=0.00005)
    jpn = e["via"][0]
    assert jpn["country"] == "JPN"
    assert jpn["look_through"] == pytest.approx(0.5134, abs=0.00005)
    assert jpn["contribution"] == pytest.approx(0.0795, abs=0.00005)
    assert e["source"] == "cepii_baci_hs92"


def test_graphite_and_lithium_carbonate_as_in_provenance(flows, agg_2021_24):
    g = _shares(trade.import_sources(agg_2021_24, "USA", "graphite", 2021, 2024))
    assert (g["CHN"], g["CAN"]) == pytest.approx((0.676, 0.095), abs=0.0005)
    carbonate = flows[flows["hs"] == "283691"]
    li = _shares(trade.import_sources(trade.span_flows(carbonate, 2021, 2024), "USA", "lithium", 2021, 2024))
    assert (li["CHL"], li["ARG"]) == pytest.approx((0.612, 0.361), abs=0.0005)


def test_eu27_leaves_intra_eu_trade_out(agg_2021_24, groups):
    src = trade.import_sources(agg_2021_24, "EU27", "rare_earths", 2021, 2024)
    assert not set(src["exporter"]) & set(groups["EU27"])
    assert src.iloc[0]["exporter"] == "CHN"
    # the group's imports are its members' imports from outside the group
    a = agg_2021_24
    members = a[a["importer"].isin(groups["EU27"]) & ~a["exporter"].isin(groups["EU27"]) & (a["mineral"] == "rare_earths")]
    assert src["value_kusd"].sum() == pytest.approx(members["value_kusd"].sum())


def test_germanium_code_stops_in_2016(flows):
    ge = flows[flows["mineral"] == "germanium"]
    assert ge["year"].max() == 2016 and set(ge["hs"].astype(str)) == {"811230"}


def test_vectorised_equals_loop_and_scalar(flows, groups):
    vec = trade.exposure_all(flows, ["CHN", "RUS"], groups=groups)
    some = ["USA", "JPN", "KOR", "DEU", "IND", "EU27"]
    loop = trade.exposure_loop(flows, ["CHN", "RUS"], groups=groups, importers=some)
    keys = ["year", "mineral", "importer", "origin"]
    m = vec[vec["importer"].isin(some)].merge(loop, on=keys, suffixes=("", "_loop"), validate="one_to_one")
    assert len(m) == len(loop) > 5000
    for c in ("imports", "direct", "indirect", "total"):
        np.testing.assert_allclose(m[c], m[f"{c}_loop"], rtol=1e-9, atol=1e-12)
    # and the one-span function on a single year
    agg = trade.with_groups(trade.span_flows(flows, 2023, 2023), groups)
    for imp in ("USA", "EU27"):
        e = trade.exposure(agg, imp, "CHN", "rare_earths", 2023, 2023, groups=groups)
        row = vec[(vec["importer"] == imp) & (vec["origin"] == "CHN") & (vec["mineral"] == "rare_earths") & (vec["year"] == 2023)].iloc[0]
        assert (row["direct"], row["indirect"]) == pytest.approx((e["direct"], e["indirect"]), abs=1e-12)


def test_shares_are_bounded_everywhere(flows, groups):
    vec = trade.exposure_all(flows, ["CHN"], groups=groups)
    assert len(vec) > 100_000  # every importer x mineral x year with imports
    assert (vec["direct"] >= 0).all() and (vec["indirect"] >= 0).all()
    # indirect <= 1 - direct because c_X <= 1 and the s_X add up to 1
    assert (vec["total"] <= 1 + 1e-9).all()
    assert set(vec["source"]) == {"cepii_baci_hs92"}


def test_store_is_small_and_typed(flows):
    assert (DATA / "trade/baci_hs92_minerals.parquet").stat().st_size < 8_000_000
    for c in ("mineral", "hs", "exporter", "importer"):
        assert isinstance(flows[c].dtype, pd.CategoricalDtype)
    assert flows.attrs["years"] == (1995, 2024)
    assert (flows["value_kusd"] >= 0).all()
