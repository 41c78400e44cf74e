"""The metrics and claims commands."""

import json

from risk.cli import main


def test_metrics_cli_bands_default_2023_and_2010(capsys):
    main(["metrics", "--format", "json", "--mineral", "antimony", "--edition", "2026"])
    rows = json.loads(capsys.readouterr().out)
    mid = [r for r in rows if r["hhi"] and 1800 < r["hhi"] <= 2500]
    assert mid, "antimony has a series with an HHI between 1,800 and 2,500"
    assert {r["hhi_band"] for r in mid} == {"highly concentrated"} and {r["bands"] for r in rows} == {"2023"}
    main(["metrics", "--format", "json", "--mineral", "antimony", "--edition", "2026", "--bands", "2010"])
    rows = json.loads(capsys.readouterr().out)
    assert {r["hhi_band"] for r in rows if r["hhi"] and 1800 < r["hhi"] <= 2500} == {"moderately concentrated"}


def test_cli_metrics_json(capsys):
    assert main(["metrics", "--format", "json", "--mineral", "gallium", "--stage", "primary", "--year", "2025", "--edition", "2026"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    r = rows[0]
    wanted = "mineral stage year edition unit top_country cr1 cr3 hhi hhi_band hhi_wgi wgi_year nir nir_flag"
    wanted += " top_import_country single_supplier_dependency sources"
    assert set(wanted.split()) <= set(r)
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


def test_cli_prices_antimony(capsys):
    assert main(["prices", "--mineral", "antimony", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    metal = [r for r in rows if r["series"] == "Price, metal, average, dollars per pound"]
    assert [r["year"] for r in metal] == [2021, 2022, 2023, 2024, 2025]
    assert metal[0]["value"] == 5.31 and metal[-1]["value"] == 25.0 and metal[-1]["flag"] == "estimated"
    assert {r["unit"] for r in metal} == {"dollars per pound"} and {r["source"] for r in rows} == {"usgs_mcs2026"}
    assert main(["prices", "--mineral", "unobtainium"]) == 1
