"""`python -m risk events`, `chains` and `event-claims` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "risk", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def status(out, event, part="all"):
    return next(r for r in json.loads(out)["events"] if r["event"] == event and r["part"] == part)


def test_events_json_on_the_done_when_dates():
    p = run("events", "--as-of", "2025-06-01", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert status(p.stdout, "chn_2023_23_gallium_germanium")["status"] == "in force"
    assert status(p.stdout, "chn_2024_46_us_dual_use", "art2")["status"] == "in force"
    assert status(p.stdout, "chn_2025_18_rare_earths")["status"] == "in force"
    p = run("events", "--as-of", "2025-12-01", "--format", "json")
    r = status(p.stdout, "chn_2024_46_us_dual_use", "art2")
    assert (r["status"], r["until"]) == ("suspended", "2026-11-27")
    r = status(p.stdout, "chn_2025_57_ree_five")
    assert (r["status"], r["until"]) == ("suspended", "2026-11-10")
    assert r["minerals"] == ["rare_earths", "holmium", "erbium", "ytterbium", "europium"] and "geopolitechs_2025_10" in r["sources"]
    p = run("events", "--as-of", "2023-01-01", "--format", "json")
    assert {r["status"] for r in json.loads(p.stdout)["events"] if r["country"] == "CHN"} == {"not yet announced"}


def test_events_default_date_is_the_data_as_of_date_and_reports_lapses():
    p = run("events", "--format", "json")
    doc = json.loads(p.stdout)
    assert doc["date"] == doc["as_of_data"] == "2026-12-02"
    r = status(p.stdout, "chn_2025_58_batteries")
    assert r["status"] == "unknown after 2026-11-10" and "no later announcement in the data" in r["note"]


def test_events_table_filtered_by_mineral():
    p = run("events", "--as-of", "2025-12-01", "--mineral", "gallium")
    assert p.returncode == 0, p.stderr
    assert "chn_2023_23_gallium_germanium" in p.stdout and "chn_2025_72_suspension_us" in p.stdout
    assert "chn_2025_58_batteries" not in p.stdout and "idn_2019_nickel_ore" not in p.stdout


def test_events_bad_input_is_one_line():
    p = run("events", "--as-of", "2025-13-01")
    assert p.returncode == 1 and p.stderr.strip() == "error: '2025-13-01' is not a date (use YYYY-MM-DD)"
    p = run("events", "--mineral", "unobtainium")
    assert p.returncode == 1 and "unknown mineral 'unobtainium'" in p.stderr and "Traceback" not in p.stderr


def test_chains_rare_earths_json():
    p = run("chains", "--mineral", "rare_earths", "--format", "json")
    assert p.returncode == 0, p.stderr
    stages = {r["stage"]: r for r in json.loads(p.stdout)}
    for s in ("mine", "separation", "magnet"):
        assert stages[s]["top_country"] == "CHN" and stages[s]["source"] and isinstance(stages[s]["year"], int)
        assert stages[s]["shares"][0]["country"] == "CHN"
    assert stages["separation"]["share"] > 0.9 and stages["magnet"]["share"] == 0.92
    assert stages["metal"]["shares"] == [] and "No country shares" in stages["metal"]["note"]


def test_chains_table_and_unknown_chain():
    p = run("chains", "--chain", "li_ion_batteries")
    assert p.returncode == 0 and "cathode" in p.stdout and "iea_batteries_2024" in p.stdout
    p = run("chains", "--chain", "nope")
    assert p.returncode == 1 and p.stderr.startswith("error: no product chain matches")


def test_event_claims_json():
    p = run("event-claims", "--format", "json")
    assert p.returncode == 0, p.stderr
    verdicts = {r["claim"]: r["verdict"] for r in json.loads(p.stdout)}
    assert verdicts["china_ban_to_us"] == "partly supported"


def test_events_csv_is_plain_csv():
    import csv
    import io

    p = run("events", "--as-of", "2025-12-01", "--format", "csv")
    assert p.returncode == 0, p.stderr
    recs = list(csv.DictReader(io.StringIO(p.stdout)))
    assert recs[0]["date"] == "2025-12-01"
    assert {r["status"] for r in recs if r["event"] == "chn_2025_62_ree_technology"} == {"suspended"}
