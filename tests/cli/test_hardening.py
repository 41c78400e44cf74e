"""Fuzzing the loaders and the scenario parser, an import killed half-way, and the config."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk.importers.common import ImportFailure
from risk.importers.upload import import_upload
from risk.importers.usgs_mcs import parse_value
from risk.scenarios import Scenario, ScenarioError, from_query_params, load_scenario, load_scenario_text
from risk.yamlio import DataFileError, load_yaml_text
from tests.conftest import DATA, ROOT, tree_hash

# --- fuzz: a clean error or a valid result, never a crash -----------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_fuzz_yaml_text(text):
    try:
        load_yaml_text(text, path="fuzz.yaml")
    except DataFileError as exc:
        assert str(exc).startswith("fuzz.yaml")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_fuzz_yaml_bytes(data):
    try:
        load_yaml_text(data, path="fuzz.yaml")
    except DataFileError:
        pass


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
shock_dicts = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["export_restriction", "supply_change", "access", "spare_capacity", "stockpile", "recycling", "demand_change", "x"]
        )
    },
    optional={
        "country": st.sampled_from(["CHN", "RUS", "XXX", "chn", ""]),
        "fraction": yaml_scalars,
        "pass_through": yaml_scalars,
        "change": yaml_scalars,
        "value": yaml_scalars,
        "share": yaml_scalars,
        "months": yaml_scalars,
        "destination": st.sampled_from(["us", "all", "mars"]),
        "minerals": st.one_of(st.just("all"), st.lists(st.sampled_from(["gallium", "antimony", "Bad Name"]), max_size=3)),
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "baseline": st.fixed_dictionaries(
                {"minerals": st.lists(st.sampled_from(["gallium", "antimony", "rare_earths", "Ga"]), max_size=4)}
            )
        },
        optional={"shocks": st.lists(shock_dicts, max_size=4), "horizon_months": yaml_scalars, "name": yaml_scalars},
    )
)
def test_fuzz_scenario_documents(doc):
    import yaml

    try:
        text = yaml.safe_dump(doc)
    except yaml.YAMLError:
        return
    try:
        sc = load_scenario_text(text, where="fuzz")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz")
    else:
        assert isinstance(sc, Scenario)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=4))
def test_fuzz_link_parameters(params):
    base = load_scenario("china_export_ban")
    try:
        sc = from_query_params(params, base)
    except ScenarioError as exc:
        assert str(exc).startswith("link")
    else:
        assert isinstance(sc, Scenario)


@settings(max_examples=500)
@given(st.text(max_size=30))
def test_fuzz_value_parser(text):
    try:
        value, flag, _raw = parse_value(text)
    except ValueError:
        return
    assert value is None or value >= 0
    assert flag


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.txt"]))
def test_fuzz_csv_upload(data, name):
    try:
        import_upload(data, name)
    except ImportFailure as exc:
        assert str(exc).startswith(name)


HEADER = "MCS chapter,Section,Commodity,Country,Statistics,Statistics_detail,Unit,Year,Value,Notes,Is critical mineral 2025,Other notes\n"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12), min_size=12, max_size=12),
        min_size=1,
        max_size=5,
    )
)
def test_fuzz_csv_rows(rows):
    import csv
    import io

    buf = io.StringIO()
    buf.write(HEADER)
    csv.writer(buf).writerows(rows)
    try:
        import_upload(buf.getvalue().encode("utf-8"), "rows.csv")
    except ImportFailure:
        pass


# --- an import killed half-way ----------------------------------------------------------------


# The import runs in a child process, unchanged; the child only patches a standard-library call
# so that it stops at a known point (and says so), where the test kills it with SIGKILL.
_PAUSE = """
import os, pathlib, sys, time

def pause(point):
    print(f"paused at {point}", flush=True)
    time.sleep(60)

if sys.argv[1] == "staging":  # after 40 of the ~90 files are written to the staging folder
    write_text, written = pathlib.Path.write_text, []

    def staged_write(self, *args, **kwargs):
        n = write_text(self, *args, **kwargs)
        if ".new-" in self.parent.name:
            written.append(self)
            if len(written) == 40:
                pause("staging")
        return n

    pathlib.Path.write_text = staged_write
else:  # "swap": after the old folder is moved aside, before the new one is moved in
    replace = os.replace

    def swap(src, dst, *args, **kwargs):
        replace(src, dst, *args, **kwargs)
        if ".old-" in os.path.basename(dst):
            pause("swap")

    os.replace = swap

from risk.cli import main

sys.exit(main(sys.argv[2:]))
"""


def _run_import_and_kill(data_dir, point: str):
    args = ["--data-dir", str(data_dir), "import-usgs", str(DATA / "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv"), "--edition", "2026"]
    proc = subprocess.Popen(
        [sys.executable, "-c", _PAUSE, point, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.strip() == f"paused at {point}", line + proc.stdout.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def test_import_killed_while_writing_leaves_previous_files(data_copy):
    from risk.dataset import load_dataset

    folder = data_copy / "usgs/mcs2026"
    (folder / "gallium.yaml").write_text((folder / "gallium.yaml").read_text().replace("value: 900000", "value: 900001", 1))
    before = tree_hash(folder)
    _run_import_and_kill(data_copy, "staging")
    assert tree_hash(folder) == before
    leftovers = list((data_copy / "usgs").glob(".*"))
    assert leftovers, "the staging folder of the killed import is still there"
    ds = load_dataset(data_copy, use_cache=False)  # a staging folder is not an interrupted swap
    assert ds.ok
    assert 900001 in set(ds.figures["value"])
    assert tree_hash(folder) == before and list((data_copy / "usgs").glob(".*")) == leftovers, "the loader changed nothing"
    # the next import cleans up first and completes
    from risk.importers.usgs_mcs import import_edition

    import_edition(DATA / "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv", "2026", data_copy)
    assert not list((data_copy / "usgs").glob(".*"))
    assert tree_hash(folder) == tree_hash(DATA / "usgs/mcs2026")


def test_import_killed_between_renames_is_refused_then_repaired(data_copy, capsys):
    import pytest

    from risk.cli import main
    from risk.dataset import InterruptedImportError, load_dataset

    folder = data_copy / "usgs/mcs2026"
    before = tree_hash(folder)
    _run_import_and_kill(data_copy, "swap")
    assert not folder.exists()  # killed after moving the old folder aside
    (old,) = (data_copy / "usgs").glob(".mcs2026.old-*")
    staging = list((data_copy / "usgs").glob(".mcs2026.new-*"))
    assert staging, "the complete new folder is still staged"
    # the loader refuses, names the folder and the command, and changes nothing
    for strict in (True, False):
        with pytest.raises(InterruptedImportError) as exc:
            load_dataset(data_copy, strict=strict, use_cache=False)
        msg = str(exc.value)
        assert "\n" not in msg and msg.startswith(f"{old}: ") and f"python -m risk --data-dir {data_copy} repair" in msg
        assert old.is_dir() and not folder.exists()
    assert main(["--data-dir", str(data_copy), "validate"]) == 1
    assert "repair" in capsys.readouterr().err
    # repair puts the previous folder back and says so
    assert main(["--data-dir", str(data_copy), "repair"]) == 0
    out = capsys.readouterr().out
    assert f"restored {folder}" in out and f"removed {staging[0]}" in out
    assert tree_hash(folder) == before
    assert not list((data_copy / "usgs").glob(".*"))
    assert load_dataset(data_copy, use_cache=False).ok
    assert main(["--data-dir", str(data_copy), "repair"]) == 0
    assert "Nothing to repair" in capsys.readouterr().out


def test_import_recovers_an_interrupted_import_before_it_starts(data_copy):
    from risk.importers.usgs_mcs import import_edition

    _run_import_and_kill(data_copy, "swap")
    import_edition(DATA / "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv", "2026", data_copy)
    assert not list((data_copy / "usgs").glob(".*"))
    assert tree_hash(data_copy / "usgs/mcs2026") == tree_hash(DATA / "usgs/mcs2026")


# --- configuration and rendering ----------------------------------------------------------------


def test_streamlit_config_is_hardened():
    cfg = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["runOnSave"] is False
    assert cfg["browser"]["gatherUsageStats"] is False
    largest = (DATA / "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv").stat().st_size
    assert largest * 3 < cfg["server"]["maxUploadSize"] * 1_000_000 <= 50_000_000


def test_no_user_text_is_rendered_as_html():
    for path in [*ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        assert "unsafe_allow_html" not in path.read_text(), path
    assert "import streamlit" not in "".join(p.read_text() for p in ROOT.glob("risk/**/*.py"))
