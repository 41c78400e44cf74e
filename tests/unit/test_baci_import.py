"""The BACI importer: mapping file, determinism, the store's contents and its refusals.

Broken trade files (truncated gzip, malformed rows, unknown codes, negative values) are in the
corpus (tests/corpus/cases.yaml, kind baci); these tests cover the rest."""

import csv
import shutil

import pyarrow.parquet as pq
import pytest

from risk.importers.baci import ImportFailure, StoreError, import_baci, load_mapping, load_store
from tests.conftest import DATA, ROOT, tree_hash

CORPUS = ROOT / "tests" / "corpus" / "baci"
ISSUE_GROUPS = {
    "rare_earths": ["280530", "284610", "284690"],
    "graphite": ["250410", "250490"],
    "lithium": ["282520", "283691"],
    "cobalt": ["282200", "810510"],
    "tungsten": ["261100", "810110"],
}


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(DATA / "trade_products.yaml")


def test_fixed_groups_are_exactly_the_issue_ones(mapping):
    for mineral, codes in ISSUE_GROUPS.items():
        assert mapping.codes(mineral) == codes


def test_every_code_in_the_slice_is_mapped_or_explained(mapping):
    with (DATA / "raw/baci_hs92/product_codes_hs92.csv").open(encoding="utf-8") as fh:
        codes = {r["code"] for r in csv.DictReader(fh)}
    assert len(codes) == 63
    assert codes == set(mapping.products) | set(mapping.not_mapped)
    assert mapping.products["811230"].last_year == 2016  # germanium: HS 2017 moved it
    assert {mapping.products[h].mineral for h in ("711011", "711019")} == {"platinum"}
    assert {mapping.products[h].mineral for h in ("711021", "711029")} == {"palladium"}


def test_country_notes_and_eu27(mapping):
    assert mapping.country_notes["490"].iso3 == "TWN"  # "Other Asia, n.e.s."
    assert mapping.country_name("XZA") == "Southern African Customs Union (to 1999)"
    eu = mapping.groups["EU27"].members
    assert len(eu) == 27 and "GBR" not in eu and {"DEU", "FRA", "HRV"} <= set(eu)


def _mapping_copy(tmp_path, old: str, new: str):
    data = tmp_path / "d"
    (data / "usgs").mkdir(parents=True)
    shutil.copytree(DATA / "usgs/mcs2026", data / "usgs/mcs2026")
    text = (DATA / "trade_products.yaml").read_text(encoding="utf-8")
    assert old in text
    (data / "trade_products.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return data / "trade_products.yaml"


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        (
            'hs: "284610", mineral: rare_earths',
            'hs: "280530", mineral: rare_earths',
            r"trade_products.yaml:\d+: products\[1\] 280530: hs: HS code listed twice",
        ),
        ("mineral: antimony,", "mineral: antimonium,", r"products\[\d+\] 261710: mineral: no mineral 'antimonium' in data/usgs/mcs2026/"),
        ('stage: metal/powder, note: "Rare', 'stage: metal, note: "Rare', r"products\[0\] 280530: stage: Input should be"),
        ("members: [AUT,", "members: [AUX,", r"groups\[0\] EU27: members: unknown country code\(s\) AUX"),
        ("iso3: XZA", "iso3: ZZZ", r"countries\[1\] 711: iso3: 'ZZZ' is neither an ISO 3166-1 code nor a user-assigned X.. code"),
    ],
)
def test_bad_mapping_names_line_and_field(tmp_path, old, new, expect):
    path = _mapping_copy(tmp_path, old, new)
    with pytest.raises(ImportFailure, match=expect):
        load_mapping(path)


def test_import_is_deterministic_and_keeps_units(tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    out1.mkdir()
    out2.mkdir()
    f1 = import_baci(CORPUS / "valid.csv.gz", out1, DATA / "trade_products.yaml")
    f2 = import_baci(CORPUS / "valid.csv.gz", out2, DATA / "trade_products.yaml")
    assert f1 == f2
    (b,) = f1.values()
    assert (out1 / "trade/baci_hs92_minerals.parquet").read_bytes() == b
    meta = pq.ParquetFile(out1 / "trade/baci_hs92_minerals.parquet").schema_arrow.metadata
    assert meta[b"source"] == b"cepii_baci_hs92"
    assert b"value_usd: US dollars" in meta[b"units"]
    assert meta[b"rows_not_mapped"] == b"1"  # the uranium-ore row (261210)


def test_store_values_are_baci_values_exactly(tmp_path):
    import_baci(CORPUS / "valid.csv.gz", tmp_path, DATA / "trade_products.yaml")
    shutil.copy(DATA / "trade_products.yaml", tmp_path / "trade_products.yaml")
    s = load_store(tmp_path).set_index(["exporter", "importer", "hs"])
    # 2023,156,CHN,842,USA,280530,7456.025,384.664 in the file
    assert s.loc[("CHN", "USA", "280530"), "value_kusd"] == 7456.025
    assert s.loc[("CHN", "USA", "280530"), "quantity_t"] == 384.664
    assert s.loc[("TWN", "LKA", "284690"), "value_kusd"] == 0.23  # BACI 490 "Other Asia, n.e.s." is Taiwan
    assert s.attrs["years"] == (2023, 2023)


def test_store_built_from_another_mapping_is_refused(tmp_path):
    import_baci(CORPUS / "valid.csv.gz", tmp_path, DATA / "trade_products.yaml")
    (tmp_path / "trade_products.yaml").write_text((DATA / "trade_products.yaml").read_text() + "\n# edited\n")
    with pytest.raises(StoreError, match=r"built from another data/trade_products\.yaml"):
        load_store(tmp_path)


def test_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreError, match="run `python -m risk import-baci data/raw/baci_hs92`"):
        load_store(tmp_path)


def test_failed_import_keeps_the_previous_store(tmp_path):
    import_baci(CORPUS / "valid.csv.gz", tmp_path, DATA / "trade_products.yaml")
    before = tree_hash(tmp_path)
    with pytest.raises(ImportFailure, match="negative value"):
        import_baci(CORPUS / "negative_value.csv.gz", tmp_path, DATA / "trade_products.yaml")
    assert tree_hash(tmp_path) == before


def test_folder_needs_exactly_one_trade_file(tmp_path):
    with pytest.raises(ImportFailure, match=r"expected one BACI \.csv\.gz file in the folder, found 14"):
        import_baci(CORPUS, tmp_path, DATA / "trade_products.yaml")
    assert not any(tmp_path.iterdir())
