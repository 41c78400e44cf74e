"""The bad-input corpus (tests/corpus/cases.yaml): each input gets its exact message, never a
traceback, and neither the bundled data nor any other file changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from risk.cli import main
from risk.scenarios import ScenarioError, from_query_params, load_scenario
from tests.conftest import DATA, tree_hash

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def bundled_hash():
    before = tree_hash(DATA)
    yield before
    assert tree_hash(DATA) == before, "the corpus changed the bundled data"


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)
    for c in CASES:
        if "file" in c:
            assert (CORPUS / c["file"]).exists(), c["file"]


def _generate(kind: str, tmp_path: Path) -> Path:
    if kind == "huge_data_yaml":
        p = tmp_path / "huge.yaml"
        with p.open("w") as fh:
            fh.write("mineral: gallium\nnotes: |\n")
            line = "  " + "x" * 98 + "\n"
            for _ in range(510_000):  # about 51 MB
                fh.write(line)
        return p
    if kind == "oversized_csv":
        raw = (DATA / "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv").read_bytes()
        header, body = raw.split(b"\n", 1)
        p = tmp_path / "oversized.csv"
        with p.open("wb") as fh:
            fh.write(header + b"\n")
            for _ in range(10):
                fh.write(body)
        return p
    if kind in ("sources_bad_doi", "sources_duplicate_id"):
        # one deliberate break in the live sources.yaml (no copy to keep in step with it)
        text = (DATA / "sources.yaml").read_text(encoding="utf-8")
        old, new = {
            "sources_bad_doi": ("doi: 10.5066/P1WKQ63T", "doi: 5066/P1WKQ63T"),
            "sources_duplicate_id": ("- id: usgs_mcs2025", "- id: usgs_mcs2026"),
        }[kind]
        assert old in text
        p = tmp_path / f"{kind}.yaml"
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
        return p
    if kind == "huge_scenario":
        p = tmp_path / "huge-scenario.yaml"
        p.write_text("description: |\n" + ("  " + "y" * 98 + "\n") * 20_000 + "baseline: {minerals: [gallium]}\n")
        return p
    raise ValueError(kind)


def _data_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("raw"))
    return dest


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, tmp_path, capsys, bundled_hash):
    kind = case["kind"]
    if kind == "url":
        with pytest.raises(ScenarioError) as exc:
            from_query_params(case["params"], load_scenario("china_export_ban"))
        assert case["expect"] in str(exc.value)
        return

    if kind == "generated":
        src = _generate(case["make"], tmp_path)
        kind = {"oversized_csv": "csv", "huge_scenario": "scenario"}.get(case["make"], "data")
    elif kind == "trade":
        src = None
    else:
        src = CORPUS / case["file"]

    if kind == "data":
        data = _data_copy(tmp_path)
        shutil.copyfile(src, data / case["target"])
        before = tree_hash(data)
        rc = main(["--data-dir", str(data), "validate"])
        out = capsys.readouterr()
        assert rc == 1, out.out[-2000:]
        assert case["expect"] in out.out, out.out[-3000:]
        if "only" in case:  # one broken record must not cascade into errors elsewhere
            assert f"Problems ({case['only']}):" in out.out, out.out[-3000:]
        assert "Traceback" not in out.out
        assert tree_hash(data) == before
    elif kind == "csv":
        data = _data_copy(tmp_path)
        before = tree_hash(data)
        rc = main(["--data-dir", str(data), "import-usgs", str(src), "--edition", "2026"])
        out = capsys.readouterr()
        if case.get("ok"):
            assert rc == 0, out.err
            chk = case["check"]
            doc = yaml.safe_load((data / "usgs/mcs2026" / f"{chk['mineral']}.yaml").read_text())
            fig = next(f for s in doc["world"] for f in s["figures"] if f["country"] == chk["country"] and f["year"] == chk["year"])
            assert fig["value"] == chk["value"] and fig.get("flag", "none") == chk["flag"]
        else:
            assert rc == 1
            assert case["expect"] in out.err, out.err
            assert out.err.startswith("error: ")
            assert tree_hash(data) == before, "a failed import must write nothing"
        assert "Traceback" not in out.err + out.out
    elif kind == "scenario":
        rc = main(["scenario", str(src), "--format", "json"])
        out = capsys.readouterr()
        assert "Traceback" not in out.err + out.out
        if case.get("ok"):
            assert rc == 0, out.err
            if "stdout" in case:
                assert case["stdout"] in out.out
        else:
            assert rc == 1
            assert case["expect"] in out.err, out.err
    elif kind == "baci":
        data = _data_copy(tmp_path)
        before = tree_hash(data)
        rc = main(["--data-dir", str(data), "import-baci", str(src)])
        out = capsys.readouterr()
        assert "Traceback" not in out.err + out.out
        if case.get("ok"):
            from risk.importers.baci import load_store

            assert rc == 0, out.err
            store = load_store(data)
            assert len(store) == case["check"]["rows"] and case["check"]["exporter"] in set(store["exporter"].astype(str))
        else:
            assert rc == 1
            assert case["expect"] in out.err, out.err
            assert out.err.startswith("error: ") and out.err.count("\n") == 1, out.err
            assert tree_hash(data) == before, "a failed import must write nothing"
    elif kind == "trade":
        rc = main(case["args"])
        out = capsys.readouterr()
        assert rc == 1
        assert "Traceback" not in out.err + out.out
        assert case["expect"] in out.err, out.err
        assert out.err.startswith("error: ") and out.err.count("\n") == 1, out.err
    else:
        raise AssertionError(kind)
