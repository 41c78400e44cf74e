"""The USGS, IEA, WGI and critical-list importers on the real files and on broken ones."""

import shutil

import pytest

from risk.importers.common import ImportFailure
from risk.importers.corrections import correct
from risk.importers.iea import import_iea
from risk.importers.usgs_mcs import import_edition, parse_value
from risk.importers.usgs_mcs2025 import import_mcs2025_world
from risk.importers.usgs_mcs2026 import import_mcs2026
from risk.importers.wgi import import_wgi
from tests.conftest import DATA, tree_hash

MCS2026 = DATA / "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv"
MCS2025 = DATA / "raw/usgs_mcs2025/MCS2025_World_Data.csv"
IEA = DATA / "raw/iea/IEA_Critical_Minerals_Dataset_2025-05.xlsx"
WGI = DATA / "raw/wgi/WGIData.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("270,000", (270000.0, "none", None)),
        ("5900000", (5900000.0, "none", None)),
        ("W", (None, "withheld", "W")),
        ("NA", (None, "not_available", "NA")),
        ("—", (0.0, "none", "—")),
        (">95", (95.0, "lower_bound", ">95")),
        (">85,000,000", (85000000.0, "lower_bound", ">85,000,000")),
        ("<1", (1.0, "upper_bound", "<1")),
        ("E", (0.0, "net_exporter", "E")),
        ("XX", (None, "not_calculable", "XX")),
        ("10,000 - 15,000", (12500.0, "range", "10,000 - 15,000")),
        ("Large", (None, "qualitative", "Large")),
        ("68\xa0", (68.0, "none", "68\xa0")),
    ],
)
def test_parse_value(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize("bad", ["1,2,3", "> 95 %", '=HYPERLINK("x")', "12a", "15,000 - 10,000"])
def test_parse_value_refuses_junk(bad):
    with pytest.raises(ValueError):
        parse_value(bad)


@pytest.fixture(scope="module")
def mcs2026():
    return import_mcs2026(MCS2026)


def _series(doc, stage, product=""):
    return next(s for s in doc["world"] if s["stage"] == stage and s["product"] == product)


def _fig(series, country, year):
    return next(f for f in series["figures"] if f["country"] == country and f["year"] == year)


def test_mcs2026_rare_earths(mcs2026):
    mine = _series(mcs2026["rare_earths"], "mine")
    assert mine["unit"] == "t"
    assert mine["basis"] == "rare-earth-oxide (REO) equivalent"
    assert _fig(mine, "CHN", 2025)["value"] == 270000
    assert _fig(mine, "USA", 2025)["value"] == 51000
    assert _fig(mine, "WLD", 2025)["value"] == 390000
    burma = _fig(mine, "MMR", 2025)
    assert burma["label"] == "Burma"
    res = _series(mcs2026["rare_earths"], "reserves")
    world = _fig(res, "WLD", 2025)
    assert (world["value"], world["flag"], world["raw"]) == (85000000, "lower_bound", ">85,000,000")
    us = mcs2026["rare_earths"]["us"]
    imports = next(s for s in us if s["measure"] == "import_sources" and s["primary"])
    shares = {f["country"]: f["value"] for f in imports["figures"]}
    assert shares == {"CHN": 71, "MYS": 13, "JPN": 5, "EST": 5, "OTH": 6}
    assert imports["period"] == "2021–2024"
    nir = next(s for s in us if s["measure"] == "net_import_reliance" and s["primary"])
    assert "Compounds and metals" in nir["detail"]
    assert {f["year"]: f["value"] for f in nir["figures"]}[2025] == 67
    concentrates = next(s for s in us if s["measure"] == "net_import_reliance" and not s["primary"])
    assert {f["flag"] for f in concentrates["figures"]} == {"net_exporter"}


def test_mcs2026_has_every_commodity_with_a_world_table(mcs2026):
    with_world = {m for m, d in mcs2026.items() if d["world"]}
    assert len(with_world) == 90
    assert {"gallium", "germanium", "graphite", "antimony", "tungsten", "cobalt", "lithium", "nickel"} <= set(mcs2026)
    # germanium has no world table (withheld), only U.S. data
    assert mcs2026["germanium"]["world"] == []
    assert mcs2026["gallium"]["critical_2025"] is True
    assert mcs2026["cement"]["critical_2025"] is False
    stages = {s["stage"] for d in mcs2026.values() for s in d["world"]}
    assert {"mine", "refinery", "primary", "smelter", "reserves", "capacity"} <= stages


def test_mcs2026_gallium_is_primary_production(mcs2026):
    primary = _series(mcs2026["gallium"], "primary")
    assert primary["unit"] == "kg"
    assert _fig(primary, "CHN", 2025)["value"] == 900000
    assert _fig(primary, "OTH", 2025)["value"] == 0


def test_mcs2025_world_table():
    docs = import_mcs2025_world(MCS2025)
    assert len([d for d in docs.values() if d["world"]]) >= 75
    mine = _series(docs["rare_earths"], "mine")
    assert _fig(mine, "CHN", 2024)["value"] == 270000
    assert _fig(mine, "WLD", 2024)["flag"] == "estimated"
    assert _fig(_series(docs["antimony"], "mine"), "CHN", 2024)["value"] == 60000  # revised to 40,000 in MCS 2026
    # USGS typo "Gemanium" maps to germanium; all its values are blank (withheld)
    ge = docs["germanium"]["world"]
    assert ge and all(f["value"] is None and f["flag"] == "not_available" for s in ge for f in s["figures"])
    # PGM reserves sit on the palladium rows in MCS 2025 and become their own mineral
    assert "platinum_group_metals" in docs and "palladium" in docs and "platinum" in docs


def test_iea_refining_shares():
    docs = correct(import_iea(IEA), "iea2025", DATA, str(IEA))
    ref = _series(docs["rare_earths"], "refinery", "magnet_ree")
    total = _fig(ref, "WLD", 2024)["value"]
    assert _fig(ref, "CHN", 2024)["value"] / total == pytest.approx(0.913, abs=0.001)
    assert _fig(ref, "CHN", 2030)["flag"] == "projection"
    assert "flag" not in _fig(ref, "CHN", 2024)
    # "Rest of world" is recomputed (by the correction in data/corrections.yaml) so that the rows
    # add up to the Total, even in the blocks where the workbook double-counts the sixth country
    # (graphite battery grade: Germany)
    for mineral, doc in docs.items():
        for s in doc["world"]:
            for year in {f["year"] for f in s["figures"]}:
                rows = [f["value"] for f in s["figures"] if f["year"] == year and f["country"] != "WLD"]
                assert sum(rows) == pytest.approx(_fig(s, "WLD", year)["value"]), (mineral, s["stage"], year)
    graphite = _series(docs["graphite"], "refinery", "battery_grade")
    assert _fig(graphite, "CHN", 2024)["value"] / _fig(graphite, "WLD", 2024)["value"] == pytest.approx(0.957, abs=0.001)


def test_iea_rest_of_world_is_a_correction_record(tmp_path):
    """The workbook is read as published; the record in data/corrections.yaml does the fix."""
    from risk.importers.iea import import_iea_file

    published = import_iea(IEA)
    nickel = _series(published["nickel"], "mine")
    assert _fig(nickel, "OTH", 2024)["value"] == 629  # Total minus the first five: Australia counted twice
    assert "note" not in _fig(nickel, "OTH", 2024)
    corrected = correct(import_iea(IEA), "iea2025", DATA, str(IEA))
    fig = _fig(_series(corrected["nickel"], "mine"), "OTH", 2024)
    assert fig["value"] == 529 and fig["note"].startswith("Total minus the listed countries")
    # without the record the import refuses rather than write rows that exceed the Total
    out = tmp_path / "out"
    with pytest.raises(ImportFailure, match=r"Nickel - Mining 2024: the countries and Rest of world add up to 3961 kt, not the Total"):
        import_iea_file(IEA, out)
    assert not (out / "iea").exists()


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        ("years: [2030, 2035, 2040]}", "also change the published value of graphite refinery battery_grade 2030"),
        (
            "  - {mineral: nickel, stage: refinery, years: [2024, 2030, 2035, 2040]}\n",
            "also change the published value of nickel refinery 2024",
        ),
        ("{mineral: nickel, stage: mine,", "no longer differs at copper mine 2024"),
    ],
)
def test_stale_derived_correction_is_refused(tmp_path, edit, needle):
    from risk.importers.iea import import_iea_file

    text = (DATA / "corrections.yaml").read_text()
    assert edit in text
    replacement = {
        "years: [2030, 2035, 2040]}": "years: [2035, 2040]}",
        "{mineral: nickel, stage: mine,": "{mineral: copper, stage: mine, years: [2024]}\n  - {mineral: nickel, stage: mine,",
    }.get(edit, "")
    data = tmp_path / "d"
    data.mkdir()
    (data / "corrections.yaml").write_text(text.replace(edit, replacement, 1))
    with pytest.raises(ImportFailure) as exc:
        import_iea_file(IEA, data)
    assert needle in str(exc.value) and "review `changes` in data/corrections.yaml" in str(exc.value)
    assert not (data / "iea").exists()


def test_derived_correction_on_a_literal_file():
    from risk.importers.corrections import apply_corrections
    from risk.schema import CorrectionsFile

    def doc(oth):
        figs = [
            {"country": "CHN", "year": 2024, "value": 60.0},
            {"country": "AUS", "year": 2024, "value": 15.0},
            {"country": "OTH", "year": 2024, "value": oth, "note": "as published"},
            {"country": "WLD", "year": 2024, "value": 100.0},
        ]
        return {"x": {"world": [{"stage": "mine", "product": "", "unit": "kt", "figures": figs}]}}

    rule = {"edition": "test2024", "country": "OTH", "derive": "world_minus_countries", "note": "Derived.", "reason": "r"}
    records = CorrectionsFile.model_validate({"corrections": [{**rule, "changes": [{"mineral": "x", "stage": "mine", "years": [2024]}]}]})
    docs = doc(40.0)
    apply_corrections(docs, "test2024", records.corrections, "t.xlsx")
    assert docs["x"]["world"][0]["figures"][2] == {"country": "OTH", "year": 2024, "value": 25.0, "note": "Derived. -- as published"}
    apply_corrections(docs := doc(25.0), "other2024", records.corrections, "t.xlsx")  # another edition: untouched
    assert docs["x"]["world"][0]["figures"][2]["value"] == 25.0
    with pytest.raises(ImportFailure, match=r"t\.xlsx: test2024 OTH correction .*no longer differs at x mine 2024"):
        apply_corrections(doc(25.0), "test2024", records.corrections, "t.xlsx")
    with pytest.raises(ImportFailure, match=r"the other rows \(120 kt\) exceed the world total \(100 kt\)"):
        bad = doc(40.0)
        bad["x"]["world"][0]["figures"][0]["value"] = 105.0
        apply_corrections(bad, "test2024", records.corrections, "t.xlsx")


def test_wgi_scaled_scores():
    doc = import_wgi(WGI)
    chn = doc["countries"]["CHN"][2022]
    assert 5 - 2 * sum(chn) / 6 == pytest.approx(5.67, abs=0.01)
    assert len(doc["countries"]) > 200


# --- broken inputs: a clear error and nothing written --------------------------------------


def _run_import(tmp_path, csv_bytes, edition="2026"):
    src = tmp_path / "input.csv"
    src.write_bytes(csv_bytes)
    out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
    out.mkdir()
    (out / "usgs").mkdir()
    marker = out / "usgs" / "keep.txt"
    marker.write_text("previous data")
    before = tree_hash(out)
    with pytest.raises(ImportFailure) as exc:
        import_edition(src, edition, out)
    assert tree_hash(out) == before, "a failed import must write nothing"
    return str(exc.value)


def test_truncated_csv(tmp_path):
    raw = MCS2026.read_bytes()
    cut = raw[: len(raw) // 2]
    cut = cut[: cut.rfind(b",")]  # stop in the middle of a row
    msg = _run_import(tmp_path, cut)
    assert "truncated" in msg and "input.csv:" in msg


def test_wrong_columns(tmp_path):
    msg = _run_import(tmp_path, b"a,b,c\n1,2,3\n")
    assert "missing column(s)" in msg and "'MCS chapter'" in msg


def test_empty_and_binary(tmp_path):
    assert "empty" in _run_import(tmp_path, b"")
    assert "binary" in _run_import(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))


def test_bad_value_names_row_and_field(tmp_path):
    good = b'Rare Earths,China,Production,Mine production,metric tons,2025,"270,000"'
    raw = MCS2026.read_bytes()
    assert good in raw
    msg = _run_import(tmp_path, raw.replace(good, good.replace(b"270,000", b"27O,000")))
    assert "input.csv:6094: Rare Earths China 2025: Value: cannot read the value '27O,000'" in msg


def test_unknown_country(tmp_path):
    raw = MCS2026.read_bytes().replace(b",Burma,", b",Atlantis,", 1)
    msg = _run_import(tmp_path, raw)
    assert "unknown country 'Atlantis'" in msg


def test_wrong_edition_layout(tmp_path):
    msg = _run_import(tmp_path, MCS2025.read_bytes(), edition="2026")
    assert "missing column(s)" in msg


def test_stale_correction_is_refused(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    text = (DATA / "corrections.yaml").read_text().replace("published: 4400", "published: 4500")
    (data / "corrections.yaml").write_text(text)
    with pytest.raises(ImportFailure, match="not the 4500"):
        import_edition(MCS2025, "2025", data)
    assert not (data / "usgs").exists()


# --- regeneration ---------------------------------------------------------------------------


@pytest.mark.slow
def test_reimport_reproduces_committed_yaml(tmp_path):
    """Re-running every importer on data/raw gives byte-identical files to those committed."""
    from risk.cli import import_all

    out = tmp_path / "data"
    out.mkdir()
    files = import_all(out, raw_dir=DATA)
    assert len(files) > 150
    for rel, text in files.items():
        if isinstance(text, bytes):  # the trade store (Parquet)
            _same_store(DATA / rel, text)
            continue
        committed = (DATA / rel).read_text(encoding="utf-8")
        assert committed == text, f"{rel} differs from a fresh import: run `python -m risk import-all`"
    generated = {p.relative_to(DATA).as_posix() for d in ("usgs", "iea", "wgi", "trade") for p in (DATA / d).rglob("*") if p.is_file()}
    assert generated <= set(files), f"stale generated files: {sorted(generated - set(files))}"


def _same_store(committed_path, fresh: bytes) -> None:
    """Byte-identical with the same pyarrow; with another pyarrow (whose writer may encode
    pages differently) the same rows, types and metadata."""
    import io

    import pyarrow
    import pyarrow.parquet as pq

    committed = committed_path.read_bytes()
    if committed == fresh:
        return
    meta = pq.ParquetFile(io.BytesIO(committed)).metadata
    same_writer = meta.created_by.endswith(f"version {pyarrow.__version__}")
    assert not same_writer, f"{committed_path.name} differs from a fresh import: run `python -m risk import-all`"
    a, b = pq.read_table(io.BytesIO(committed)), pq.read_table(io.BytesIO(fresh))
    assert a.schema.metadata == b.schema.metadata and a.equals(b), f"{committed_path.name} differs from a fresh import"


def test_raw_files_match_their_checksums():
    import hashlib

    for line in (DATA / "raw" / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((DATA / "raw" / name).read_bytes()).hexdigest() == digest, name


def test_importer_cli_reports_without_traceback(tmp_path, capsys):
    from risk.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("raw"))
    before = tree_hash(data)
    assert main(["--data-dir", str(data), "import-usgs", str(bad), "--edition", "2026"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err and "missing column(s)" in err
    assert tree_hash(data) == before
