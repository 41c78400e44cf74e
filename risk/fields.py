"""Field metadata (the pudl habit): one table (risk/fields.yaml) of label, unit, kind and
description for every column of the figures, metrics and scenario outputs.

Pages build their column configs from it (``ui.common.column_config``), the CLI its table headers, and the
Methodology page its glossary. Stage words, editions and band thresholds are in
:mod:`risk.vocab`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | percent | number | integer | hhi | index | year | bool | list
    unit: str
    description: str


def _load() -> dict[str, Field]:
    import yaml

    from .vocab import BAND_SETS, DEFAULT_BANDS, EDITIONS, FLAG_WORDS, STAGES

    words = {
        "editions": "; ".join(f"{e.id} = {e.title}" for e in EDITIONS.values()),
        "stages": ", ".join(s.words for s in STAGES),
        "flags": ", ".join(w for w in FLAG_WORDS.values() if w),
        "default_bands": BAND_SETS[DEFAULT_BANDS].describe(),
        "band_sets": "; ".join(f"{b.id} = {b.name}" for b in BAND_SETS.values()),
    }
    rows = yaml.safe_load((Path(__file__).with_name("fields.yaml")).read_text(encoding="utf-8"))["fields"]
    return {r["name"]: Field(r["name"], r["label"], r["kind"], r["unit"], r["description"].format(**words)) for r in rows}


FIELDS: dict[str, Field] = _load()


def label(name: str) -> str:
    f = FIELDS.get(name)
    return f.label if f else name.replace("_", " ").capitalize()


def labels(names) -> dict[str, str]:
    return {n: label(n) for n in names}


def glossary(names=None) -> pd.DataFrame:
    """Field, label, unit and description: the Methodology page's glossary."""
    rows = [FIELDS[n] for n in (names or FIELDS) if n in FIELDS]
    return pd.DataFrame(
        {
            "Field": [f.name for f in rows],
            "Label": [f.label for f in rows],
            "Unit": [f.unit for f in rows],
            "Description": [f.description for f in rows],
        }
    )
