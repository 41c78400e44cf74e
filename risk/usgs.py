"""Read USGS Mineral Commodity Summaries (MCS) data-release tables into data/ YAML.

Two layouts are supported:

* MCS 2026 (doi:10.5066/P1WKQ63T): one long CSV, cp1252, ``MCS2026_Commodities_Data.csv``.
  World production, capacity and reserves by country for every commodity USGS tables, U.S. net
  import reliance 2021-2025 and U.S. import sources 2021-24.
* MCS 2025 (doi:10.5066/P13XCP3R): the wide world table ``MCS2025_World_Data.csv``.

Both are turned into one YAML file per mineral (:class:`risk.schema.MineralFile`). The import
is all-or-nothing: every row is parsed and every file validated before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import countries
from .schema import MineralFile
from .yamlio import DataFileError, dump_yaml, write_tree_atomically

#: Largest CSV accepted (the real MCS 2026 file is 3.2 MB).
MAX_CSV_BYTES = 20_000_000

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

# Where USGS repeats one detail for two products in the same year, the order of the rows tells
# them apart (the chapter's salient table lists them in this order).
REPEATED_US_DETAIL_NAMES = {
    "mica_natural": ["scrap and flake", "sheet"],
}

# Headline U.S. series where a chapter has several and the first listed is not the best summary.
PRIMARY_US_DETAIL = {
    # mineral: (net import reliance detail contains, import sources detail contains)
    "rare_earths": ("compounds and metals", "compounds and metals"),
    "nickel": (None, "primary nickel"),
    "copper": (None, "refined copper"),
    "zinc": ("refined zinc", "refined metal"),
    "tin": (None, "refined tin"),
    "mica_natural": (None, "scrap and flake"),
}

REQUIRED_2026 = [
    "MCS chapter",
    "Section",
    "Commodity",
    "Country",
    "Statistics",
    "Statistics_detail",
    "Unit",
    "Year",
    "Value",
    "Notes",
    "Is critical mineral 2025",
    "Other notes",
]
REQUIRED_2025 = [
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


class ImportFailure(DataFileError):
    """The source file cannot be imported; nothing was written."""


def slug(text: str, max_len: int = 60) -> str:
    s = text.lower().replace("&", " and ").replace("’", "").replace("'", "")
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s[:max_len].rstrip("_")


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


def _with_estimate(flag: str, estimated: bool) -> str:
    return "estimated" if (estimated and flag == "none") else flag


# ------------------------------------------------------------------------------------------
# Reading CSV safely


def read_csv_rows(path: str | Path, required: list[str], encodings=("utf-8-sig", "cp1252")) -> tuple[list[dict], str]:
    """Read a CSV into dicts, checking size, encoding, header and that every row is complete."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ImportFailure(p, f"cannot read file: {exc.strerror}") from None
    if size == 0:
        raise ImportFailure(p, "the file is empty")
    if size > MAX_CSV_BYTES:
        raise ImportFailure(p, f"file is {size:,} bytes; the limit is {MAX_CSV_BYTES:,} bytes")
    return parse_csv_bytes(p.read_bytes(), required, name=str(p), encodings=encodings)


def parse_csv_bytes(data: bytes, required: list[str], *, name: str, encodings=("utf-8-sig", "cp1252")) -> tuple[list[dict], str]:
    if b"\x00" in data[:4096]:
        raise ImportFailure(name, "this is a binary file, not a CSV text file")
    text = None
    used = None
    for enc in encodings:
        try:
            text = data.decode(enc)
            used = enc
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ImportFailure(name, f"cannot decode the file as {' or '.join(encodings)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailure(name, "the file is empty") from None
    except csv.Error as exc:
        raise ImportFailure(name, f"not a readable CSV: {exc}", 1) from None
    header = [h.strip("\ufeff") for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailure(
            name,
            f"missing column(s) {', '.join(repr(c) for c in missing)}; found {', '.join(repr(h) for h in header[:15])}"
            " — is this the right USGS data-release file?",
            1,
        )
    rows = []
    try:
        for lineno, rec in enumerate(reader, start=2):
            if not rec or all(not c.strip() for c in rec):
                continue
            if len(rec) != len(header):
                raise ImportFailure(
                    name,
                    f"row has {len(rec)} fields, the header has {len(header)}: the file looks truncated or damaged",
                    lineno,
                )
            d = dict(zip(header, rec, strict=False))
            d["_line"] = lineno
            rows.append(d)
    except csv.Error as exc:
        raise ImportFailure(name, f"not a readable CSV: {exc}", reader.line_num) from None
    if not rows:
        raise ImportFailure(name, "the file has a header but no data rows")
    return rows, used


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


def _basis_from_notes(other_notes: str) -> tuple[str | None, str | None]:
    """From "(Data in metric tons, antimony content, unless otherwise specified)" -> ('metric tons', 'antimony content')."""
    m = re.search(r"\(Data in ([^,()]+?)(?:,\s*(.+?))?,? unless otherwise specified\)", other_notes)
    if not m:
        return None, None
    basis = m.group(2)
    return m.group(1).strip(), (basis.strip() if basis else None)


# ------------------------------------------------------------------------------------------
# Building files


@dataclass
class _Row:
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
class _MineralAcc:
    name: str
    chapter: str | None = None
    critical: bool | None = None
    notes: list[str] = field(default_factory=list)
    world: list[_Row] = field(default_factory=list)
    us: dict[tuple[str, str], list[dict]] = field(default_factory=dict)


def _assign_products(rows: list[_Row], path: str) -> None:
    """Split a mineral's rows into series by stage and product (see module notes in README)."""
    by_stage: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_stage[r.stage].append(r)
    for stage_rows in by_stage.values():
        totals: list[str] = []
        for r in stage_rows:
            if r.is_total and r.base.lower() not in totals:
                totals.append(r.base.lower())
        if len(totals) > 1:
            for r in stage_rows:
                b = r.base.lower()
                match = b if b in totals else next((t for t in totals if b.startswith(t) or t.startswith(b)), None)
                r.product = product_slug(match or b)
        # Rows that still collide (same country and year twice) become their own product.
        seen: dict[tuple, _Row] = {}
        for r in stage_rows:
            key = (r.product, r.country, r.year)
            if key in seen:
                other = seen[key]
                for x in (r, other):
                    if x.base.lower() not in totals and x.base != "":
                        x.product = product_slug(x.base)
        seen = {}
        for r in stage_rows:
            key = (r.product, r.country, r.year)
            if key in seen:
                raise ImportFailure(
                    path,
                    f"{r.name}: two values for {r.country} {r.year} in {r.stage} {r.product or ''} "
                    f"(rows {seen[key].line} and {r.line}); cannot tell the series apart",
                    r.line,
                )
            seen[key] = r


def _series_from_rows(rows: list[_Row], basis: str | None, path: str) -> list[dict]:
    groups: dict[tuple[str, str], list[_Row]] = defaultdict(list)
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


def _label_if_different(label: str, code: str) -> str | None:
    clean = label.replace("\xa0", " ").strip()
    return None if clean == countries.name(code) else clean


def _clean_note(text: str) -> str | None:
    t = " ".join(text.replace("\xa0", " ").split())
    return t or None


def import_mcs2026(path: str | Path) -> dict[str, dict]:
    """Parse the MCS 2026 long CSV. Returns {mineral slug: MineralFile-shaped dict}."""
    rows, _enc = read_csv_rows(path, REQUIRED_2026, encodings=("utf-8", "cp1252"))
    return _mcs2026_docs(rows, str(path))


def _mcs2026_docs(rows: list[dict], name: str) -> dict[str, dict]:
    acc: dict[str, _MineralAcc] = {}
    problems: list[str] = []

    def mineral_acc(r) -> _MineralAcc:
        m = mineral_slug(r["Commodity"])
        a = acc.get(m)
        if a is None:
            a = acc[m] = _MineralAcc(name=r["Commodity"].strip())
        if a.chapter is None:
            a.chapter = r["MCS chapter"].strip()
        crit = r["Is critical mineral 2025"].strip()
        if crit in ("Yes", "No"):
            a.critical = bool(a.critical) or crit == "Yes"
        for part in (r["Other notes"] or "").split(" -- "):
            other = _clean_note(part)
            if other and other not in a.notes:
                a.notes.append(other)
        return a

    for r in rows:
        section = r["Section"].strip()
        stat = r["Statistics"].strip()
        is_world = section.startswith("World")
        is_nir = stat == "Net import reliance"
        is_imp = section == "Import Sources"
        if not (is_world or is_nir or is_imp):
            continue
        line = r["_line"]
        try:
            value, flag, raw = parse_value(r["Value"])
        except ValueError as exc:
            problems.append(f"{name}:{line}: {r['Commodity']} {r['Country']} {r['Year']}: Value: {exc}")
            continue
        unit_word = r["Unit"].strip()
        unit = UNITS.get(unit_word)
        if unit is None:
            problems.append(f"{name}:{line}: {r['Commodity']}: Unit: unknown unit {unit_word!r}")
            continue
        notes = _clean_note(r["Notes"])
        estimated = bool(notes and notes.startswith("Estimated"))
        if estimated and notes:
            notes = _clean_note(re.sub(r"^Estimated\.\s*(--\s*)?", "", notes))
        label = r["Country"]
        code, qualifier = countries.split_label(label)
        if code is None:
            problems.append(f"{name}:{line}: {r['Commodity']}: Country: unknown country {label!r}")
            continue
        year_text = r["Year"].strip()
        period = None
        m = re.match(r"^(\d{4})[–-](\d{2,4})$", year_text)
        if m:
            end = m.group(2)
            year = int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
            period = f"{m.group(1)}–{year}"
        elif re.match(r"^\d{4}$", year_text):
            year = int(year_text)
        else:
            problems.append(f"{name}:{line}: {r['Commodity']}: Year: cannot read {year_text!r}")
            continue
        a = mineral_acc(r)
        if is_world:
            stage = stage_of(stat, r["Statistics_detail"])
            a.world.append(
                _Row(
                    mineral=mineral_slug(r["Commodity"]),
                    name=a.name,
                    stage=stage,
                    base=strip_rounded(r["Statistics_detail"]),
                    unit=unit,
                    country=code,
                    label=_label_if_different(label, code),
                    qualifier=qualifier,
                    year=year,
                    value=value,
                    flag=_with_estimate(flag, estimated),
                    raw=raw,
                    note=notes,
                    is_total=code == countries.WORLD,
                    line=line,
                )
            )
        else:
            measure = "net_import_reliance" if is_nir else "import_sources"
            detail = " ".join(r["Statistics_detail"].split())
            fig = {"country": code, "year": year, "value": value}
            f = _with_estimate(flag, estimated)
            if f != "none":
                fig["flag"] = f
            if raw is not None:
                fig["raw"] = raw
            lab = _label_if_different(label, code)
            if lab:
                fig["label"] = lab
            if notes:
                fig["note"] = notes
            fig["_period"] = period
            fig["_line"] = line
            bucket = a.us.setdefault((measure, detail), [])
            k = sum(1 for f in bucket if f["year"] == year and f["country"] == code)
            if k:
                names = REPEATED_US_DETAIL_NAMES.get(mineral_slug(r["Commodity"]), [])
                first = f"{detail}: {names[0]}" if names else f"{detail} (first row)"
                nth = f"{detail}: {names[k]}" if k < len(names) else f"{detail} (row {k + 1})"
                if (measure, first) not in a.us:
                    a.us[(measure, first)] = []
                # move this year's earlier rows to the first name, then file this row under its own
                for f in [f for f in bucket if f["year"] == year and f["country"] == code]:
                    bucket.remove(f)
                    a.us[(measure, first)].append(f)
                a.us.setdefault((measure, nth), []).append(fig)
            else:
                a.us[(measure, detail)] = bucket
                bucket.append(fig)

    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ImportFailure(name, f"{len(problems)} row(s) cannot be read; nothing was written:\n{shown}{more}")

    out = {}
    for mineral, a in acc.items():
        unit_word, basis = (None, None)
        for n in a.notes:
            unit_word, basis = _basis_from_notes(n)
            if unit_word:
                break
        _assign_products(a.world, name)
        doc: dict = {
            "mineral": mineral,
            "name": a.name,
            "edition": "mcs2026",
            "source": "usgs_mcs2026",
            "chapter": a.chapter,
            "critical_2025": a.critical,
        }
        if a.notes:
            doc["notes"] = "\n".join(a.notes)
        doc["world"] = _series_from_rows(a.world, basis, name)
        doc["us"] = _us_series(mineral, a.us, name)
        out[mineral] = doc
    return out


def _us_series(mineral: str, groups: dict[tuple[str, str], list[dict]], path: str) -> list[dict]:
    out = []
    for measure in ("net_import_reliance", "import_sources"):
        details = [d for (m, d) in groups if m == measure and groups[(m, d)]]
        if not details:
            continue
        want = PRIMARY_US_DETAIL.get(mineral, (None, None))[0 if measure == "net_import_reliance" else 1]
        primary = None
        if want:
            primary = next((d for d in details if want in d.lower()), None)
        if primary is None:
            primary = next(
                (d for d in details if re.search(r"\b(total|combined|all|contained)\b", d.lower())),
                details[0],
            )
        for d in details:
            figs = groups[(measure, d)]
            periods = {f.pop("_period") for f in figs}
            for f in figs:
                f.pop("_line", None)
            figs.sort(key=lambda f: (f["year"], f["country"] == "OTH"))
            s: dict = {"measure": measure, "detail": d, "unit": "percent", "primary": d == primary}
            periods.discard(None)
            if periods:
                s["period"] = sorted(periods)[0]
            s["figures"] = figs
            out.append(s)
    return out


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
    m = mineral_slug(commodity)
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
    rows, _enc = read_csv_rows(path, REQUIRED_2025, encodings=("utf-8-sig", "cp1252"))
    return _mcs2025_docs(rows, str(path))


def _mcs2025_docs(rows: list[dict], name: str) -> dict[str, dict]:
    problems: list[str] = []
    columns = [
        ("PROD_2023", 2023, "PROD_NOTES", False),
        ("PROD_EST_ 2024", 2024, "PROD_NOTES", True),
        ("CAP_2023", 2023, "CAP_NOTES", False),
        ("CAP_EST_ 2024", 2024, "CAP_NOTES", True),
        ("RESERVES_2024", 2024, "RESERVE_NOTES", False),
    ]
    acc: dict[str, _MineralAcc] = {}
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
        unit = UNITS.get(unit_word)
        if unit is None:
            problems.append(f"{name}:{line}: {commodity}: UNIT_MEAS: unknown unit {unit_word!r}")
            continue
        for col, year, notes_col, est in columns:
            if (r["COMMODITY"].strip(), r["TYPE"].strip(), col) not in used:
                continue
            text = r[col]
            try:
                value, flag, raw = parse_value(text)
            except ValueError as exc:
                problems.append(f"{name}:{line}: {commodity} {label}: {col}: {exc}")
                continue
            if not text.strip():
                raw = None
            mineral = _mineral_2025(commodity, type_, col)
            a = acc.get(mineral)
            if a is None:
                a = acc[mineral] = _MineralAcc(name=commodity)
            if col.startswith("CAP"):
                stage = "capacity"
            elif col.startswith("RES"):
                stage = "reserves"
            else:
                stage = stage_of("Production", type_)
            note = _clean_note(r[notes_col])
            if not text.strip():
                note = "Blank in the MCS 2025 file (withheld, zero, not available or not applicable)" + (f" -- {note}" if note else "")
            a.world.append(
                _Row(
                    mineral=mineral,
                    name=a.name,
                    stage=stage,
                    base=type_,
                    unit=unit,
                    country=code,
                    label=_label_if_different(label, code),
                    qualifier=qualifier if code not in (countries.WORLD, countries.OTHER) else "",
                    year=year,
                    value=value,
                    flag=_with_estimate(flag, est or "estimated" in type_.lower()),
                    raw=raw,
                    note=note,
                    is_total=code == countries.WORLD,
                    line=line,
                    product=(
                        product_slug(type_) if stage == "reserves" and "reserve" in type_.lower() else _product_2025(mineral, type_, label)
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
        seen: dict[tuple, _Row] = {}
        kept: list[_Row] = []
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
            "edition": "mcs2025",
            "source": "usgs_mcs2025",
            "world": _series_from_rows(a.world, None, name),
        }
        out[mineral] = doc
    return out


# ------------------------------------------------------------------------------------------
# Validation and writing


def validate_docs(docs: dict[str, dict], origin: str) -> None:
    """Validate every generated document; raise ImportFailure listing the first problems."""
    from pydantic import ValidationError

    problems = []
    for mineral, doc in docs.items():
        try:
            MineralFile.model_validate(doc)
        except ValidationError as exc:
            for err in exc.errors()[:3]:
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{mineral}: {loc}: {err['msg']}")
    if problems:
        raise ImportFailure(origin, "the imported data do not validate; nothing was written:\n" + "\n".join(problems[:20]))


def render_files(docs: dict[str, dict], folder: str) -> dict[str, str]:
    header = "# Generated by `python -m risk import-usgs`; do not edit by hand (see README, 'Adding data').\n"
    return {f"{folder}/{m}.yaml": header + dump_yaml(doc) for m, doc in sorted(docs.items())}


EDITIONS = {
    "2026": ("mcs2026", import_mcs2026),
    "2025": ("mcs2025", import_mcs2025_world),
}


def load_corrections(data_dir: str | Path) -> list:
    from pydantic import ValidationError

    from .schema import CorrectionsFile
    from .yamlio import load_yaml_file

    path = Path(data_dir) / "corrections.yaml"
    if not path.exists():
        return []
    try:
        return list(CorrectionsFile.model_validate(load_yaml_file(path)).corrections)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ImportFailure(path, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}") from None


def apply_corrections(docs: dict[str, dict], edition: str, corrections: list, origin: str) -> None:
    """Apply corrections for ``edition`` in place; the figure's note records the published value."""
    for c in corrections:
        if c.edition != edition:
            continue
        doc = docs.get(c.mineral)
        series = next((s for s in (doc or {}).get("world", []) if s["stage"] == c.stage and s["product"] == c.product), None)
        fig = next((f for f in (series or {}).get("figures", []) if f["country"] == c.country and f["year"] == c.year), None)
        if fig is None:
            raise ImportFailure(
                origin, f"correction for {c.mineral} {c.stage} {c.product} {c.country} {c.year}: no such figure in the file"
            )
        if fig["value"] != c.published:
            raise ImportFailure(
                origin,
                f"correction for {c.mineral} {c.stage} {c.product} {c.country} {c.year}: the file now gives "
                f"{fig['value']}, not the {c.published} the correction expects; review data/corrections.yaml",
            )
        fig["value"] = c.corrected
        pub = f"{c.published:,.0f}" if c.published is not None else "no value"
        fig["note"] = " -- ".join(x for x in (f"Corrected from the published {pub}: {' '.join(c.reason.split())}", fig.get("note")) if x)


def import_edition(csv_path: str | Path, edition: str, data_dir: str | Path, corrections_dir: str | Path | None = None) -> dict[str, str]:
    """Import one MCS edition into ``data_dir/usgs/<edition>/``. All-or-nothing.

    Corrections are read from ``corrections_dir/corrections.yaml`` (default: ``data_dir``).
    """
    if edition not in EDITIONS:
        raise ImportFailure(csv_path, f"unknown edition {edition!r}; use one of {', '.join(EDITIONS)}")
    folder_name, fn = EDITIONS[edition]
    docs = fn(csv_path)
    apply_corrections(docs, folder_name, load_corrections(corrections_dir or data_dir), str(csv_path))
    validate_docs(docs, str(csv_path))
    files = render_files(docs, f"usgs/{folder_name}")
    write_tree_atomically(data_dir, files, clean=[f"usgs/{folder_name}"])
    return files


# ------------------------------------------------------------------------------------------
# The 2022 critical minerals list (MCS 2025 table T4)

# List names whose world data sit in another mineral's series.
CRITICAL_2022_MINERAL = {
    "aluminum": "aluminum",
    "graphite": "graphite",
    "magnesium": "magnesium_metal",
    "titanium": "titanium_mineral_concentrates",
    "iridium": "platinum_group_metals",
    "rhodium": "platinum_group_metals",
    "ruthenium": "platinum_group_metals",
}


def import_critical_list_2022(path: str | Path) -> dict:
    rows, _ = read_csv_rows(path, ["Critical Mineral", "Primary Applications", "Category_Note"])
    entries = []
    for r in rows:
        name = " ".join(r["Critical Mineral"].split())
        note = " ".join(r["Category_Note"].split()) or None
        key = name.lower()
        if note and "rare earths chapter" in note.lower():
            mineral = "rare_earths"
        else:
            mineral = CRITICAL_2022_MINERAL.get(key, slug(key))
        e = {"name": name, "mineral": mineral, "applications": " ".join(r["Primary Applications"].split()) or None}
        if note:
            e["note"] = note
        entries.append(e)
    if len(entries) != 50:
        raise ImportFailure(path, f"the 2022 list has 50 minerals; this file has {len(entries)}")
    return {"source": "usgs_critical_2022", "list_2022": entries}


def import_critical_list_file(path: str | Path, data_dir: str | Path) -> dict[str, str]:
    from .schema import CriticalListsFile

    doc = import_critical_list_2022(path)
    CriticalListsFile.model_validate(doc)
    header = "# Generated by `python -m risk import-usgs-critical-list`; the 2022 list of 50 critical minerals.\n"
    files = {"critical_lists.yaml": header + dump_yaml(doc)}
    write_tree_atomically(data_dir, files)
    return files


def import_upload(data: bytes, name: str, *, max_bytes: int = MAX_CSV_BYTES) -> tuple[str, dict[str, dict]]:
    """Parse an uploaded MCS data-release CSV (2026 long or 2025 world layout) in memory.

    Returns (edition, docs). Nothing is written; the caller decides what to do with the
    validated documents. Raises ImportFailure with a message naming the file, row and field.
    """
    if not name.lower().endswith(".csv"):
        raise ImportFailure(name, "not a .csv file: upload a USGS Mineral Commodity Summaries data-release CSV")
    if len(data) == 0:
        raise ImportFailure(name, "the file is empty")
    if len(data) > max_bytes:
        raise ImportFailure(name, f"file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    head = data[:4096].decode("utf-8", "replace")
    if "MCS chapter" in head:
        rows, _ = parse_csv_bytes(data, REQUIRED_2026, name=name, encodings=("utf-8", "cp1252"))
        edition, docs = "upload2026", _mcs2026_docs(rows, name)
    elif "PROD_EST_" in head or "RESERVES_" in head:
        rows, _ = parse_csv_bytes(data, REQUIRED_2025, name=name, encodings=("utf-8-sig", "cp1252"))
        edition, docs = "upload2025", _mcs2025_docs(rows, name)
    else:
        # let the strict reader name the missing columns
        rows, _ = parse_csv_bytes(data, REQUIRED_2026, name=name, encodings=("utf-8", "cp1252"))
        edition, docs = "upload2026", _mcs2026_docs(rows, name)
    for d in docs.values():
        d["edition"] = edition
    validate_docs(docs, name)
    return edition, docs
