"""The loader on the bundled data, and its errors on broken copies of it."""

import re

import pytest

from risk.cli import main
from risk.dataset import DatasetError, load_dataset
from tests.conftest import DATA


def test_bundled_data_loads_and_validates(ds):
    s = ds.summary()
    assert ds.ok, ds.problems
    assert s["commodities_mcs2026"] >= 85
    assert {"mcs2026", "mcs2025", "iea2025"} <= set(s["editions"])
    assert s["figures_with_source"] == s["figures"] + s["us_figures"]
    assert set(ds.figures["source"]) <= set(ds.sources)
    assert set(ds.us["source"]) <= set(ds.sources)


def test_done_when_numbers(ds):
    f = ds.figures
    ree = f[(f.edition == "mcs2026") & (f.mineral == "rare_earths") & (f.stage == "mine") & (f.year == 2025)].set_index("country")
    assert ree.loc["CHN", "value"] == 270_000
    assert ree.loc["USA", "value"] == 51_000
    assert ree.loc["WLD", "value"] == 390_000
    assert (ree["unit"] == "t").all()
    u = ds.us
    imp = u[(u.mineral == "rare_earths") & (u.measure == "import_sources") & u.primary].set_index("country")["value"]
    assert imp["CHN"] == 71 and imp["MYS"] == 13
    iea = f[(f.edition == "iea2025") & (f.mineral == "rare_earths") & (f.stage == "refinery") & (f.year == 2024)].set_index("country")[
        "value"
    ]
    assert iea["CHN"] / iea["WLD"] == pytest.approx(0.91, abs=0.01)


def test_columns_as_in_design(ds):
    for col in ["mineral", "stage", "country", "year", "value", "unit", "flag", "source", "note", "edition"]:
        assert col in ds.figures.columns
    assert ds.figures["country"].str.fullmatch(r"[A-Z]{3}").all()
    assert not ds.figures.duplicated(["series", "country", "year"]).any()


def test_claims_are_quoted_verbatim(ds):
    article = (DATA / "raw/article/article-trump-putin-rare-earths.txt").read_text(encoding="utf-8")
    assert len(ds.claims) >= 5
    for c in ds.claims:
        assert c.quote in article, c.id
    ids = {c.id for c in ds.claims}
    assert {"china_reserves_60", "china_production_90", "russia_fifth_reserves", "china_ban_gallium_germanium", "ukraine_offer_50"} <= ids


def test_critical_lists(ds):
    assert len(ds.critical_2022) == 50
    m = ds.minerals.set_index("mineral")
    assert m.loc["gallium", "critical_2022"] and m.loc["gallium", "critical_2025"]
    assert m.loc["rare_earths", "critical_2022"]


def test_wgi(ds):
    w = ds.wgi[(ds.wgi.country == "COD") & (ds.wgi.year == 2022)]
    assert w["scaled"].iloc[0] == pytest.approx(8.20, abs=0.01)


def test_cli_validate_exits_zero(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "MCS 2026 90" in out and out.strip().endswith("OK")


# --- broken copies: each problem names file, line, record and field -------------------------

GALLIUM = "usgs/mcs2026/gallium.yaml"


def _break(data_copy, rel, old, new, count=1):
    p = data_copy / rel
    text = p.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    p.write_text(text.replace(old, new, count), encoding="utf-8")


def _problems(data_copy):
    ds = load_dataset(data_copy, strict=False, use_cache=False)
    return [str(p) for p in ds.problems]


def test_malformed_yaml(data_copy):
    _break(data_copy, GALLIUM, "world:", "world: [")
    probs = _problems(data_copy)
    assert len(probs) == 1
    assert re.match(r"data/usgs/mcs2026/gallium.yaml:\d+: malformed YAML", probs[0])


def test_unknown_source_id(data_copy):
    _break(data_copy, GALLIUM, "source: usgs_mcs2026", "source: usgs_mcs2027")
    (p,) = _problems(data_copy)
    assert p.startswith("data/usgs/mcs2026/gallium.yaml:") and "source: unknown source id 'usgs_mcs2027'" in p


def test_negative_value(data_copy):
    _break(data_copy, GALLIUM, "{country: CHN, year: 2025, value: 900000", "{country: CHN, year: 2025, value: -900000")
    (p,) = _problems(data_copy)
    assert re.match(r"data/usgs/mcs2026/gallium.yaml:\d+: world\[0\] primary CHN 2025: value: negative value", p), p


def test_unknown_country(data_copy):
    _break(data_copy, GALLIUM, "{country: CHN, year: 2025", "{country: XYZ, year: 2025")
    (p,) = _problems(data_copy)
    assert "world[0] primary XYZ 2025: country: unknown country code 'XYZ'" in p


def test_duplicate_figure(data_copy):
    _break(data_copy, GALLIUM, "{country: JPN, year: 2025", "{country: CHN, year: 2025")
    (p,) = _problems(data_copy)
    assert "duplicate figure for CHN 2025" in p and "world[0] primary" in p


def test_unknown_unit(data_copy):
    _break(data_copy, GALLIUM, "unit: kg", "unit: bushels")
    (p,) = _problems(data_copy)
    assert "world[0] primary: unit: 'bushels' is not allowed" in p


def test_unknown_field(data_copy):
    _break(data_copy, GALLIUM, "{country: CHN, year: 2025,", "{country: CHN, yeer: 2024, year: 2025,")
    (p,) = _problems(data_copy)
    assert "yeer: unknown field 'yeer'" in p


def test_share_sum_far_from_world_total(data_copy):
    _break(data_copy, GALLIUM, "{country: WLD, year: 2025, value: 900000", "{country: WLD, year: 2025, value: 90000")
    (p,) = _problems(data_copy)
    assert "gallium world[0] primary 2025: value: country rows add up to 909,000 kg but the world total is 90,000" in p


def test_strict_load_raises_with_every_problem(data_copy):
    _break(data_copy, GALLIUM, "source: usgs_mcs2026", "source: nope")
    _break(data_copy, "claims.yaml", "source: article_trump_putin", "source: nowhere")
    with pytest.raises(DatasetError) as exc:
        load_dataset(data_copy, use_cache=False)
    assert len(exc.value.problems) == 2


def test_cli_validate_lists_problems_and_exits_one(data_copy, capsys):
    _break(data_copy, GALLIUM, "{country: CHN, year: 2025, value: 900000", "{country: CHN, year: 2025, value: -1")
    assert main(["--data-dir", str(data_copy), "validate"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^  data/usgs/mcs2026/gallium.yaml:\d+: world\[0\] primary CHN 2025: value: negative value", out, re.M)
    assert "Traceback" not in out


def test_cache_is_invalidated_by_an_edit(data_copy):
    ds1 = load_dataset(data_copy)
    _break(data_copy, GALLIUM, "{country: JPN, year: 2025, value: 3000", "{country: JPN, year: 2025, value: 3001")
    ds2 = load_dataset(data_copy)
    f = ds2.figures
    assert f[(f.mineral == "gallium") & (f.country == "JPN") & (f.year == 2025) & (f.edition == "mcs2026")]["value"].iloc[0] == 3001
    assert ds1 is not ds2
