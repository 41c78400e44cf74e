"""USGS MCS 2026 data release (doi:10.5066/P1WKQ63T): one long CSV, ``MCS2026_Commodities_Data.csv``.

World production, capacity and reserves by country for every commodity USGS tables, U.S. net
import reliance 2021-2025, U.S. import sources 2021-24 and the chapter's "Salient
Statistics—United States" (production, consumption, imports, exports, stocks, prices), in
cp1252. One :class:`risk.schema.MineralFile`-shaped document per mineral, edition ``mcs2026``.

Salient statistics keep USGS's series name (``detail``) and unit (prices in the publisher's
words: ``dollars per kilogram``); consumption keeps its basis (apparent, reported or
estimated), and one consumption series per mineral is marked primary: the one whose basis is
the basis of the headline net import reliance ("... as a percentage of reported consumption").
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from .. import countries
from .common import ImportFailure, read_csv_rows
from .usgs_mcs import (
    UNITS,
    MineralAcc,
    Row,
    clean_note,
    label_if_different,
    mineral_slug,
    parse_value,
    product_slug,
    series_from_rows,
    stage_of,
    strip_rounded,
    with_estimate,
)

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

#: USGS ``Statistics`` word -> salient measure.
SALIENT_MEASURES = {
    "Production": "production",
    "Consumption": "consumption",
    "Import": "imports",
    "Export": "exports",
    "Stock": "stocks",
    "Price": "price",
}
#: Units of salient rows that are not quantities (prices, values) are kept in USGS's words.
_MONEY_UNITS = re.compile(r"^(dollars|cents|million dollars|index)\b|^$")
_BASIS_RE = re.compile(r"\b(apparent|reported|estimated)\b", re.IGNORECASE)

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


def _assign_products(rows: list[Row], path: str) -> None:
    """Split a mineral's rows into series by stage and product (see module notes in README)."""
    by_stage: dict[str, list[Row]] = defaultdict(list)
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
        seen: dict[tuple, Row] = {}
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


def import_mcs2026(path: str | Path) -> dict[str, dict]:
    """Parse the MCS 2026 long CSV. Returns {mineral slug: MineralFile-shaped dict}."""
    rows, _enc = read_csv_rows(path, REQUIRED, encodings=("utf-8", "cp1252"))
    return docs_from_rows(rows, str(path))


def docs_from_rows(rows: list[dict], name: str) -> dict[str, dict]:
    acc: dict[str, MineralAcc] = {}
    problems: list[str] = []

    def mineral_acc(r) -> MineralAcc:
        m = mineral_slug(r["Commodity"])
        a = acc.get(m)
        if a is None:
            a = acc[m] = MineralAcc(name=r["Commodity"].strip())
        if a.chapter is None:
            a.chapter = r["MCS chapter"].strip()
        crit = r["Is critical mineral 2025"].strip()
        if crit in ("Yes", "No"):
            a.critical = bool(a.critical) or crit == "Yes"
        for part in (r["Other notes"] or "").split(" -- "):
            other = clean_note(part)
            if other and other not in a.notes:
                a.notes.append(other)
        return a

    for r in rows:
        section = r["Section"].strip()
        stat = r["Statistics"].strip()
        is_world = section.startswith("World")
        is_nir = stat == "Net import reliance"
        is_imp = section == "Import Sources"
        is_sal = section.startswith("Salient") and stat in SALIENT_MEASURES
        if not (is_world or is_nir or is_imp or is_sal):
            continue
        line = r["_line"]
        try:
            value, flag, raw = parse_value(r["Value"])
        except ValueError as exc:
            problems.append(f"{name}:{line}: {r['Commodity']} {r['Country']} {r['Year']}: Value: {exc}")
            continue
        unit_word = r["Unit"].strip()
        unit = UNITS.get(unit_word)
        if unit is None and is_sal and _MONEY_UNITS.match(unit_word):
            unit = unit_word
        if unit is None:
            problems.append(f"{name}:{line}: {r['Commodity']}: Unit: unknown unit {unit_word!r}")
            continue
        notes = clean_note(r["Notes"])
        estimated = bool(notes and notes.startswith("Estimated"))
        if estimated and notes:
            notes = clean_note(re.sub(r"^Estimated\.\s*(--\s*)?", "", notes))
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
        if is_sal:
            detail = " ".join(r["Statistics_detail"].split())
            fig = {"country": code, "year": year, "value": value}
            f = with_estimate(flag, estimated)
            if f != "none":
                fig["flag"] = f
            if raw is not None:
                fig["raw"] = raw
            if notes:
                fig["note"] = notes
            key = (SALIENT_MEASURES[stat], detail, unit)
            k = sum(1 for kk in a.salient if kk[:3] == key and any(g["year"] == year for g in a.salient[kk]))
            a.salient.setdefault((*key, k), []).append(fig)
            continue
        if is_world:
            stage = stage_of(stat, r["Statistics_detail"])
            a.world.append(
                Row(
                    mineral=mineral_slug(r["Commodity"]),
                    name=a.name,
                    stage=stage,
                    base=strip_rounded(r["Statistics_detail"]),
                    unit=unit,
                    country=code,
                    label=label_if_different(label, code),
                    qualifier=qualifier,
                    year=year,
                    value=value,
                    flag=with_estimate(flag, estimated),
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
            f = with_estimate(flag, estimated)
            if f != "none":
                fig["flag"] = f
            if raw is not None:
                fig["raw"] = raw
            lab = label_if_different(label, code)
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
            "edition": EDITION,
            "source": "usgs_mcs2026",
            "chapter": a.chapter,
            "critical_2025": a.critical,
        }
        if a.notes:
            doc["notes"] = "\n".join(a.notes)
        doc["world"] = series_from_rows(a.world, basis, name)
        doc["us"] = _us_series(mineral, a.us, name)
        salient = _salient_series(mineral, a.salient, doc["us"])
        if salient:
            doc["salient"] = salient
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


def _salient_series(mineral: str, groups: dict[tuple, list[dict]], us: list[dict]) -> list[dict]:
    """Salient statistics as series: one per measure, USGS series name and unit, years in order.

    A series name USGS repeats for two products in one year (mica: scrap and flake, sheet) is
    told apart by row order, as for the U.S. import sources.
    """
    repeated = {key[:3] for key in groups if key[3] > 0}
    names = REPEATED_US_DETAIL_NAMES.get(mineral, [])
    out = []
    for (measure, detail, unit, k), figs in groups.items():
        name = detail
        if (measure, detail, unit) in repeated:
            name = f"{detail}: {names[k]}" if k < len(names) else f"{detail} (row {k + 1})"
        figs = sorted(figs, key=lambda f: f["year"])
        s: dict = {"measure": measure, "detail": name}
        if measure == "consumption":
            m = _BASIS_RE.search(detail)
            if m:
                s["basis"] = m.group(1).lower()
        s["unit"] = unit
        shared = {f.get("note") for f in figs}
        if len(shared) == 1 and None not in shared:
            s["note"] = shared.pop()
            figs = [{k2: v for k2, v in f.items() if k2 != "note"} for f in figs]
        s["figures"] = figs
        out.append(s)
    cons = [s for s in out if s["measure"] == "consumption" and not _MONEY_UNITS.match(s["unit"])]
    if cons:
        nir = next((x for x in us if x["measure"] == "net_import_reliance" and x["primary"]), None)
        words = set(re.findall(r"[a-z]+", nir["detail"].lower())) if nir else set()
        basis = next((b for b in ("apparent", "reported", "estimated") if b in words), None)
        tail = words - {"net", "import", "reliance", "as", "a", "percentage", "of", "consumption", "apparent", "reported", "estimated"}

        def score(s: dict) -> tuple:
            w = set(re.findall(r"[a-z]+", s["detail"].lower()))
            return (s.get("basis") == basis, len(w & tail), -cons.index(s))

        max(cons, key=score)["primary"] = True
    for s in out:
        if s["measure"] == "consumption":
            s["primary"] = bool(s.get("primary"))
            # keep the key order stable: measure, detail, basis, unit, primary, note, figures
            figs, note = s.pop("figures"), s.pop("note", None)
            if note:
                s["note"] = note
            s["figures"] = figs
    return out
