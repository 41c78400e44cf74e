"""USGS MCS 2026 data release (doi:10.5066/P1WKQ63T): one long CSV, ``MCS2026_Commodities_Data.csv``.

World production, capacity and reserves by country for every commodity USGS tables, U.S. net
import reliance 2021-2025 and U.S. import sources 2021-24, in cp1252. One
:class:`risk.schema.MineralFile`-shaped document per mineral, edition ``mcs2026``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from .. import countries
from . import usgs_mcs as u
from .common import ImportFailure, read_csv_rows

EDITION = "mcs2026"

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

REQUIRED = [
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


def _basis_from_notes(other_notes: str) -> tuple[str | None, str | None]:
    """From "(Data in metric tons, antimony content, unless otherwise specified)" -> ('metric tons', 'antimony content')."""
    m = re.search(r"\(Data in ([^,()]+?)(?:,\s*(.+?))?,? unless otherwise specified\)", other_notes)
    if not m:
        return None, None
    basis = m.group(2)
    return m.group(1).strip(), (basis.strip() if basis else None)


def _assign_products(rows: list[u.Row], path: str) -> None:
    """Split a mineral's rows into series by stage and product (see module notes in README)."""
    by_stage: dict[str, list[u.Row]] = defaultdict(list)
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
                r.product = u.product_slug(match or b)
        # Rows that still collide (same country and year twice) become their own product.
        seen: dict[tuple, u.Row] = {}
        for r in stage_rows:
            key = (r.product, r.country, r.year)
            if key in seen:
                other = seen[key]
                for x in (r, other):
                    if x.base.lower() not in totals and x.base != "":
                        x.product = u.product_slug(x.base)
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


def import_mcs2026(path: str | Path) -> dict[str, dict]:
    """Parse the MCS 2026 long CSV. Returns {mineral slug: MineralFile-shaped dict}."""
    rows, _enc = read_csv_rows(path, REQUIRED, encodings=("utf-8", "cp1252"))
    return docs_from_rows(rows, str(path))


def docs_from_rows(rows: list[dict], name: str) -> dict[str, dict]:
    acc: dict[str, u.MineralAcc] = {}
    problems: list[str] = []

    def mineral_acc(r) -> u.MineralAcc:
        m = u.mineral_slug(r["Commodity"])
        a = acc.get(m)
        if a is None:
            a = acc[m] = u.MineralAcc(name=r["Commodity"].strip())
        if a.chapter is None:
            a.chapter = r["MCS chapter"].strip()
        crit = r["Is critical mineral 2025"].strip()
        if crit in ("Yes", "No"):
            a.critical = bool(a.critical) or crit == "Yes"
        for part in (r["Other notes"] or "").split(" -- "):
            other = u.clean_note(part)
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
            value, flag, raw = u.parse_value(r["Value"])
        except ValueError as exc:
            problems.append(f"{name}:{line}: {r['Commodity']} {r['Country']} {r['Year']}: Value: {exc}")
            continue
        unit_word = r["Unit"].strip()
        unit = u.UNITS.get(unit_word)
        if unit is None:
            problems.append(f"{name}:{line}: {r['Commodity']}: Unit: unknown unit {unit_word!r}")
            continue
        notes = u.clean_note(r["Notes"])
        estimated = bool(notes and notes.startswith("Estimated"))
        if estimated and notes:
            notes = u.clean_note(re.sub(r"^Estimated\.\s*(--\s*)?", "", notes))
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
            stage = u.stage_of(stat, r["Statistics_detail"])
            a.world.append(
                u.Row(
                    mineral=u.mineral_slug(r["Commodity"]),
                    name=a.name,
                    stage=stage,
                    base=u.strip_rounded(r["Statistics_detail"]),
                    unit=unit,
                    country=code,
                    label=u.label_if_different(label, code),
                    qualifier=qualifier,
                    year=year,
                    value=value,
                    flag=u.with_estimate(flag, estimated),
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
            f = u.with_estimate(flag, estimated)
            if f != "none":
                fig["flag"] = f
            if raw is not None:
                fig["raw"] = raw
            lab = u.label_if_different(label, code)
            if lab:
                fig["label"] = lab
            if notes:
                fig["note"] = notes
            fig["_period"] = period
            fig["_line"] = line
            bucket = a.us.setdefault((measure, detail), [])
            k = sum(1 for f in bucket if f["year"] == year and f["country"] == code)
            if k:
                names = REPEATED_US_DETAIL_NAMES.get(u.mineral_slug(r["Commodity"]), [])
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
            "edition": EDITION,
            "source": "usgs_mcs2026",
            "chapter": a.chapter,
            "critical_2025": a.critical,
        }
        if a.notes:
            doc["notes"] = "\n".join(a.notes)
        doc["world"] = u.series_from_rows(a.world, basis, name)
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
