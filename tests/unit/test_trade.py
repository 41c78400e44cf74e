"""risk.trade on a small literal table, worked by hand.

Mineral rare_earths, year 2023, values in thousand USD (quantities in tonnes in brackets):

    USA <- CHN 60 (6)    USA <- JPN 30 (1)    USA <- FRA 10 (1)          USA imports 100 (8)
    JPN <- CHN 50        JPN <- AUS 30                                   I_JPN = 80
    KOR <- JPN 10                                                        E_JPN = 30 + 10 = 40
    FRA <- CHN 5         FRA <- DEU 15                                   I_FRA = 20
    DEU <- FRA 30        DEU <- USA 20                                   E_FRA = 10 + 30 = 40

Importer USA, origin CHN:
    direct shares  s_CHN = 60/100 = 0.6, s_JPN = 0.3, s_FRA = 0.1
    look-through   c_JPN = I_JPN,CHN / max(I_JPN, E_JPN) = 50 / max(80, 40) = 0.625
                   c_FRA = 5 / max(20, 40) = 0.125
    indirect       0.3 x 0.625 + 0.1 x 0.125 = 0.1875 + 0.0125 = 0.2
    total          0.6 + 0.2 = 0.8
    high bound     c_high = min(1, I_X,CHN / E_X): JPN min(1, 50/40) = 1, FRA 5/40 = 0.125
                   indirect_high = 0.3 x 1 + 0.1 x 0.125 = 0.3125
    HHI            (60)^2 + (30)^2 + (10)^2 = 3600 + 900 + 100 = 4,600
    by quantity    s_CHN = 6/8 = 0.75, s_JPN = s_FRA = 0.125

EU27 (FRA and DEU are members; FRA <- DEU 15 and DEU <- FRA 30 are intra-EU and left out):
    imports        CHN 5 (to FRA) + USA 20 (to DEU) = 25: s_CHN = 0.2, s_USA = 0.8
    c_USA          I_USA,CHN / max(I_USA, E_USA) = 60 / max(100, 20) = 0.6
    indirect       0.8 x 0.6 = 0.48; total 0.2 + 0.48 = 0.68
"""

import numpy as np
import pandas as pd
import pytest

from risk import trade

ROWS = [
    # exporter, importer, value_kusd, quantity_t
    ("CHN", "USA", 60, 6),
    ("JPN", "USA", 30, 1),
    ("FRA", "USA", 10, 1),
    ("CHN", "JPN", 50, None),
    ("AUS", "JPN", 30, None),
    ("JPN", "KOR", 10, None),
    ("CHN", "FRA", 5, None),
    ("DEU", "FRA", 15, None),
    ("FRA", "DEU", 30, None),
    ("USA", "DEU", 20, None),
]
GROUPS = {"EU27": ["FRA", "DEU"]}  # the two members that appear in the table


def flows(rows=ROWS, year=2023, mineral="rare_earths") -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["exporter", "importer", "value_kusd", "quantity_t"])
    df.insert(0, "year", np.int16(year))
    df.insert(0, "hs", "284690")
    df.insert(0, "mineral", mineral)
    df["value_kusd"] = df["value_kusd"].astype(float)
    df["quantity_t"] = df["quantity_t"].astype(float)
    for c in ("mineral", "hs", "exporter", "importer"):
        df[c] = df[c].astype("category")
    return df


def agg_of(f=None, y0=2023, y1=2023):
    return trade.with_groups(trade.span_flows(flows() if f is None else f, y0, y1), GROUPS)


def test_direct_shares_by_value_and_quantity():
    src = trade.import_sources(agg_of(), "USA", "rare_earths", 2023, 2023)
    assert list(src["exporter"]) == ["CHN", "JPN", "FRA"]
    assert list(src["share_value"]) == pytest.approx([0.6, 0.3, 0.1], abs=1e-15)
    assert list(src["share_quantity"]) == pytest.approx([0.75, 0.125, 0.125], abs=1e-15)
    assert list(src["value_kusd"]) == [60, 30, 10]
    assert set(src["source"]) == {"cepii_baci_hs92"}


def test_look_through_by_hand():
    lt = trade.look_through(agg_of(), "rare_earths", "CHN", groups=GROUPS)
    assert lt.loc["JPN", ["imports", "imports_from_origin", "exports"]].tolist() == [80, 50, 40]
    assert lt.loc["JPN", "look_through"] == 0.625
    assert lt.loc["FRA", "look_through"] == 0.125
    assert lt.loc["JPN", "look_through_high"] == 1.0  # min(1, 50/40)
    assert lt.loc["FRA", "look_through_high"] == 0.125  # 5/40
    assert (lt["look_through_low"] == 0).all()
    assert lt.loc["AUS", "look_through"] == 0  # AUS imports nothing from CHN
    assert "EU27" not in lt.index  # a group is never a third country


def test_exposure_direct_indirect_total_by_hand():
    e = trade.exposure(agg_of(), "USA", "CHN", "rare_earths", 2023, 2023, groups=GROUPS)
    assert e["direct"] == pytest.approx(0.6, abs=1e-15)
    assert e["indirect"] == pytest.approx(0.2, abs=1e-15)
    assert e["total"] == pytest.approx(0.8, abs=1e-15)
    assert e["indirect_high"] == pytest.approx(0.3125, abs=1e-15)
    assert e["imports"] == 100 and e["imports_unit"] == "thousand USD"
    assert [v["country"] for v in e["via"]] == ["JPN", "FRA"]
    jpn = e["via"][0]
    assert (jpn["share"], jpn["look_through"], jpn["contribution"]) == pytest.approx((0.3, 0.625, 0.1875), abs=1e-15)
    assert e["source"] == "cepii_baci_hs92"


def test_origin_is_never_its_own_third_country():
    # origin JPN: direct 0.3; CHN imports nothing from JPN, FRA nothing: indirect 0
    e = trade.exposure(agg_of(), "USA", "JPN", "rare_earths", 2023, 2023)
    assert (e["direct"], e["indirect"]) == pytest.approx((0.3, 0.0), abs=1e-15)
    assert [v["country"] for v in e["via"]] == []


def test_eu27_buys_as_one_without_intra_eu_trade():
    src = trade.import_sources(agg_of(), "EU27", "rare_earths", 2023, 2023)
    assert dict(zip(src["exporter"], src["share_value"], strict=True)) == pytest.approx({"USA": 0.8, "CHN": 0.2})
    e = trade.exposure(agg_of(), "EU27", "CHN", "rare_earths", 2023, 2023, groups=GROUPS)
    assert (e["direct"], e["indirect"], e["total"]) == pytest.approx((0.2, 0.48, 0.68), abs=1e-15)


def test_years_are_summed():
    # the same table in 2022 and 2023, and in 2024 only USA <- CHN 100: USA imports 300,
    # s_CHN = 220/300; JPN's and FRA's flows are the 2022 and 2023 ones doubled, so c is unchanged:
    # indirect = (60/300) x 0.625 + (20/300) x 0.125 = 0.125 + 0.008333...
    f = pd.concat([flows(year=2022), flows(year=2023), flows([("CHN", "USA", 100, 10)], year=2024)], ignore_index=True)
    for c in ("mineral", "hs", "exporter", "importer"):
        f[c] = f[c].astype(str).astype("category")
    e = trade.exposure(agg_of(f, 2022, 2024), "USA", "CHN", "rare_earths", 2022, 2024, groups=GROUPS)
    assert e["direct"] == pytest.approx(220 / 300, abs=1e-15)
    assert e["indirect"] == pytest.approx(60 / 300 * 0.625 + 20 / 300 * 0.125, abs=1e-15)
    only_2024 = trade.exposure(agg_of(f, 2024, 2024), "USA", "CHN", "rare_earths", 2024, 2024)
    assert (only_2024["direct"], only_2024["indirect"]) == (1.0, 0.0)


def test_by_quantity_uses_the_rows_with_quantities():
    e = trade.exposure(agg_of(), "USA", "CHN", "rare_earths", 2023, 2023, by="quantity")
    # JPN and FRA have no quantities for their own imports: c_X = 0 by quantity
    assert (e["direct"], e["indirect"]) == pytest.approx((0.75, 0.0), abs=1e-15)
    assert e["imports_unit"] == "t" and e["quantity_coverage"] == 1.0


def test_sourcing_concentration_by_hand():
    shares = pd.Series({"CHN": 0.6, "JPN": 0.3, "FRA": 0.1})
    wgi = pd.Series({"CHN": 6.0, "JPN": 2.0})  # FRA not scored
    c = trade.sourcing_concentration(shares, wgi, 2022)
    assert c["hhi"] == pytest.approx(4600)
    # 0.36 x 6 + 0.09 x 2 = 2.34; coverage 0.9
    assert c["hhi_wgi"] == pytest.approx(2.34) and c["wgi_coverage"] == pytest.approx(0.9)
    assert c["wgi_year"] == 2022 and c["hhi_band"] == "highly concentrated"


def test_vectorised_matches_the_hand_numbers_and_the_loop():
    f = pd.concat([flows(year=2022), flows(year=2023)], ignore_index=True)
    for c in ("mineral", "hs", "exporter", "importer"):
        f[c] = f[c].astype(str).astype("category")
    vec = trade.exposure_all(f, ["CHN", "JPN"], groups=GROUPS)
    usa = vec[(vec["importer"] == "USA") & (vec["origin"] == "CHN")].set_index("year")
    assert usa.loc[2023, ["direct", "indirect", "total"]].tolist() == pytest.approx([0.6, 0.2, 0.8], abs=1e-15)
    eu = vec[(vec["importer"] == "EU27") & (vec["origin"] == "CHN")].set_index("year")
    assert eu.loc[2022, ["direct", "indirect"]].tolist() == pytest.approx([0.2, 0.48], abs=1e-15)
    loop = trade.exposure_loop(f, ["CHN", "JPN"], groups=GROUPS)
    keys = ["year", "mineral", "importer", "origin"]
    m = vec.merge(loop, on=keys, suffixes=("", "_loop"), validate="one_to_one")
    assert len(m) == len(vec) == len(loop)
    for c in ("imports", "direct", "indirect", "total"):
        np.testing.assert_allclose(m[c], m[f"{c}_loop"], rtol=0, atol=1e-12)


def test_inputs_are_not_modified():
    f = flows()
    before = f.copy()
    agg = agg_of(f)
    agg_before = agg.copy()
    trade.exposure(agg, "USA", "CHN", "rare_earths", 2023, 2023, groups=GROUPS)
    trade.exposure_all(f, ["CHN"], groups=GROUPS)
    pd.testing.assert_frame_equal(f, before)
    pd.testing.assert_frame_equal(agg, agg_before)


def test_no_imports_is_an_error_not_a_zero():
    with pytest.raises(trade.TradeQueryError, match="no imports of rare_earths by AUS in 2023-2023"):
        trade.exposure(agg_of(), "AUS", "CHN", "rare_earths", 2023, 2023)
    with pytest.raises(trade.TradeQueryError, match="no imports of cobalt"):
        trade.import_sources(agg_of(), "USA", "cobalt", 2023, 2023)
    with pytest.raises(trade.TradeQueryError, match="use value or quantity"):
        trade.exposure(agg_of(), "USA", "CHN", "rare_earths", 2023, 2023, by="weight")
