"""Read the IEA Critical Minerals Dataset workbook (sheet "2 Total supply for key minerals").

The IEA gives mining and refining/processing supply by country (kt) for six minerals: an
observed base year and base-case projections. Each block lists the top 4-6 countries, "Rest of
world", "Total" and "Top 3 share". :func:`import_iea` reads the blocks as published. In four
blocks "Rest of world" double-counts the sixth listed country (see data/raw/iea/PROVENANCE.md):
a derived correction in ``data/corrections.yaml`` recomputes "Rest of world" as Total minus the
listed countries, and :func:`import_iea_file` refuses to write an edition whose rows then do not
add up to the Total. Shares are therefore fractions of the IEA Total, as the IEA intends.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import countries
from .common import ImportFailure, begin_import, render_files, validate_docs, write_files
from .corrections import TOLERANCE, correct

SHEET = "2 Total supply for key minerals"
MAX_XLSX_BYTES = 20_000_000

# IEA block header -> (mineral slug, stage, product, detail)
BLOCKS = {
    "copper - mining": ("copper", "mine", "", "Copper - Mining"),
    "copper - refining": ("copper", "refinery", "", "Copper - Refining"),
    "cobalt - mining": ("cobalt", "mine", "", "Cobalt - Mining"),
    "cobalt - refining": ("cobalt", "refinery", "", "Cobalt - Refining"),
    "lithium - mining": ("lithium", "mine", "", "Lithium - Mining (lithium content)"),
    "lithium - chemicals": ("lithium", "refinery", "chemicals", "Lithium - Chemicals (lithium content)"),
    "nickel - mining": ("nickel", "mine", "", "Nickel - Mining"),
    "nickel - refining": ("nickel", "refinery", "", "Nickel - Refining"),
    "graphite - mining (natural)": ("graphite", "mine", "natural", "Graphite - Mining (natural)"),
    "graphite - battery grade": ("graphite", "refinery", "battery_grade", "Graphite - Battery grade"),
    "magnet rare earth elements - mining": ("rare_earths", "mine", "magnet_ree", "Magnet rare earth elements (Pr, Nd, Tb, Dy) - Mining"),
    "magnet rare earth elements - refining": (
        "rare_earths",
        "refinery",
        "magnet_ree",
        "Magnet rare earth elements (Pr, Nd, Tb, Dy) - Refining",
    ),
}
NAMES = {
    "copper": "Copper",
    "cobalt": "Cobalt",
    "lithium": "Lithium",
    "nickel": "Nickel",
    "graphite": "Graphite",
    "rare_earths": "Rare earths",
}


def _read_sheet(path: Path):
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover
        raise ImportFailure(path, "openpyxl is needed to read the IEA workbook") from exc
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFailure(path, f"cannot read file: {exc.strerror}") from None
    if size > MAX_XLSX_BYTES:
        raise ImportFailure(path, f"file is {size:,} bytes; the limit is {MAX_XLSX_BYTES:,}")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFailure(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    if SHEET not in wb.sheetnames:
        raise ImportFailure(path, f"sheet {SHEET!r} not found; sheets are {wb.sheetnames}")
    rows = [list(r) for r in wb[SHEET].iter_rows(values_only=True)]
    wb.close()
    return rows


def import_iea(path: str | Path, edition: str = "iea2025") -> dict[str, dict]:
    """Parse the workbook. Returns {mineral: MineralFile-shaped dict} for the IEA edition."""
    path = Path(path)
    rows = _read_sheet(path)
    year_row = next((i for i, r in enumerate(rows) if sum(isinstance(c, int) and 2000 < c < 2100 for c in r) >= 4), None)
    if year_row is None:
        raise ImportFailure(path, "no row of years found in the supply sheet")
    header = rows[year_row]
    # Two tables side by side: label columns are those followed by year columns.
    label_cols = [j for j in range(len(header) - 1) if header[j] is None and isinstance(header[j + 1], int)]
    if len(label_cols) != 2:
        raise ImportFailure(path, f"expected two side-by-side tables, found {len(label_cols)}", year_row + 1)
    docs: dict[str, dict] = {}
    base_year = None
    for lc in label_cols:
        years = []
        j = lc + 1
        while j < len(header) and isinstance(header[j], int):
            years.append((j, header[j]))
            j += 1
        base_year = years[0][1] if base_year is None else base_year
        i = year_row + 1
        while i < len(rows):
            cell = rows[i][lc] if lc < len(rows[i]) else None
            key = str(cell).strip().lower() if cell is not None else ""
            if key in BLOCKS:
                i = _read_block(path, rows, i, lc, years, BLOCKS[key], docs, edition, base_year)
            else:
                i += 1
    missing = sorted({v[0] + ":" + v[1] for v in BLOCKS.values()} - {f"{m}:{s['stage']}" for m, d in docs.items() for s in d["world"]})
    if missing:
        raise ImportFailure(path, f"blocks not found in the workbook: {', '.join(missing)}")
    for d in docs.values():
        d["world"].sort(key=lambda s: (s["stage"] != "mine", s["product"]))
    return docs


def _read_block(path, rows, start, lc, years, spec, docs, edition, base_year):
    mineral, stage, product, detail = spec
    entries = []  # (label, iso3, values by year)
    total = None
    rest = None
    i = start + 1
    while i < len(rows):
        r = rows[i]
        label = r[lc] if lc < len(r) else None
        if label is None:
            i += 1
            if total is not None:
                break
            continue
        label = str(label).strip()
        vals = {}
        for j, y in years:
            v = r[j] if j < len(r) else None
            if v is None:
                continue
            if not isinstance(v, (int, float)):
                raise ImportFailure(path, f"{detail}: {label} {y}: not a number: {v!r}", i + 1)
            vals[y] = float(v)
        low = label.lower()
        if low.startswith("top 3 share"):
            i += 1
            break
        if low.startswith("total"):
            total = vals
        elif low == "rest of world":
            rest = vals
        else:
            code = countries.to_iso3(label)
            if code is None:
                raise ImportFailure(path, f"{detail}: unknown country {label!r}", i + 1)
            entries.append((label, code, vals))
        i += 1
    if total is None:
        raise ImportFailure(path, f"{detail}: no Total row", start + 1)
    figures = []
    for y in [y for _, y in years]:
        flag = "none" if y == base_year else "projection"
        for label, code, vals in entries:
            if y not in vals:
                continue
            f = {"country": code, "year": y, "value": vals[y]}
            if flag != "none":
                f["flag"] = flag
            if label != countries.name(code):
                f["label"] = label
            figures.append(f)
        if rest is not None:
            f = {"country": "OTH", "year": y, "value": rest.get(y), "label": "Rest of world"}
            if flag != "none":
                f["flag"] = flag
            figures.append(f)
        f = {"country": "WLD", "year": y, "value": total[y], "label": "Total"}
        if flag != "none":
            f["flag"] = flag
        figures.append(f)
    doc = docs.setdefault(
        mineral,
        {
            "mineral": mineral,
            "name": NAMES[mineral],
            "edition": edition,
            "source": "iea_cmd_2025",
            "notes": (
                f"IEA Critical Minerals Dataset, base case supply (kt). {base_year} is observed; "
                "later years are IEA base-case projections from the project pipeline, never mixed with observed years."
            ),
            "world": [],
        },
    )
    doc["world"].append({"stage": stage, "product": product, "detail": detail, "unit": "kt", "figures": figures})
    return i


def check_rows_add_up(docs: dict[str, dict], origin: str) -> None:
    """Refuse an edition whose country rows and Rest of world do not add up to the Total."""
    for doc in docs.values():
        for s in doc["world"]:
            for year in sorted({f["year"] for f in s["figures"]}):
                figs = [f for f in s["figures"] if f["year"] == year]
                total = next(f["value"] for f in figs if f["country"] == "WLD")
                rows = sum(f["value"] or 0.0 for f in figs if f["country"] != "WLD")
                if abs(rows - total) > TOLERANCE * max(abs(total), 1):
                    raise ImportFailure(
                        origin,
                        f"{s['detail']} {year}: the countries and Rest of world add up to {rows:g} kt, not the Total "
                        f"({total:g} kt); if the workbook's Rest of world is wrong here, list this block in the "
                        "Rest of world correction for this edition in data/corrections.yaml",
                    )


def import_iea_file(
    path: str | Path, data_dir: str | Path, edition: str = "iea2025", corrections_dir: str | Path | None = None
) -> dict[str, str]:
    """Import one IEA edition into ``data_dir/iea/<edition>/``. All-or-nothing.

    Corrections are read from ``corrections_dir/corrections.yaml`` (default: ``data_dir``).
    """
    if not re.match(r"^iea\d{4}$", edition):
        raise ImportFailure(path, f"edition must look like iea2025, not {edition!r}")
    begin_import(data_dir)
    docs = import_iea(path, edition)
    correct(docs, edition, corrections_dir or data_dir, str(path))
    check_rows_add_up(docs, str(path))
    validate_docs(docs, str(path))
    folder = f"iea/{edition}"
    return write_files(data_dir, render_files(docs, folder, "import-iea"), replace=[folder])
