"""The done-when dates of issue 13 on the bundled data/events.yaml and data/chains.yaml."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from risk.chains import chain_shares, chain_table, load_chains
from risk.events import check_event_claims, load_event_claims, load_events, restrictions_on, status_on
from tests.conftest import DATA

OCTOBER_2025 = [
    "chn_2025_55_superhard",
    "chn_2025_56_ree_equipment",
    "chn_2025_57_ree_five",
    "chn_2025_58_batteries",
    "chn_2025_61_ree_extraterritorial",
    "chn_2025_62_ree_technology",
]


@pytest.fixture(scope="module")
def events():
    return load_events(DATA)


def rows(st, event, part=None):
    r = st[st["event"] == event]
    return r if part is None else r[r["part"] == part]


def test_2025_06_01_licensing_and_us_ban_in_force(events):
    st = status_on(events, "2025-06-01")
    assert rows(st, "chn_2023_23_gallium_germanium")["status"].tolist() == ["in force"]  # Ga/Ge licensing, 2023
    ban = rows(st, "chn_2024_46_us_dual_use", "art2").iloc[0]
    assert ban["status"] == "in force" and ban["destination"] == "USA"
    assert set(ban["minerals"].split(";")) >= {"gallium", "germanium", "antimony"}
    assert rows(st, "chn_2025_18_rare_earths")["status"].tolist() == ["in force"]  # April 2025 rare earths
    assert set(rows(st, OCTOBER_2025[0])["status"]) == {"not yet announced"}


def test_2025_12_01_us_ban_and_october_measures_suspended(events):
    st = status_on(events, "2025-12-01")
    ban = rows(st, "chn_2024_46_us_dual_use")
    assert ban.set_index("part")["status"].to_dict() == {"art1": "in force", "art2": "suspended", "art2_graphite": "suspended"}
    assert set(ban.loc[ban["part"] != "art1", "until"]) == {"2026-11-27"}
    octo = st[st["event"].isin(OCTOBER_2025)]
    assert len(octo) == 8  # No. 61 has three clauses
    assert set(octo["status"]) == {"suspended"} and set(octo["until"]) == {"2026-11-10"}
    assert set(octo["by"]) == {"chn_2025_70_suspension"}
    assert rows(st, "chn_2025_18_rare_earths")["status"].tolist() == ["in force"]  # not suspended


def test_2023_01_01_none_of_chinas_controls_in_force(events):
    st = status_on(events, "2023-01-01")
    chn = st[st["country"] == "CHN"]
    assert len(chn) >= 20
    assert set(chn["status"]) == {"not yet announced"}
    assert (st["status"] == "in force").sum() == 2  # Indonesia 2020 and Zimbabwe 2022 only


def test_today_lapsed_suspensions_are_reported_not_guessed(events):
    assert events.as_of.isoformat() == "2026-12-02"
    st = status_on(events, events.as_of)
    octo = st[st["event"].isin(OCTOBER_2025)]
    assert set(octo["status"]) == {"unknown after 2026-11-10"}
    assert octo["note"].str.endswith("no later announcement in the data").all()
    art2 = rows(st, "chn_2024_46_us_dual_use", "art2").iloc[0]
    assert art2["status"] == "unknown after 2026-11-27"
    assert art2["note"] == "suspension ended 2026-11-27 (Announcement No. 72 of 2025); no later announcement in the data"
    for s, end in [("chn_2025_70_suspension", "2026-11-10"), ("chn_2025_72_suspension_us", "2026-11-27")]:
        r = rows(st, s).iloc[0]
        assert r["status"] == "ended" and r["note"] == f"suspension ended {end}; no later announcement in the data"


def test_every_event_names_sources_that_exist(events):
    ids = {s["id"] for s in yaml.safe_load((DATA / "sources.yaml").read_text())["sources"]}
    for ev in events.events:
        assert set(ev.sources) | set(ev.verified.sources) <= ids, ev.id
        assert ev.verified.how in ("official_text", "two_reports"), ev.id  # nothing left unverified in the bundled file


def test_restrictions_on_today_use_the_cobalt_quota_against_usgs(events, ds):
    r = restrictions_on(events, "2026-06-01", ds.figures)
    co = r[r["mineral"] == "cobalt"].iloc[0]
    cod = ds.figures.query("edition == 'mcs2026' and mineral == 'cobalt' and stage == 'mine' and country == 'COD' and year == 2025")["value"].iloc[0]
    assert cod == 230_000
    assert co["fraction"] == pytest.approx(1 - 96_600 / 230_000)  # 0.58
    assert co["kind"] == "quota" and co["origin"] == "COD"
    lic = r[(r["event"] == "chn_2025_18_rare_earths")]
    assert set(lic["basis"]) == {"assumption"}
    # the seven elements in full; rare earths as a whole only on the measure's share of the flow
    assert set(lic[lic["mineral"] != "rare_earths"]["fraction"]) == {0.5}
    assert list(lic[lic["mineral"] == "rare_earths"]["fraction"]) == [pytest.approx(0.5 * 0.06)]
    assert not r["event"].isin(OCTOBER_2025).any()  # suspended
    assert set(r[r["event"] == "chn_2024_46_us_dual_use"]["part"]) == {"art1"}  # art2 suspended


def test_chain_shares_come_from_the_bundled_files(ds):
    sh = chain_shares(load_chains(DATA), ds.figures)
    # the IEA refining share, worked from the bundled file itself
    doc = yaml.safe_load((DATA / "iea/iea2025/rare_earths.yaml").read_text())
    ser = next(s for s in doc["world"] if s["stage"] == "refinery")
    rows24 = {f["country"]: f["value"] for f in ser["figures"] if f["year"] == 2024 and f["country"] != "WLD"}
    sep = sh[(sh["chain"] == "ndfeb_magnets") & (sh["stage"] == "separation")].set_index("country")["share"]
    assert sep["CHN"] == pytest.approx(rows24["CHN"] / sum(rows24.values()))
    assert sep["CHN"] == pytest.approx(73.757 / 80.805, abs=1e-4)  # 91.3%
    ga = sh[sh["stage"] == "gallium_primary"].set_index("country")["share"]
    assert ga["CHN"] == pytest.approx(900_000 / 909_000)  # USGS 2025: China, Japan 3 t, Russia 6 t


def test_rare_earth_chain_has_mine_separation_and_magnet_with_sources(ds):
    t = chain_table(chain_shares(load_chains(DATA), ds.figures))
    ree = t[t["chain"] == "ndfeb_magnets"].set_index("stage")
    for stage in ("mine", "separation", "magnet"):
        assert ree.loc[stage, "top_country"] == "CHN"
        assert ree.loc[stage, "source"] and ree.loc[stage, "year"] >= 2020
    assert ree.loc["magnet", "share"] == 0.92 and ree.loc["magnet", "source"] == "commerce_232_ndfeb_2022"
    assert ree.loc["metal", "basis"] == "no sourced shares" and pd.isna(ree.loc["metal", "top_country"])


def test_event_claims(events, ds):
    c = check_event_claims(ds, events, chain_shares(load_chains(DATA), ds.figures), load_event_claims(DATA))
    verdict = c.groupby("claim")["verdict"].first().to_dict()
    assert verdict == {
        "us_relies_on_china_ndfeb": "supported",
        "ga_ge_made_and_supplied_by_china": "partly supported",  # China makes them, but is not the top direct U.S. source
        "china_ban_to_us": "partly supported",  # a U.S. ban for Ga and Ge (No. 46), none for rare earths
    }
    ban = c[c["claim"] == "china_ban_to_us"].iloc[0]
    assert ban["event_dates"] == "2024-12-03" and ban["status"].startswith("unknown after 2026-11-27")
    ga = c[(c["claim"] == "ga_ge_made_and_supplied_by_china") & c["figures"].str.contains("gallium imports")].iloc[0]
    assert "China 18%" in ga["figures"] and "Canada 28%" in ga["figures"]


def test_no18_coverage_of_rare_earths_is_the_usgs_import_volume_share(events, ds):
    """MOFCOM No. 18 of 2025 names seven rare earths (Sm, Gd, Tb, Dy, Lu, Sc, Y), not the aggregate.
    Its coverage of rare earths is their part of U.S. rare-earth imports by volume (REO, MCS 2026):
    2024: (heavy 74 + yttrium 457 + scandium oxide 7) / (compounds 8,120 + ferrocerium 238 + metals 96)
          = 538 / 8,454 = 6.4%;  2025: (100 + 300 + 4) / (21,000 + 1,100 + 350) = 404 / 22,450 = 1.8%.
    The file's range (1.5% to 15%) must hold both years; its central value (6%) lies between."""
    sal = ds.salient.query("edition == 'mcs2026' and measure == 'imports'")

    def imports(mineral, year):
        return sal[(sal["mineral"] == mineral) & (sal["year"] == year)]["value"].sum()

    share = {
        y: (imports("rare_earths_heavy", y) + imports("yttrium", y) + imports("scandium", y)) / imports("rare_earths", y)
        for y in (2024, 2025)
    }
    assert share[2024] == pytest.approx(538 / 8_454) and share[2025] == pytest.approx(404 / 22_450)
    cov = next(ev for ev in events.events if ev.id == "chn_2025_18_rare_earths").coverage["rare_earths"]
    assert cov.low <= min(share.values()) and max(share.values()) <= cov.high
    assert min(share.values()) <= cov.value <= max(share.values())
    assert "6.4%" in cov.note and "1.8%" in cov.note
