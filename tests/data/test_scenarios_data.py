"""The data the scenario model reads: U.S. salient statistics, the baseline, the choke-point stages."""

import pytest

from risk.dataset import load_dataset


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def _salient(ds, mineral, measure, year=2025, primary=None):
    s = ds.salient
    sel = s[(s["mineral"] == mineral) & (s["measure"] == measure) & (s["year"] == year)]
    if primary is not None:
        sel = sel[sel["primary"] == primary]
    return sel


def test_gallium_reported_consumption_is_imported_with_its_basis(ds):
    # MCS 2026, Gallium, Salient Statistics: "Consumption, reported" 2025e = 19,000 kg
    c = _salient(ds, "gallium", "consumption", primary=True)
    assert len(c) == 1
    row = c.iloc[0]
    assert (row["value"], row["unit"], row["basis"], row["flag"]) == (19000.0, "kg", "reported", "estimated")
    assert row["detail"] == "Consumption, reported"


def test_every_salient_measure_with_units_and_series_names(ds):
    s = ds.salient
    assert {"production", "consumption", "imports", "exports", "stocks", "price"} <= set(s["measure"])
    assert s["detail"].str.len().gt(0).all() and s["unit"].notna().all()
    assert s["mineral"].nunique() > 100
    # prices keep USGS's unit words and series names (another issue reads them)
    p = _salient(ds, "antimony", "price", year=2024)
    assert p.iloc[0]["unit"] == "dollars per pound" and p.iloc[0]["detail"].startswith("Price, metal")
    assert _salient(ds, "gallium", "price").iloc[0]["value"] == 580.0


@pytest.mark.parametrize(
    ("mineral", "basis", "value", "flag"),
    [
        ("antimony", "apparent", 45000.0, "estimated"),
        ("rare_earths", "apparent", 27000.0, "estimated"),  # compounds and metals, as the NIR
        ("nickel", "apparent", 220000.0, "estimated"),  # "total apparent consumption", as the NIR
        ("germanium", "estimated", None, "not_available"),  # NA: a reason, not a zero
        ("tungsten", "apparent", None, "withheld"),
        ("palladium", "apparent", 130000.0, "estimated"),
    ],
)
def test_primary_consumption_matches_the_nir_basis(ds, mineral, basis, value, flag):
    c = _salient(ds, mineral, "consumption", primary=True)
    assert len(c) == 1
    row = c.iloc[0]
    assert row["basis"] == basis and row["flag"] == flag
    assert (value is None and row["value"] != row["value"]) or row["value"] == value


def test_one_primary_consumption_per_mineral(ds):
    c = ds.salient[(ds.salient["measure"] == "consumption") & ds.salient["primary"]]
    per = c.groupby("mineral")["detail"].nunique()
    assert (per == 1).all()
