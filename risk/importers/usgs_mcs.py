"""The USGS Mineral Commodity Summaries (MCS) vocabulary shared by the edition importers.

Units, mineral slugs, the grammar of a value cell (``270,000``, ``W``, ``>95`` ...), stages and
products, and the building of series from parsed rows. :mod:`.usgs_mcs2026` reads the MCS 2026
long CSV and :mod:`.usgs_mcs2025` the MCS 2025 world table; both produce one
:class:`risk.schema.MineralFile`-shaped document per mineral through :func:`series_from_rows`.
:func:`import_edition` imports either into ``data/usgs/<edition>/``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .. import countries
from .common import ImportFailure, begin_import, render_files, slug, validate_docs, write_files
from .corrections import correct

#: USGS unit words -> stored unit.
UNITS = {
    "metric tons": "t",
    "tons": "t",
    "thousand metric tons": "kt",
    "million metric tons": "Mt",
    "kilograms": "kg",
    "thousand metric dry tons": "kt (dry)",
    "million carats": "million carats",
    "thousands of carats": "thousand carats",
    "thousand carats": "thousand carats",
    "million cubic meters": "million m3",
    "million liters": "million litres",
    "percent": "percent",
}

# Commodity names -> mineral slugs where the plain slug would be awkward or would differ
# between editions. Everything else is slug(name).
MINERAL_OVERRIDES = {
    "graphite (natural)": "graphite",
    "graphite": "graphite",
    "niobium (columbium)": "niobium",
    "tio2 pigment": "titanium_dioxide_pigment",
    "rare earths": "rare_earths",
    # MCS 2025 spellings
    "gemanium": "germanium",  # USGS typo in MCS 2025
    "abrasives": "abrasives_manufactured",
    "feldspar": "feldspar_and_nepheline_syenite",
    "talc, crude": "talc_and_pyrophyllite",
    "zirconium and hafnium": "zirconium",
    "nitrogen(fixed) - ammonia": "nitrogen_fixed_ammonia",
    "pumice & pumicite": "pumice_and_pumicite",
}


def mineral_slug(commodity: str) -> str:
    key = re.sub(r"\s+", " ", commodity.replace("\xa0", " ")).strip().lower()
    return MINERAL_OVERRIDES.get(key) or slug(key)


# ------------------------------------------------------------------------------------------
# Values

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUM_RE = re.compile(rf"^(?:{_NUM})$")
_RANGE_RE = re.compile(rf"^({_NUM})\s*[-–]\s*({_NUM})$")
_QUALITATIVE = {"large", "moderate", "moderate to large", "small", "very small"}


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def parse_value(text: str) -> tuple[float | None, str, str | None]:
    """Parse a USGS value cell. Returns (value, flag, raw) where raw is the text if not a plain number.

    >>> parse_value("270,000")
    (270000.0, 'none', None)
    >>> parse_value(">85,000,000")
    (85000000.0, 'lower_bound', '>85,000,000')
    >>> parse_value("W")
    (None, 'withheld', 'W')
    """
    raw = text
    t = text.replace("\xa0", " ").strip()
    if _NUM_RE.match(t):
        return _num(t), "none", (None if t == text else raw)
    if t in ("W",):
        return None, "withheld", raw
    if t in ("NA", ""):
        return None, "not_available", raw if t else None
    if t == "XX":
        return None, "not_calculable", raw
    if t == "E":
        return 0.0, "net_exporter", raw
    if t == "s":
        return 0.0, "small", raw
    if t in ("—", "–", "-", "--"):
        return 0.0, "none", raw
    m = re.match(rf"^([<>])\s*({_NUM})$", t)
    if m:
        return _num(m.group(2)), ("lower_bound" if m.group(1) == ">" else "upper_bound"), raw
    m = _RANGE_RE.match(t)
    if m:
        lo, hi = _num(m.group(1)), _num(m.group(2))
        if lo > hi:
            raise ValueError(f"range {text!r} has its low end above its high end")
        return (lo + hi) / 2, "range", raw
    if t.lower() in _QUALITATIVE or t.lower().startswith("variable"):
        return None, "qualitative", raw
    raise ValueError(f"cannot read the value {text!r} (expected a number such as 270,000, or W, NA, —, E, >95)")


def with_estimate(flag: str, estimated: bool) -> str:
    return "estimated" if (estimated and flag == "none") else flag


# ------------------------------------------------------------------------------------------
# Stage and product


def stage_of(statistic: str, detail: str) -> str:
    s = statistic.lower()
    d = detail.lower()
    if s == "reserves" or "reserve" in d:
        return "reserves"
    if s == "capacity" or "capacity" in d:
        return "capacity"
    if "mine" in d:
        return "mine"
    if "refinery" in d:
        return "refinery"
    if "smelter" in d:
        return "smelter"
    if "primary" in d:
        return "primary"
    if "plant" in d:
        return "plant"
    return "production"


_STAGE_WORDS = re.compile(
    r"\b(mine|mine production|refinery|smelter|production|plant|primary|reserves|reserve|capacity|yearend|world)\b"
    r"|\((?:million|thousand)[^)]*\)|\brounded\b",
    re.IGNORECASE,
)


def product_slug(detail: str) -> str:
    """A short slug naming what a detail measures beyond its stage: "Mine production: Ilmenite" -> ilmenite."""
    rest = _STAGE_WORDS.sub(" ", detail)
    return slug(rest, 40) or "main"


def strip_rounded(detail: str) -> str:
    return re.sub(r"[:,]\s*rounded\s*$", "", detail.strip(), flags=re.IGNORECASE).strip()


# ------------------------------------------------------------------------------------------
# Building files


@dataclass
class Row:
    mineral: str
    name: str
    stage: str
    base: str  # detail with "rounded" removed
    unit: str
    country: str
    label: str | None
    qualifier: str
    year: int
    value: float | None
    flag: str
    raw: str | None
    note: str | None
    is_total: bool
    line: int
    product: str = ""


@dataclass
class MineralAcc:
    name: str
    chapter: str | None = None
    critical: bool | None = None
    notes: list[str] = field(default_factory=list)
    world: list[Row] = field(default_factory=list)
    us: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    salient: dict[tuple, list[dict]] = field(default_factory=dict)  # (measure, detail, unit, repeat) -> figures


def series_from_rows(rows: list[Row], basis: str | None, path: str) -> list[dict]:
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        groups[(r.stage, r.product)].append(r)
    out = []
    for (stage, product), grp in groups.items():
        totals = [r for r in grp if r.is_total]
        canonical = (totals[0] if totals else max(grp, key=lambda r: sum(x.base == r.base for x in grp))).base
        units = {r.unit for r in grp}
        if len(units) > 1:
            lines = ", ".join(str(r.line) for r in grp[:5])
            raise ImportFailure(path, f"{grp[0].name} {stage}: mixed units {sorted(units)} in one series (rows {lines})")
        figures = []
        for r in sorted(grp, key=lambda r: (r.year, r.country == "WLD", r.country == "OTH")):
            fig: dict = {"country": r.country, "year": r.year, "value": r.value}
            if r.flag != "none":
                fig["flag"] = r.flag
            if r.raw is not None:
                fig["raw"] = r.raw
            if r.label:
                fig["label"] = r.label
            notes = []
            if r.base.lower() != canonical.lower() and not r.is_total:
                notes.append(f"USGS detail: {r.base}")
            if r.qualifier:
                notes.append(f"USGS label qualifier: {r.qualifier}")
            if r.note:
                notes.append(r.note)
            if notes:
                fig["note"] = " -- ".join(notes)
            figures.append(fig)
        s = {"stage": stage, "product": product, "detail": canonical, "unit": grp[0].unit}
        if basis and stage != "capacity":
            s["basis"] = basis
        s["figures"] = figures
        out.append(s)
    order = {"mine": 0, "primary": 1, "refinery": 2, "smelter": 3, "plant": 4, "production": 5, "capacity": 6, "reserves": 7}
    out.sort(key=lambda s: (order[s["stage"]], s["product"]))
    return out


def label_if_different(label: str, code: str) -> str | None:
    clean = label.replace("\xa0", " ").strip()
    return None if clean == countries.name(code) else clean


def clean_note(text: str) -> str | None:
    t = " ".join(text.replace("\xa0", " ").split())
    return t or None


# ------------------------------------------------------------------------------------------
# Importing an edition

#: ``--edition`` of ``python -m risk import-usgs``.
EDITIONS = ("2026", "2025")


def import_edition(csv_path: str | Path, edition: str, data_dir: str | Path, corrections_dir: str | Path | None = None) -> dict[str, str]:
    """Import one MCS edition into ``data_dir/usgs/<edition>/``. All-or-nothing.

    Corrections are read from ``corrections_dir/corrections.yaml`` (default: ``data_dir``).
    """
    from . import usgs_mcs2025, usgs_mcs2026  # they import this module, so not at the top

    readers = {
        "2026": (usgs_mcs2026.EDITION, usgs_mcs2026.import_mcs2026),
        "2025": (usgs_mcs2025.EDITION, usgs_mcs2025.import_mcs2025_world),
    }
    if edition not in readers:
        raise ImportFailure(csv_path, f"unknown edition {edition!r}; use one of {', '.join(EDITIONS)}")
    begin_import(data_dir)
    folder_name, read = readers[edition]
    docs = read(csv_path)
    correct(docs, folder_name, corrections_dir or data_dir, str(csv_path))
    validate_docs(docs, str(csv_path))
    folder = f"usgs/{folder_name}"
    return write_files(data_dir, render_files(docs, folder, "import-usgs"), replace=[folder])
