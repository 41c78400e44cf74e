"""`python -m risk trade` and `python -m risk exposure` as a user runs them (new processes)."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "risk", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


US_RE = ["--importer", "USA", "--mineral", "rare_earths", "--from", "2021", "--to", "2024"]


def test_trade_json_one_row_per_exporter():
    p = run("trade", *US_RE, "--format", "json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    need = {"importer", "exporter", "mineral", "from", "to", "value_kusd", "quantity_t", "share_value", "share_quantity", "source"}
    assert need <= set(rows[0])
    assert len({r["exporter"] for r in rows}) == len(rows)
    by = {r["exporter"]: r for r in rows}
    assert round(by["CHN"]["share_value"], 3) == 0.616 and round(by["JPN"]["share_value"], 3) == 0.155
    assert {r["source"] for r in rows} == {"cepii_baci_hs92"}
    assert (rows[0]["from"], rows[0]["to"], rows[0]["importer"]) == (2021, 2024, "USA")
    assert sum(r["share_value"] for r in rows) == pytest.approx(1.0)


def test_trade_csv_and_table_and_by_quantity():
    p = run("trade", *US_RE, "--format", "csv", "--by", "quantity")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert rows[0]["exporter"] == "CHN" and rows[1]["exporter"] == "MYS"  # by tonnes Malaysia is second
    p = run("trade", *US_RE)
    assert p.returncode == 0, p.stderr
    assert "61.6%" in p.stdout and "15.5%" in p.stdout and "cepii_baci_hs92" in p.stdout


def test_exposure_json():
    p = run("exposure", *US_RE, "--origin", "CHN", "--format", "json")
    assert p.returncode == 0, p.stderr
    (r,) = json.loads(p.stdout)
    assert {"importer", "origin", "mineral", "direct", "indirect", "total", "via", "source"} <= set(r)
    assert (round(r["direct"], 3), round(r["indirect"], 3), round(r["total"], 3)) == (0.616, 0.111, 0.727)
    assert r["via"][0]["country"] == "JPN" and {"country", "share", "look_through"} <= set(r["via"][0])
    assert r["hhi_sourcing"] == pytest.approx(4106, abs=1) and r["wgi_source"] == "wb_wgi_2023"


def test_exposure_all_minerals_and_eu27_table():
    p = run("exposure", "--importer", "USA", "--origin", "CHN", "--mineral", "all", "--from", "2021", "--to", "2024", "--format", "json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert len(res) > 35 and {"rare_earths", "graphite", "tungsten", "cobalt", "lithium"} <= {r["mineral"] for r in res}
    assert all(0 <= r["direct"] <= r["total"] <= 1 + 1e-9 for r in res)
    p = run("exposure", "--importer", "EU27", "--mineral", "graphite", "--format", "table")
    assert p.returncode == 0, p.stderr
    assert "European Union (27 member states)" in p.stdout and "graphite" in p.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["trade", "--importer", "XYZ", "--mineral", "rare_earths"], "--importer 'XYZ': not an importer"),
        (["trade", "--importer", "USA", "--mineral", "kryptonite"], "--mineral 'kryptonite': not a mineral"),
        (["exposure", "--importer", "USA", "--mineral", "cobalt", "--from", "2020", "--to", "2030"], "cover 1995-2024"),
        (["exposure", "--importer", "USA", "--mineral", "germanium", "--from", "2021"], "only valid to 2016"),
    ],
)
def test_bad_queries_are_one_line_errors(args, expect):
    p = run(*args)
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.startswith("error: ") and p.stderr.count("\n") == 1, p.stderr
    assert expect in p.stderr and "Traceback" not in p.stderr
