"""The vocabulary and field metadata: one definition each, complete, and words not ids."""

import re
from pathlib import Path

from risk import fields, vocab
from risk.metrics import METRIC_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


def test_every_metric_and_result_column_has_a_field():
    from ui.common import RESULT_COLUMNS

    missing = [c for c in [*METRIC_COLUMNS, *RESULT_COLUMNS] if c not in fields.FIELDS]
    assert not missing


def test_field_descriptions_are_filled_from_the_vocabulary():
    for f in fields.FIELDS.values():
        assert "{" not in f.description, f.name
        assert f.kind in {"text", "percent", "number", "integer", "hhi", "index", "year", "bool", "list"}, f.name
    assert "refinery production" in fields.FIELDS["stage"].description
    assert "1,800" in fields.FIELDS["hhi_band"].description  # the 2023 default
    names = re.findall(r"^- name: (\S+)$", (ROOT / "risk/fields.yaml").read_text(), re.M)
    assert len(names) == len(set(names))


def test_bounded_values_read_as_bounds():
    assert vocab.fmt_value(0.5, "lower_bound", percent=True) == "≥ 50%"
    assert vocab.fmt_value(0.25, "upper_bound", percent=True) == "≤ 25%"
    assert vocab.fmt_value(None, "withheld") == "withheld"
    assert vocab.fmt_value(float("nan"), reason="world production withheld") == "n/a (world production withheld)"
    assert vocab.fmt_value(0.0, "net_exporter", percent=True) == "0% (net exporter)"
    assert vocab.fmt_value(12345.6, unit="t") == "12,346 t"


def test_editions_and_stages_resolve():
    assert vocab.edition("2026") == "mcs2026" and vocab.edition("IEA") == "iea2025" and vocab.edition(None) is None
    assert vocab.stage_words("refinery", "battery_grade") == "refinery production (battery grade)"
    assert list(vocab.STAGE_ORDER)[:3] == ["mine", "primary", "refinery"]


def test_band_thresholds_and_stage_lists_are_defined_once():
    """grep: the band numbers and the stage list are written in risk/vocab.py and nowhere else in code."""
    offenders = []
    for p in [*ROOT.glob("risk/**/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        if p.name == "vocab.py":
            continue
        text = p.read_text(encoding="utf-8")
        if re.search(r"\b(1,?500|2,?500|1,?800)\b(?!\s*(t|kg|kt|years?|months?|ms)\b)", text) and "hhi" in text.lower():
            offenders += [f"{p.relative_to(ROOT)}: band threshold"]
        if re.search(r'"mine",\s*"primary",\s*"refinery"|"mine",\s*"refinery",\s*"primary"', text):
            offenders += [f"{p.relative_to(ROOT)}: stage list"]
        if re.search(r'"USGS MCS 202[56]"', text):
            offenders += [f"{p.relative_to(ROOT)}: edition label"]
    assert not offenders, offenders
