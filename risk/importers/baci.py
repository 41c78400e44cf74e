"""CEPII BACI bilateral trade (HS 1992) -> the project's trade store, a small Parquet file.

Input (``data/raw/baci_hs92/``, see its PROVENANCE.md): ``baci_hs92_minerals_1995_2024.csv.gz``
with one row per (year, exporter, importer, HS code) — ``year, exporter_baci, exporter_iso3,
importer_baci, importer_iso3, hs92, value_kusd, quantity_t`` — and ``country_codes.csv``
(BACI numeric code -> ISO3). ``data/trade_products.yaml`` maps HS codes to minerals and names
the BACI codes that are not ISO 3166 countries.

Output: ``data/trade/baci_hs92_minerals.parquet``, one row per (mineral, HS code, exporter,
importer, year) for the mapped codes:

=============  =============================================================================
column         meaning
=============  =============================================================================
mineral        mineral slug (dictionary-encoded)
hs             HS 1992 six-digit code (dictionary-encoded)
exporter       ISO3 of the exporter (dictionary-encoded; X.. codes for the groups named in
               data/trade_products.yaml)
importer       ISO3 of the importer
year           data year
value_usd      trade value in current US dollars (FOB), an integer: BACI's thousand-dollar
               value has three decimals, so ``value_usd / 1000`` is BACI's ``value_kusd`` exactly
quantity_kg    quantity in kilograms, gross weight (BACI's ``quantity_t`` x 1000; null where
               BACI has no quantity)
=============  =============================================================================

Integers with byte-stream-split encoding and zstd make the file about 60% of the size of the
same columns as floats. The bytes are deterministic: rows sorted, dictionaries sorted, a fixed
row-group size, no timestamps; the key-value metadata holds the source id, units and the
SHA-256 of every input, so :func:`load_store` can tell a store built from another mapping.

The import is all-or-nothing: every row is checked before anything is written; the first bad
row is reported as ``file:line: record: field: message`` and the previous store is left as it
was. :func:`load_store` reads the file lazily (pyarrow is imported only then).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import countries
from ..yamlio import DataFileError, atomic_write_bytes, line_of, load_yaml_file

SOURCE_ID = "cepii_baci_hs92"
STORE = "trade/baci_hs92_minerals.parquet"
PRODUCTS = "trade_products.yaml"
RAW_FOLDER = "raw/baci_hs92"
CSV_NAME = "baci_hs92_minerals_1995_2024.csv.gz"
COUNTRY_CODES = "country_codes.csv"
COLUMNS = ["year", "exporter_baci", "exporter_iso3", "importer_baci", "importer_iso3", "hs92", "value_kusd", "quantity_t"]
STAGES = ("ore/concentrate", "refined/compound", "metal/powder")
#: Largest inputs accepted: the real file is 11 MB compressed, 53 MB of text.
MAX_GZ_BYTES = 200_000_000
MAX_TEXT_BYTES = 1_500_000_000
ROW_GROUP_SIZE = 1 << 17
FIRST_YEAR, LAST_YEAR = 1988, 2100
UNITS = {"value_usd": "US dollars, current, FOB", "quantity_kg": "kilograms, gross weight"}


class ImportFailure(DataFileError):
    """The BACI files cannot be imported; nothing was written."""


# ------------------------------------------------------------------------------------------
# data/trade_products.yaml

_Hs = Field(pattern=r"^\d{6}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Product(_Strict):
    hs: str = _Hs
    mineral: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=60)
    stage: Literal["ore/concentrate", "refined/compound", "metal/powder"]
    note: str = Field(min_length=3)
    first_year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR)
    last_year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR)

    @model_validator(mode="after")
    def _years(self):
        if self.first_year is not None and self.last_year is not None and self.first_year > self.last_year:
            raise ValueError(f"first_year {self.first_year} is after last_year {self.last_year}")
        return self


class NotMapped(_Strict):
    hs: str = _Hs
    note: str = Field(min_length=3)


class CountryNote(_Strict):
    baci: str = Field(pattern=r"^\d{1,4}$")
    baci_iso3: str = Field(pattern=r"^[A-Z0-9]{3}$")
    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    name: str
    note: str


class Group(_Strict):
    id: str = Field(pattern=r"^[A-Z0-9]{3,6}$")
    name: str
    members: list[str] = Field(min_length=2)
    note: str


class TradeProductsFile(_Strict):
    source: str
    stages: list[str]
    products: list[Product]
    not_mapped: list[NotMapped] = []
    countries: list[CountryNote] = []
    groups: list[Group] = []


@dataclass(frozen=True)
class Mapping:
    """The validated ``trade_products.yaml``: products, country notes and importer groups."""

    path: str
    sha256: str
    products: dict[str, Product]
    not_mapped: dict[str, NotMapped]
    country_notes: dict[str, CountryNote]  # by BACI code
    groups: dict[str, Group]

    @property
    def minerals(self) -> list[str]:
        return sorted({p.mineral for p in self.products.values()})

    def codes(self, mineral: str) -> list[str]:
        return sorted(hs for hs, p in self.products.items() if p.mineral == mineral)

    def country_name(self, iso3: str) -> str:
        """Display name: the group table's name for X.. codes and groups, else risk.countries."""
        if iso3 in self.groups:
            return self.groups[iso3].name
        for n in self.country_notes.values():
            if n.iso3 == iso3 and not countries.is_valid(iso3):
                return n.name
        return countries.name(iso3)

    def is_known_code(self, iso3: str) -> bool:
        return countries.is_valid(iso3) or iso3 in self.groups or any(n.iso3 == iso3 for n in self.country_notes.values())


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate ``data/trade_products.yaml``; errors name the file, line and field."""
    path = Path(path)
    doc = load_yaml_file(path)
    text = path.read_text(encoding="utf-8")
    try:
        model = TradeProductsFile.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        record = _record(doc, loc)
        field = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {field!r}"
        elif err["type"] == "missing":
            msg = f"required field {field!r} is missing"
        raise ImportFailure(path, f"{record}: {field}: {msg}", line_of(text, loc)) from None
    if tuple(model.stages) != STAGES:
        raise ImportFailure(path, f"stages: {model.stages} are not the trade stages {list(STAGES)}", line_of(text, ("stages",)))

    def fail(section: str, i: int, key: str, record: str, message: str):
        raise ImportFailure(path, f"{section}[{i}] {record}: {key}: {message}", line_of(text, (section, i, key)))

    products: dict[str, Product] = {}
    for i, p in enumerate(model.products):
        if p.hs in products:
            fail("products", i, "hs", p.hs, "HS code listed twice")
        products[p.hs] = p
    not_mapped: dict[str, NotMapped] = {}
    for i, n in enumerate(model.not_mapped):
        if n.hs in products or n.hs in not_mapped:
            fail("not_mapped", i, "hs", n.hs, "HS code is also listed under products (or twice here)")
        not_mapped[n.hs] = n
    notes: dict[str, CountryNote] = {}
    for i, c in enumerate(model.countries):
        if c.baci in notes:
            fail("countries", i, "baci", c.baci, "BACI code listed twice")
        if not countries.is_valid(c.iso3) and not c.iso3.startswith("X"):
            fail("countries", i, "iso3", c.baci, f"{c.iso3!r} is neither an ISO 3166-1 code nor a user-assigned X.. code")
        notes[c.baci] = c
    groups: dict[str, Group] = {}
    for i, g in enumerate(model.groups):
        bad = [m for m in g.members if not countries.is_valid(m)]
        if bad:
            fail("groups", i, "members", g.id, f"unknown country code(s) {', '.join(bad)}")
        if len(set(g.members)) != len(g.members):
            fail("groups", i, "members", g.id, "a member is listed twice")
        if countries.is_valid(g.id):
            fail("groups", i, "id", g.id, "a group id must not be a country code")
        groups[g.id] = g
    usgs = path.parent / "usgs" / "mcs2026"
    if usgs.is_dir():
        known = {p.stem for p in usgs.glob("*.yaml")}
        for i, p in enumerate(model.products):
            if p.mineral not in known:
                fail("products", i, "mineral", p.hs, f"no mineral {p.mineral!r} in data/usgs/mcs2026/ (use the project's slugs)")
    return Mapping(str(path), _sha256(path.read_bytes()), products, not_mapped, notes, groups)


def _record(doc, loc: tuple) -> str:
    try:
        item = doc[loc[0]][loc[1]]
        key = item.get("hs") or item.get("baci") or item.get("id")
        return f"{loc[0]}[{loc[1]}]" + (f" {key}" if key else "")
    except (KeyError, IndexError, TypeError, AttributeError):
        return str(loc[0]) if loc else ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------
# Reading the raw files


def find_inputs(path: str | Path) -> tuple[Path, Path]:
    """(trade CSV, country_codes.csv) from a folder or from the csv.gz itself."""
    p = Path(path)
    if p.is_dir():
        found = sorted(p.glob("*.csv.gz"))
        if len(found) != 1:
            raise ImportFailure(p, f"expected one BACI .csv.gz file in the folder, found {len(found)}")
        p = found[0]
    elif not p.exists():
        raise ImportFailure(p, "no such file or folder")
    codes = p.parent / COUNTRY_CODES
    if not codes.exists():
        raise ImportFailure(codes, f"BACI's {COUNTRY_CODES} must sit beside {p.name}")
    return p, codes


def read_text(path: Path) -> tuple[bytes, bytes]:
    """(the file's bytes, its text as bytes): gzip is decompressed; a truncated or damaged
    stream is reported with the line where the readable text stops."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFailure(path, f"cannot read file: {exc.strerror}") from None
    if size == 0:
        raise ImportFailure(path, "the file is empty")
    if size > MAX_GZ_BYTES:
        raise ImportFailure(path, f"file is {size:,} bytes; the limit is {MAX_GZ_BYTES:,} bytes")
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        if path.name.endswith(".gz"):
            raise ImportFailure(path, "not a gzip file (it does not start with the gzip signature)")
        return raw, raw
    out: list[bytes] = []
    total = 0
    pos = 0
    chunk = 1 << 20
    d = zlib.decompressobj(wbits=31)
    while True:
        piece = raw[pos : pos + chunk]
        pos += len(piece)
        try:
            data = d.decompress(piece)
        except zlib.error as exc:
            line = b"".join(out).count(b"\n") + 1
            raise ImportFailure(path, f"damaged gzip data ({exc}); the text is readable up to this line", line) from None
        total += len(data)
        if total > MAX_TEXT_BYTES:
            raise ImportFailure(path, f"the text is over {MAX_TEXT_BYTES:,} bytes")
        out.append(data)
        if d.eof:
            rest = d.unused_data + raw[pos:]
            if not rest.strip(b"\x00"):
                break
            # a multi-member gzip file (concatenated streams) continues with a new member
            if rest[:2] != b"\x1f\x8b":
                raise ImportFailure(path, "trailing bytes after the gzip stream")
            raw, pos, d = rest, 0, zlib.decompressobj(wbits=31)
            continue
        if pos >= len(raw):
            text = b"".join(out)
            line = text.count(b"\n") + 1
            raise ImportFailure(
                path, f"truncated gzip file: the compressed data end before the end of the stream ({size:,} bytes read)", line
            )
    return raw, b"".join(out)


def read_country_codes(path: Path, mapping: Mapping) -> dict[str, str]:
    """BACI numeric code -> the project's ISO3 (current ISO 3166-1, or an X.. group code)."""
    import csv

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailure(path, f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    need = ["country_code", "country_name", "country_iso3"]
    missing = [c for c in need if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailure(path, f"missing column(s) {', '.join(repr(c) for c in missing)}", 1)
    out: dict[str, str] = {}
    for lineno, r in enumerate(reader, start=2):
        code = (r["country_code"] or "").strip()
        iso = (r["country_iso3"] or "").strip()
        if not code.isdigit():
            raise ImportFailure(path, f"{code}: country_code: not a number", lineno)
        if code in out:
            raise ImportFailure(path, f"{code}: country_code: listed twice", lineno)
        note = mapping.country_notes.get(code)
        if note is not None:
            if note.baci_iso3 != iso:
                raise ImportFailure(
                    path,
                    f"{code}: country_iso3: {iso!r}, but {Path(mapping.path).name} expects {note.baci_iso3!r} for BACI code {code}",
                    lineno,
                )
            out[code] = note.iso3
        elif countries.is_valid(iso):
            out[code] = iso
        # codes that are neither ISO nor in the table stay unresolved: an error only if used
    return out


_CATEGORY_COLUMNS = ["exporter_baci", "exporter_iso3", "importer_baci", "importer_iso3", "hs92"]


def _read_frame(name: str, text: bytes):
    """(frame, raw text frame or None). The fast path reads typed columns; if a cell is not a
    number it re-reads everything as text so that the bad cell can be named."""
    import re

    import pandas as pd

    header = text[: text.find(b"\n")].decode("utf-8", "replace").strip().lstrip("\ufeff").split(",")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailure(
            name,
            f"missing column(s) {', '.join(repr(c) for c in missing)}; found {', '.join(repr(h) for h in header[:10])}"
            " — is this the BACI minerals slice?",
            1,
        )

    def read(dtype, **kw):
        try:
            # no usecols: with it pandas would silently drop a row's extra fields
            df = pd.read_csv(io.BytesIO(text), dtype=dtype, skip_blank_lines=False, engine="c", encoding="utf-8", **kw)
            return df[COLUMNS]
        except pd.errors.ParserError as exc:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if m:
                raise ImportFailure(
                    name, f"row has {m.group(3)} fields, the header has {m.group(1)}: the file looks damaged", int(m.group(2))
                ) from None
            raise ImportFailure(name, f"not a readable CSV: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ImportFailure(name, "not UTF-8 text", text[: exc.start].count(b"\n") + 1) from None

    typed = dict.fromkeys(_CATEGORY_COLUMNS, "category") | {"year": "float64", "value_kusd": "float64", "quantity_t": "float64"}
    try:
        return read(typed), None
    except ValueError:  # a cell that is not a number: find it on the text
        raw = read(str, na_filter=False)
    df = raw[_CATEGORY_COLUMNS].astype("category")
    for c in ("year", "value_kusd", "quantity_t"):
        df[c] = pd.to_numeric(raw[c], errors="coerce")
    return df, raw


def _parse_rows(name: str, text: bytes, mapping: Mapping, codes: dict[str, str]):
    """Check every row and return the mapped rows as a DataFrame (nothing is written here)."""
    import numpy as np
    import pandas as pd

    df, raw = _read_frame(name, text)
    n = len(df)
    if n == 0:
        raise ImportFailure(name, "the file has a header but no data rows")
    problems: list[tuple[int, str, str, int]] = []  # (row index, field, message, rows affected)

    def flag(mask, field: str, message) -> None:
        idx = np.flatnonzero(np.asarray(mask))
        if len(idx):
            i = int(idx[0])
            problems.append((i, field, message(i), len(idx)))

    def cell(col: str, i: int) -> str:
        if raw is not None:
            return str(raw[col].iat[i])
        v = df[col].iat[i]
        return "" if pd.isna(v) else (f"{v:g}" if isinstance(v, float) else str(v))

    def cat_lookup(col: str, table: dict):
        """Per-row lookup through the categories (a few hundred values, not a million)."""
        s = df[col]
        cats = s.cat.categories.astype(str)
        looked = np.array([table.get(c) for c in cats] + [None], dtype=object)
        return looked[s.cat.codes.to_numpy()]  # code -1 (empty cell) takes the trailing None

    empty = df.isna()
    for c in ("year", "value_kusd", *_CATEGORY_COLUMNS):
        if raw is not None and c in ("year", "value_kusd"):
            flag(empty[c] & (raw[c].str.strip() != ""), c, lambda i, c=c: f"not a number: {cell(c, i)!r}")
        flag(empty[c] & ((raw[c].str.strip() == "") if raw is not None else True), c, lambda i, c=c: "empty cell")
    year = df["year"]
    flag(
        year.notna() & (~year.between(FIRST_YEAR, LAST_YEAR) | (year != year.round())), "year", lambda i: f"not a year: {cell('year', i)!r}"
    )
    back = {n.baci: n.baci_iso3 for n in mapping.country_notes.values()}
    listed_of = {c: back.get(c, iso) for c, iso in codes.items()}
    for side in ("exporter", "importer"):
        col = f"{side}_baci"
        iso = cat_lookup(col, codes)
        unknown = df[col].notna().to_numpy() & pd.isna(iso)
        flag(unknown, col, lambda i, col=col: _unknown_country(cell(col, i)))
        # the ISO3 beside each code must be the one country_codes.csv lists: checked once per
        # distinct (code, ISO3) pair
        a, b = df[col].cat, df[f"{side}_iso3"].cat
        pair = a.codes.to_numpy().astype("int64") * (len(b.categories) + 1) + b.codes.to_numpy()
        uniq, first = np.unique(pair, return_index=True)
        bad_pairs = []
        for pv, i in zip(uniq, first, strict=True):
            shown, expected = cell(f"{side}_iso3", int(i)), listed_of.get(cell(col, int(i)))
            if expected is not None and shown and shown != expected:
                bad_pairs.append(pv)
        if bad_pairs:
            flag(
                np.isin(pair, bad_pairs),
                f"{side}_iso3",
                lambda i, side=side: (
                    f"{cell(side + '_iso3', i)!r}, but BACI code {cell(side + '_baci', i)} is "
                    f"{listed_of.get(cell(side + '_baci', i))!r} in {COUNTRY_CODES}"
                ),
            )
    known_hs = cat_lookup("hs92", dict.fromkeys([*mapping.products, *mapping.not_mapped], True))
    flag(
        df["hs92"].notna().to_numpy() & pd.isna(known_hs),
        "hs92",
        lambda i: f"unknown HS code {cell('hs92', i)!r}: not in data/{PRODUCTS} (map it under products or list it under not_mapped)",
    )
    value = df["value_kusd"]
    flag(np.isinf(value), "value_kusd", lambda i: f"not a finite number: {cell('value_kusd', i)!r}")
    flag(value < 0, "value_kusd", lambda i: f"negative value {value.iat[i]:g} (thousand USD)")
    qty = df["quantity_t"]
    if raw is not None:
        flag(qty.isna() & (raw["quantity_t"].str.strip() != ""), "quantity_t", lambda i: f"not a number: {cell('quantity_t', i)!r}")
    flag(np.isinf(qty), "quantity_t", lambda i: f"not a finite number: {cell('quantity_t', i)!r}")
    flag(qty < 0, "quantity_t", lambda i: f"negative quantity {qty.iat[i]:g} (tonnes)")
    if not problems:
        key = pd.DataFrame({c: df[c].cat.codes for c in ("exporter_baci", "importer_baci", "hs92")} | {"year": year})
        flag(key.duplicated(keep="first"), "", lambda i: "second row for the same year, exporter, importer and HS code")
    if problems:
        problems.sort()
        i, field, message, _ = problems[0]
        fields = _fields_on_line(text, i + 2)
        if fields < len(COLUMNS):  # pandas pads a short row with empty cells: say what it is
            field, message = "", f"row has {fields} fields, the header has {len(COLUMNS)}: the file looks truncated or damaged"
        more = sum(p[3] for p in problems) - 1
        record = f"{cell('year', i) or '?'} {cell('exporter_baci', i) or '?'}->{cell('importer_baci', i) or '?'} {cell('hs92', i) or '?'}"
        tail = f" (and {more:,} more problem(s))" if more else ""
        raise ImportFailure(name, f"{record}: {field + ': ' if field else ''}{message}{tail}; nothing was written", i + 2)

    # keep mapped codes within their years
    prod = mapping.products
    mineral = cat_lookup("hs92", {k: p.mineral for k, p in prod.items()})
    lo = cat_lookup("hs92", {k: p.first_year or FIRST_YEAR for k, p in prod.items()})
    hi = cat_lookup("hs92", {k: p.last_year or LAST_YEAR for k, p in prod.items()})
    mapped = pd.notna(mineral)
    y = year.to_numpy()
    keep = mapped & (y >= np.where(mapped, lo, 0).astype(float)) & (y <= np.where(mapped, hi, 0).astype(float))
    q = qty.to_numpy()[keep]
    isos = sorted(set(codes.values()))

    def recode(col: str, table: dict, categories: list[str] | None = None):
        """A categorical of table[value] per row, built through the categories only."""
        s = df[col].cat
        new = [table.get(str(c)) for c in s.categories]
        cats = categories if categories is not None else sorted({v for v in new if v is not None})
        pos = {v: i for i, v in enumerate(cats)}
        lut = np.array([pos.get(v, -1) for v in new] + [-1], dtype="int64")
        return pd.Categorical.from_codes(lut[s.codes.to_numpy()][keep], categories=cats)

    out = pd.DataFrame(
        {
            "mineral": recode("hs92", {k: p.mineral for k, p in prod.items()}),
            "hs": recode("hs92", {k: k for k in prod}),
            "exporter": recode("exporter_baci", codes, isos),
            "importer": recode("importer_baci", codes, isos),
            "year": y[keep].astype("int16"),
            "value_usd": np.rint(value.to_numpy()[keep] * 1000).astype("int64"),
            "quantity_kg": pd.array(np.where(np.isnan(q), 0, np.rint(q * 1000)).astype("int64"), dtype="Int64"),
        }
    )
    out.loc[np.isnan(q), "quantity_kg"] = pd.NA
    # two BACI codes for one ISO3 (Belgium-Luxembourg and Belgium; Sudan before and after 2011)
    # never overlap in a year in this slice; if they did, their rows are added
    keys = ["mineral", "hs", "exporter", "importer", "year"]
    if out.duplicated(keys).any():
        out = out.groupby(keys, as_index=False, observed=True).agg(
            value_usd=("value_usd", "sum"), quantity_kg=("quantity_kg", lambda s: s.sum(min_count=1))
        )
    out = out[out["exporter"].cat.codes.to_numpy() != out["importer"].cat.codes.to_numpy()].reset_index(drop=True)
    counts = {"rows": n, "kept": len(out), "not_mapped": int((~mapped).sum()), "outside_years": int((mapped & ~keep).sum())}
    return out, counts


def _fields_on_line(text: bytes, line: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.find(b"\n", start) + 1
        if start == 0:
            return 0
    end = text.find(b"\n", start)
    row = text[start : end if end >= 0 else len(text)].rstrip(b"\r")
    return row.count(b",") + 1 if row else 0


def _unknown_country(code: str) -> str:
    return f"unknown country code {code!r}: not in {COUNTRY_CODES} as an ISO 3166 country and not under countries: in data/{PRODUCTS}"


# ------------------------------------------------------------------------------------------
# Writing


def build_store(df, meta: dict[str, str]) -> bytes:
    """Parquet bytes for the checked rows; the same rows always give the same bytes."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    keys = ["mineral", "hs", "exporter", "importer", "year"]
    df = df.sort_values(keys, kind="stable", ignore_index=True)

    def dictionary(values) -> pa.DictionaryArray:
        cat = pd.Categorical(values).remove_unused_categories()
        cat = cat.reorder_categories(sorted(cat.categories.astype(str)))  # dictionary order never depends on row order
        return pa.DictionaryArray.from_arrays(
            pa.array(cat.codes.astype("int16")), pa.array(list(cat.categories.astype(str)), type=pa.string())
        )

    q = df["quantity_kg"]
    qmask = q.isna().to_numpy()
    table = pa.table(
        {
            "mineral": dictionary(df["mineral"]),
            "hs": dictionary(df["hs"]),
            "exporter": dictionary(df["exporter"]),
            "importer": dictionary(df["importer"]),
            "year": pa.array(df["year"].to_numpy(), type=pa.int16()),
            "value_usd": pa.array(df["value_usd"].to_numpy(), type=pa.int64()),
            "quantity_kg": pa.array(q.fillna(0).to_numpy().astype("int64"), type=pa.int64(), mask=qmask),
        }
    )
    table = table.replace_schema_metadata({k.encode(): v.encode() for k, v in sorted(meta.items())})
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        compression_level=9,
        row_group_size=ROW_GROUP_SIZE,
        use_dictionary=["mineral", "hs", "exporter", "importer"],
        use_byte_stream_split=["value_usd", "quantity_kg"],
        write_statistics=True,
    )
    return sink.getvalue()


def import_baci(
    path: str | Path,
    data_dir: str | Path,
    products_path: str | Path | None = None,
) -> dict[str, bytes]:
    """Import BACI into ``data_dir/trade/``. All-or-nothing. Returns {relative path: bytes}.

    ``products_path`` defaults to ``data_dir/trade_products.yaml``.
    """
    data_dir = Path(data_dir)
    mapping = load_mapping(products_path or data_dir / PRODUCTS)
    csv_path, codes_path = find_inputs(path)
    raw, text = read_text(csv_path)
    codes = read_country_codes(codes_path, mapping)
    df, counts = _parse_rows(str(csv_path), text, mapping, codes)
    if df.empty:
        raise ImportFailure(csv_path, "no rows for any mapped HS code; nothing was written")
    meta = {
        "source": SOURCE_ID,
        "generated_by": "python -m risk import-baci (risk/importers/baci.py)",
        "units": "; ".join(f"{k}: {v}" for k, v in UNITS.items()),
        "input_sha256": _sha256(raw),
        "country_codes_sha256": _sha256(codes_path.read_bytes()),
        "trade_products_sha256": mapping.sha256,
        "rows_read": str(counts["rows"]),
        "rows_not_mapped": str(counts["not_mapped"]),
        "rows_outside_code_years": str(counts["outside_years"]),
    }
    data = build_store(df, meta)
    target = data_dir / STORE
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, data)
    return {STORE: data}


# ------------------------------------------------------------------------------------------
# Reading the store


class StoreError(DataFileError):
    """The trade store is missing, damaged or out of date."""


def load_store(
    data_dir: str | Path,
    *,
    minerals: list[str] | None = None,
    years: tuple[int, int] | None = None,
    check_mapping: bool = True,
):
    """The trade store as a DataFrame: mineral, hs, exporter, importer (categoricals), year,
    value_kusd (thousand USD) and quantity_t (tonnes, NaN where BACI has none).
    ``attrs``: source id, the file's metadata, and ``years`` (first, last) of the whole store.

    ``minerals`` and ``years`` (first, last) read only those rows (pyarrow skips row groups by
    their statistics and filters the rest).
    With ``check_mapping`` a store built from another ``trade_products.yaml`` is refused.
    """
    import pyarrow.parquet as pq

    data_dir = Path(data_dir)
    path = data_dir / STORE
    if not path.exists():
        raise StoreError(path, "the trade store is missing: run `python -m risk import-baci data/raw/baci_hs92`")
    try:
        pf = pq.ParquetFile(path)
        meta = {k.decode(): v.decode() for k, v in (pf.schema_arrow.metadata or {}).items()}
        if meta.get("source") != SOURCE_ID:
            raise StoreError(path, f"not a BACI trade store (source {meta.get('source')!r})")
        if check_mapping:
            products = data_dir / PRODUCTS
            if products.exists() and _sha256(products.read_bytes()) != meta.get("trade_products_sha256"):
                raise StoreError(path, f"built from another data/{PRODUCTS}: run `python -m risk import-baci data/raw/baci_hs92`")
        filters = [("mineral", "in", list(minerals))] if minerals else []
        if years is not None:
            filters += [("year", ">=", int(years[0])), ("year", "<=", int(years[1]))]
        table = pq.read_table(path, filters=filters or None)
    except StoreError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise StoreError(path, f"cannot read the trade store: {exc}") from None
    df = table.to_pandas()
    df["value_kusd"] = df.pop("value_usd").to_numpy() / 1000.0
    df["quantity_t"] = df.pop("quantity_kg").astype("float64") / 1000.0
    df.attrs["source"] = SOURCE_ID
    df.attrs["meta"] = meta
    df.attrs["years"] = store_years(data_dir)  # the years of the whole store, whatever was read
    return df


def store_years(data_dir: str | Path) -> tuple[int, int]:
    """(first, last) year in the trade store, from the row-group statistics (nothing is read)."""
    import pyarrow.parquet as pq

    path = Path(data_dir) / STORE
    if not path.exists():
        raise StoreError(path, "the trade store is missing: run `python -m risk import-baci data/raw/baci_hs92`")
    try:
        pf = pq.ParquetFile(path)
        yi = pf.schema_arrow.get_field_index("year")
        stats = [pf.metadata.row_group(i).column(yi).statistics for i in range(pf.metadata.num_row_groups)]
        return min(int(st.min) for st in stats), max(int(st.max) for st in stats)
    except Exception as exc:
        raise StoreError(path, f"cannot read the trade store: {exc}") from None
