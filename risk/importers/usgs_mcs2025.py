"""USGS MCS 2025 data release (doi:10.5066/P13XCP3R): the wide world table ``MCS2025_World_Data.csv``.

World production and capacity for 2023 and 2024 (estimated) and reserves for 2024, one row per
commodity, type and country. One :class:`risk.schema.MineralFile`-shaped document per mineral,
edition ``mcs2025`` (world series only; MCS 2025 has no U.S. table in this file).
"""

from __future__ import annotations

from pathlib import Path

from .. import countries
from . import usgs_mcs as u
from .common import ImportFailure, read_csv_rows

EDITION = "mcs2025"

REQUIRED = [
    "SOURCE",
    "COMMODITY",
    "COUNTRY",
    "TYPE",
    "UNIT_MEAS",
    "PROD_2023",
    "PROD_EST_ 2024",
    "PROD_NOTES",
    "CAP_2023",
    "CAP_EST_ 2024",
    "CAP_NOTES",
    "RESERVES_2024",
    "RESERVE_NOTES",
]


# ------------------------------------------------------------------------------------------
# MCS 2025 world table

# Products for commodities that MCS 2025 splits by TYPE or by the world-total label. The
# slugs match those MCS 2026 gets from its own details so that editions can be compared.
_PRODUCTS_2025 = [
    ("ilmenite and rutile", "ilmenite_and_rutile"),
    ("ilmentite", "ilmenite"),
    ("ilmenite", "ilmenite"),
    ("rutile", "rutile"),
    ("bentonite", "bentonite"),
    ("fuller", "fullers_earth"),
    ("kaolin", "kaolin"),
    ("scrap and flake", "mica_scrap_and_flake"),
    ("mica sheet", "mica_sheet"),
    ("usable ore", "usable_ore"),
    ("iron content", "iron_content"),
    ("pig iron", "pig_iron"),
    ("raw steel", "raw_steel"),
    ("ferosilicon", "ferrosilicon"),
    ("ferrosilicon", "ferrosilicon"),
    ("silicon metal", "silicon_metal"),
    ("fused aluminum oxide", "fused_aluminum_oxide"),
    ("silicon carbide", "silicon_carbide"),
    ("natural and synthetic", "natural_and_synthetic"),
    ("synthetic", "synthetic"),
    ("natural", "natural"),
]
_MULTI_PRODUCT_2025 = {
    "titanium_mineral_concentrates",
    "clays",
    "mica_natural",
    "iron_ore",
    "iron_and_steel",
    "silicon",
    "abrasives_manufactured",
    "soda_ash",
}


def _mineral_2025(commodity: str, type_: str, column: str) -> str:
    m = u.mineral_slug(commodity)
    t = type_.lower()
    if m == "platinum_group_metals":
        if column == "RESERVES_2024":
            return m
        return "palladium" if "palladium" in t else "platinum"
    if m == "bauxite" and "alumina" in t:
        return "alumina"
    if m == "titanium_and_titanium_dioxide":
        return "titanium_sponge_metal" if "sponge" in t else "titanium_dioxide_pigment"
    return m


def _product_2025(mineral: str, type_: str, label: str) -> str:
    if mineral not in _MULTI_PRODUCT_2025:
        return ""
    for text in (label.lower(), type_.lower()):
        for key, prod in _PRODUCTS_2025:
            if key in text:
                return prod
    return ""


def import_mcs2025_world(path: str | Path) -> dict[str, dict]:
    """Parse the MCS 2025 world table. Returns {mineral slug: MineralFile-shaped dict}."""
    rows, _enc = read_csv_rows(path, REQUIRED, encodings=("utf-8-sig", "cp1252"))
    return docs_from_rows(rows, str(path))


def docs_from_rows(rows: list[dict], name: str) -> dict[str, dict]:
    problems: list[str] = []
    columns = [
        ("PROD_2023", 2023, "PROD_NOTES", False),
        ("PROD_EST_ 2024", 2024, "PROD_NOTES", True),
        ("CAP_2023", 2023, "CAP_NOTES", False),
        ("CAP_EST_ 2024", 2024, "CAP_NOTES", True),
        ("RESERVES_2024", 2024, "RESERVE_NOTES", False),
    ]
    acc: dict[str, u.MineralAcc] = {}
    # Which (commodity, type, column) combinations carry any value: only those produce figures,
    # so a blank reserves cell on a production-only row does not become a "not available" figure.
    used: set[tuple[str, str, str]] = set()
    for r in rows:
        for col, *_ in columns:
            if r[col].strip():
                used.add((r["COMMODITY"].strip(), r["TYPE"].strip(), col))
    # A table with no value at all (germanium: everything withheld) keeps its production rows
    # as "not available", so that the gap shows instead of the mineral vanishing.
    for r in rows:
        key = (r["COMMODITY"].strip(), r["TYPE"].strip())
        if not any((*key, col) in used for col, *_ in columns):
            used |= {(*key, "PROD_2023"), (*key, "PROD_EST_ 2024")}
    for r in rows:
        line = r["_line"]
        commodity = " ".join(r["COMMODITY"].split())
        type_ = " ".join(r["TYPE"].split())
        label = " ".join(r["COUNTRY"].replace("\xa0", " ").split())
        code, qualifier = countries.split_label(label)
        if code is None:
            problems.append(f"{name}:{line}: {commodity}: COUNTRY: unknown country {label!r}")
            continue
        unit_word = r["UNIT_MEAS"].strip()
        if not unit_word:
            # One row in the published file has a blank unit; the commodity's other rows give it.
            unit_word = next((x["UNIT_MEAS"].strip() for x in rows if x["COMMODITY"] == r["COMMODITY"] and x["UNIT_MEAS"].strip()), "")
        unit = u.UNITS.get(unit_word)
        if unit is None:
            problems.append(f"{name}:{line}: {commodity}: UNIT_MEAS: unknown unit {unit_word!r}")
            continue
        for col, year, notes_col, est in columns:
            if (r["COMMODITY"].strip(), r["TYPE"].strip(), col) not in used:
                continue
            text = r[col]
            try:
                value, flag, raw = u.parse_value(text)
            except ValueError as exc:
                problems.append(f"{name}:{line}: {commodity} {label}: {col}: {exc}")
                continue
            if not text.strip():
                raw = None
            mineral = _mineral_2025(commodity, type_, col)
            a = acc.get(mineral)
            if a is None:
                a = acc[mineral] = u.MineralAcc(name=commodity)
            if col.startswith("CAP"):
                stage = "capacity"
            elif col.startswith("RES"):
                stage = "reserves"
            else:
                stage = u.stage_of("Production", type_)
            note = u.clean_note(r[notes_col])
            if not text.strip():
                note = "Blank in the MCS 2025 file (withheld, zero, not available or not applicable)" + (f" -- {note}" if note else "")
            a.world.append(
                u.Row(
                    mineral=mineral,
                    name=a.name,
                    stage=stage,
                    base=type_,
                    unit=unit,
                    country=code,
                    label=u.label_if_different(label, code),
                    qualifier=qualifier if code not in (countries.WORLD, countries.OTHER) else "",
                    year=year,
                    value=value,
                    flag=u.with_estimate(flag, est or "estimated" in type_.lower()),
                    raw=raw,
                    note=note,
                    is_total=code == countries.WORLD,
                    line=line,
                    product=(
                        u.product_slug(type_)
                        if stage == "reserves" and "reserve" in type_.lower()
                        else _product_2025(mineral, type_, label)
                    ),
                )
            )
    if problems:
        shown = "\n".join(problems[:20])
        raise ImportFailure(name, f"{len(problems)} row(s) cannot be read; nothing was written:\n{shown}")
    out = {}
    for mineral, a in acc.items():
        # Two rows for one country (MCS 2025 splits U.S. helium into "extracted from natural gas"
        # and "from Cliffside Field") are parts of one total: they are added, and the note says so.
        seen: dict[tuple, u.Row] = {}
        kept: list[u.Row] = []
        for r in a.world:
            key = (r.stage, r.product, r.country, r.year)
            first = seen.get(key)
            if first is None:
                seen[key] = r
                kept.append(r)
                continue
            if first.value is None or r.value is None or not (first.qualifier and r.qualifier):
                raise ImportFailure(
                    name, f"{a.name}: two values for {r.country} {r.year} {r.stage} (rows {first.line} and {r.line})", r.line
                )
            first.note = " -- ".join(
                x
                for x in (f"Sum of two USGS rows: {first.value:g} ({first.qualifier}) + {r.value:g} ({r.qualifier})", first.note, r.note)
                if x
            )
            first.value = first.value + r.value
            first.qualifier = ""
        a.world = kept
        doc = {
            "mineral": mineral,
            "name": a.name,
            "edition": EDITION,
            "source": "usgs_mcs2025",
            "world": u.series_from_rows(a.world, None, name),
        }
        out[mineral] = doc
    return out
