"""Load and validate ``data/`` into tidy pandas DataFrames.

Every YAML file is read safely (:mod:`risk.yamlio`) and validated through the pydantic models
in :mod:`risk.schema`. Problems are collected, not raised one at a time, and each names the
file, line, record and field: ``data/usgs/mcs2026/gallium.yaml:42: world[0] mine CHN 2025: value: ...``.

Frames (columns carry their meaning; see ``FIELDS`` for the metadata of each column):

* ``figures``: world production, capacity and reserves, one row per country, year and series.
* ``series``: one row per series (edition, mineral, stage, product) with unit and basis.
* ``us``: U.S. net import reliance and import-source shares.
* ``salient``: the chapters' U.S. salient statistics (production, consumption with its basis,
  imports, exports, stocks, prices), one row per series and year, with unit and series name.
* ``minerals``: one row per mineral with names, chapters and critical-list membership.
* ``wgi``: governance estimates per country and year, with the EU-method scaled score.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import pandas as pd
from pydantic import BaseModel, ValidationError

from . import DATA_DIR, countries
from .importers.wgi import WGI_FILE, read_wgi_table
from .schema import Claim, ClaimsFile, CriticalListsFile, MineralFile, Source, SourcesFile, Unit
from .vocab import EDITIONS
from .yamlio import DataFileError, interrupted_imports, line_of, load_yaml_file

#: Sub-folders holding one MineralFile per mineral, by edition (from risk/vocab.py).
EDITION_DIRS = {e.id: e.folder for e in EDITIONS.values()}

#: The validation report warns wherever the sum of country rows and the published world total
#: differ by more than the rounding of the total; above this relative difference (with no
#: withheld rows to explain it) the file is in error: a typo or a missing row, not rounding.
SUM_ERROR = 0.5


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    record: str
    field: str
    message: str
    level: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        parts = [where]
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class DatasetError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}{more}")


@dataclass(frozen=True)
class Dataset:
    figures: pd.DataFrame
    series: pd.DataFrame
    us: pd.DataFrame
    minerals: pd.DataFrame
    wgi: pd.DataFrame
    sources: dict[str, Source]
    claims: list[Claim]
    critical_2022: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0
    salient: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SALIENT_COLUMNS))

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        f = self.figures
        return {
            "sources": len(self.sources),
            "minerals": int(self.minerals["mineral"].nunique()),
            "minerals_with_world_data": int(f["mineral"].nunique()),
            "commodities_mcs2026": int(f.loc[f["edition"] == "mcs2026", "mineral"].nunique()),
            "commodities_mcs2025": int(f.loc[f["edition"] == "mcs2025", "mineral"].nunique()),
            "editions": sorted(f["edition"].unique().tolist()),
            "series": len(self.series),
            "figures": len(f),
            "us_figures": len(self.us),
            "figures_with_source": int(f["source"].isin(self.sources).sum() + self.us["source"].isin(self.sources).sum()),
            "claims": len(self.claims),
            "wgi_countries": int(self.wgi["country"].nunique()) if len(self.wgi) else 0,
            "files": self.files,
            "warnings": len(self.warnings),
            "problems": len(self.problems),
        }


# ----------------------------------------------------------------------------------------------


def _record_of(doc, loc: tuple) -> str:
    """A readable name for the record at ``loc`` in a MineralFile-shaped document."""
    try:
        if len(loc) >= 2 and loc[0] in ("world", "us") and isinstance(loc[1], int):
            s = doc[loc[0]][loc[1]]
            name = f"{loc[0]}[{loc[1]}] {s.get('stage') or s.get('measure', '')}".strip()
            if s.get("product"):
                name += f" {s['product']}"
            if len(loc) >= 4 and loc[2] == "figures" and isinstance(loc[3], int):
                f = s["figures"][loc[3]]
                name += f" {f.get('country', '?')} {f.get('year', '?')}"
            return name
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(doc, dict):
            items = doc.get(loc[0])
            if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
                rid = items[loc[1]].get("id") or items[loc[1]].get("name")
                return f"{loc[0]}[{loc[1]}]" + (f" {rid}" if rid else "")
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return ".".join(str(x) for x in loc[:2]) if loc else ""


def _validate(model: type[BaseModel], doc, path: Path, rel: str) -> tuple[BaseModel | None, list[Problem]]:
    try:
        return model.model_validate(doc), []
    except ValidationError as exc:
        problems = []
        text = None
        for err in exc.errors():
            loc = tuple(err["loc"])
            if text is None:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = ""
            line = line_of(text, loc) if text else None
            fld = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown field {fld!r}"
            elif err["type"] == "missing":
                msg = f"required field {fld!r} is missing"
            elif err["type"] == "literal_error":
                msg = f"{err.get('input')!r} is not allowed: {msg}"
            problems.append(Problem(rel, line, _record_of(doc, loc), fld, msg))
        return None, problems


def _load(path: Path, rel: str):
    try:
        return load_yaml_file(path), []
    except DataFileError as exc:
        return None, [Problem(rel, exc.line, "", "", exc.message)]


#: Bump when the Dataset's shape changes, so that a cache written by older code is rebuilt.
CACHE_VERSION = "2"


def _files_signature(data_dir: Path) -> str:
    h = hashlib.sha256(CACHE_VERSION.encode())
    for p in sorted([*data_dir.rglob("*.yaml"), *data_dir.rglob("*.csv")]):
        parts = p.relative_to(data_dir).parts
        if "raw" in parts or any(x.startswith(".") for x in parts):
            continue
        st = p.stat()
        h.update(f"{p.relative_to(data_dir)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _cache_path(data_dir: Path) -> Path:
    base = Path(os.environ.get("RISK_CACHE_DIR") or (Path.home() / ".cache" / "minerals-risk"))
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return base / f"dataset-{key}.pickle"


def load_dataset(data_dir: str | Path = DATA_DIR, *, strict: bool = True, use_cache: bool = True) -> Dataset:
    """Load and validate everything under ``data_dir``. Reads only: never changes a file.

    With ``strict`` a dataset with errors raises :class:`DatasetError` listing every problem;
    otherwise the problems are returned on the dataset. A validated load is cached (pickle keyed
    by every file's size and modification time) so the second load skips parsing. A folder left
    aside by an interrupted import is refused (:class:`InterruptedImportError`) in either mode.
    """
    data_dir = Path(data_dir)
    leftovers = interrupted_imports(data_dir)
    if leftovers:
        raise InterruptedImportError(leftovers[0], data_dir)
    sig = _files_signature(data_dir) if use_cache else None
    cache = _cache_path(data_dir) if use_cache else None
    if cache is not None and cache.exists():
        try:
            with cache.open("rb") as fh:
                saved_sig, ds = pickle.load(fh)  # noqa: S301 - our own cache file
            if saved_sig == sig and isinstance(ds, Dataset):
                return ds
        except Exception:  # noqa: S110 - a stale or broken cache is simply rebuilt
            pass
    ds = _load_uncached(data_dir)
    if strict and ds.problems:
        raise DatasetError(ds.problems)
    if cache is not None and not ds.problems:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump((sig, ds), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:
            pass
    return ds


class InterruptedImportError(DataFileError):
    """An import was killed between its two renames: the previous data sit in a hidden folder."""

    def __init__(self, leftover: Path, data_dir: Path):
        target = leftover.name[1:].split(".old-")[0]
        repair = (
            "python -m risk repair" if data_dir.resolve() == Path(DATA_DIR).resolve() else f"python -m risk --data-dir {data_dir} repair"
        )
        super().__init__(
            leftover,
            f"an import was interrupted: the previous {target!r} folder was moved here and not put back; run `{repair}` to restore it",
        )


class _Reader:
    """Load -> validate -> collect for every kind of file: problems, warnings and the file count."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.files = 0

    def rel(self, p: Path) -> str:
        try:
            return str(Path("data") / p.relative_to(self.data_dir))
        except ValueError:
            return str(p)

    def read(self, path: Path, model: type[BaseModel]) -> tuple[object, BaseModel | None]:
        """Count, read and validate one YAML file: (document, model), None where a step failed."""
        self.files += 1
        rel = self.rel(path)
        doc, errs = _load(path, rel)
        self.problems += errs
        if doc is None:
            return None, None
        validated, errs = _validate(model, doc, path, rel)
        self.problems += errs
        return doc, validated

    def error(self, path: Path, keys: tuple, record: str, fld: str, message: str) -> None:
        """A problem in a file that read and validated, at the node ``keys`` leads to."""
        self.problems.append(Problem(self.rel(path), line_of(path.read_text(), keys), record, fld, message))


@dataclass
class _Collected:
    """Rows gathered from the mineral files, turned into frames at the end."""

    figures: list[tuple] = field(default_factory=list)
    series: list[tuple] = field(default_factory=list)
    us: list[tuple] = field(default_factory=list)
    salient: list[tuple] = field(default_factory=list)
    minerals: dict[str, dict] = field(default_factory=dict)


US_COLUMNS = [
    "edition",
    "source",
    "mineral",
    "measure",
    "detail",
    "primary",
    "period",
    "country",
    "year",
    "value",
    "unit",
    "flag",
    "raw",
    "note",
]
SALIENT_COLUMNS = [
    "edition",
    "source",
    "mineral",
    "measure",
    "detail",
    "basis",
    "primary",
    "country",
    "year",
    "value",
    "unit",
    "flag",
    "raw",
    "note",
]
SERIES_COLUMNS = ["series", "edition", "source", "mineral", "name", "stage", "product", "detail", "unit", "basis", "note"]


def _check_events_and_chains(rd: _Reader, data_dir: Path, known_sources: set, sources: set, minerals: set, figures) -> None:
    """Export-control events and product chains: validated here, loaded on demand (risk.events, risk.chains)."""
    from .chains import check_chains_file
    from .events import check_event_claims_file, check_events_file

    ep = data_dir / "events.yaml"
    if ep.exists():
        rd.files += 1
        rd.problems += check_events_file(ep, rd.rel(ep), known_sources, minerals)[1]
    ecp = data_dir / "event_claims.yaml"
    if ecp.exists():
        rd.files += 1
        rd.problems += check_event_claims_file(ecp, rd.rel(ecp), sources, minerals)
    chp = data_dir / "chains.yaml"
    if chp.exists():
        rd.files += 1
        rd.problems += check_chains_file(chp, rd.rel(chp), known_sources, minerals, figures, {p.path for p in rd.problems})[1]


def _load_uncached(data_dir: Path) -> Dataset:
    rd = _Reader(data_dir)
    sources, broken_sources = _read_sources(rd, data_dir / "sources.yaml")
    known_sources = set(sources) | broken_sources
    got = _Collected()
    for edition, sub in EDITION_DIRS.items():
        folder = data_dir / sub
        if not folder.is_dir():
            rd.problems.append(Problem(rd.rel(folder), None, "", "", f"folder for edition {edition} is missing"))
            continue
        for path in sorted(folder.glob("*.yaml")):
            _doc, m = rd.read(path, MineralFile)
            if m is not None:
                _collect_mineral(rd, path, edition, m, known_sources, got)  # type: ignore[arg-type]

    figures = _figures_frame(got.figures)
    series = pd.DataFrame.from_records(got.series, columns=SERIES_COLUMNS)
    us = pd.DataFrame.from_records(got.us, columns=US_COLUMNS)
    us["value"] = us["value"].astype("float64")
    salient = pd.DataFrame.from_records(got.salient, columns=SALIENT_COLUMNS)
    salient["value"] = salient["value"].astype("float64")
    wgi = _read_wgi(rd, data_dir / WGI_FILE, sources)
    critical_2022 = _read_critical_lists(rd, data_dir / "critical_lists.yaml", got.minerals)
    claims = _read_claims(rd, data_dir / "claims.yaml", sources, got.minerals)

    _check_events_and_chains(rd, data_dir, known_sources, set(sources), set(got.minerals), figures)

    crit_2022 = set(critical_2022["mineral"]) if len(critical_2022) else set()
    minerals = pd.DataFrame(
        [
            {
                "mineral": k,
                "name": v["name"],
                "chapter": v["chapter"],
                "critical_2025": bool(v["critical_2025"]),
                "critical_2022": k in crit_2022,
                "editions": ",".join(v["editions"]),
                "notes": v["notes"].get("mcs2026") or next(iter(v["notes"].values()), None),
            }
            for k, v in sorted(got.minerals.items())
        ]
    )
    return Dataset(
        figures=figures,
        series=series,
        us=us,
        minerals=minerals,
        wgi=wgi,
        sources=sources,
        claims=claims,
        critical_2022=critical_2022,
        problems=rd.problems,
        warnings=rd.warnings,
        files=rd.files,
        salient=salient,
    )


def _read_sources(rd: _Reader, path: Path) -> tuple[dict[str, Source], set[str]]:
    """The valid sources, and the ids of invalid ones (so one bad entry is reported once, not at every figure citing it)."""
    sources: dict[str, Source] = {}
    broken: set[str] = set()
    doc, model = rd.read(path, SourcesFile)
    if doc is None:
        return sources, broken
    entries = list(model.sources) if model is not None else []  # type: ignore[attr-defined]
    if model is None and isinstance(doc, dict) and isinstance(doc.get("sources"), list):
        for item in doc["sources"]:
            try:
                entries.append(Source.model_validate(item))
            except ValidationError:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    broken.add(item["id"])
    for i, s in enumerate(entries):
        if s.id in sources:
            rd.error(path, ("sources", i, "id"), s.id, "id", "duplicate source id")
        sources[s.id] = s
    return sources, broken


def _collect_mineral(rd: _Reader, path: Path, edition: str, m: MineralFile, known_sources: set[str], got: _Collected) -> None:
    """Check one validated mineral file against its folder and the sources, and gather its rows."""
    if m.mineral != path.stem:
        rd.error(path, ("mineral",), m.mineral, "mineral", f"file is named {path.name} but holds mineral {m.mineral!r}")
    if m.edition != edition:
        rd.error(path, ("edition",), m.mineral, "edition", f"edition {m.edition!r} in the folder for {edition}")
    if m.source not in known_sources:
        rd.error(path, ("source",), m.mineral, "source", f"unknown source id {m.source!r} (not in data/sources.yaml)")
    info = got.minerals.setdefault(
        m.mineral, {"name": m.name, "chapter": m.chapter, "critical_2025": m.critical_2025, "editions": [], "notes": {}}
    )
    if edition == "mcs2026":
        info.update(name=m.name, chapter=m.chapter, critical_2025=m.critical_2025)
    info["editions"].append(edition)
    if m.notes:
        info["notes"][edition] = m.notes
    figs, srs = _figure_rows(m)
    got.figures += figs
    got.series += srs
    for si, s in enumerate(m.world):
        _check_sums(m, si, s, path, rd.rel(path), rd.problems, rd.warnings)
    for s in m.us:
        for f in s.figures:
            got.us.append(
                (
                    edition,
                    m.source,
                    m.mineral,
                    s.measure,
                    s.detail,
                    s.primary,
                    s.period,
                    f.country,
                    f.year,
                    f.value,
                    s.unit,
                    f.flag,
                    f.raw,
                    f.note,
                )
            )
    for s in m.salient:
        for f in s.figures:
            got.salient.append(
                (
                    edition,
                    m.source,
                    m.mineral,
                    s.measure,
                    s.detail,
                    s.basis,
                    s.primary,
                    f.country,
                    f.year,
                    f.value,
                    s.unit,
                    f.flag,
                    f.raw,
                    f.note or s.note,
                )
            )
    cons = [s for s in m.salient if s.measure == "consumption"]
    quantities = [s for s in cons if s.unit in get_args(Unit)]  # consumption as a value (million dollars) cannot be primary
    if sum(s.primary for s in cons) > 1 or (quantities and sum(s.primary for s in quantities) != 1):
        rd.error(
            path, ("salient",), m.mineral, "primary", f"{sum(s.primary for s in cons)} primary consumption series; exactly one is needed"
        )
    primaries = Counter(s.measure for s in m.us if s.primary)
    for measure in {s.measure for s in m.us}:
        if primaries[measure] != 1:
            rd.error(path, ("us",), m.mineral, "primary", f"{primaries[measure]} primary {measure} series; exactly one is needed")


def _read_wgi(rd: _Reader, path: Path, sources: dict) -> pd.DataFrame:
    """The compact WGI table (read by :func:`risk.importers.wgi.read_wgi_table`)."""
    rd.files += 1
    wgi, problems = read_wgi_table(path, sources)
    rd.problems += [Problem(rd.rel(path), line, record, fld, message) for line, record, fld, message in problems]
    return wgi


def _read_critical_lists(rd: _Reader, path: Path, minerals: dict) -> pd.DataFrame:
    critical_2022 = pd.DataFrame(columns=["name", "mineral", "applications", "note"])
    _doc, model = rd.read(path, CriticalListsFile)
    if model is not None:
        entries = model.list_2022  # type: ignore[attr-defined]
        critical_2022 = pd.DataFrame([e.model_dump() for e in entries])
        for e in entries:
            if e.mineral not in minerals:
                rd.warnings.append(Problem(rd.rel(path), None, e.name, "mineral", f"no data for {e.mineral!r} in any edition", "warning"))
    return critical_2022


def _read_claims(rd: _Reader, path: Path, sources: dict, minerals: dict) -> list[Claim]:
    _doc, model = rd.read(path, ClaimsFile)
    if model is None:
        return []
    claims = list(model.claims)  # type: ignore[attr-defined]
    for i, c in enumerate(claims):
        if c.source not in sources:
            rd.error(path, ("claims", i, "source"), c.id, "source", f"unknown source id {c.source!r}")
        for t in c.refers_to:
            if t.mineral not in minerals:
                rd.error(path, ("claims", i, "refers_to"), c.id, "mineral", f"no data for mineral {t.mineral!r}")
    return claims


FIGURE_COLUMNS = [
    "edition",
    "source",
    "mineral",
    "stage",
    "product",
    "series",
    "country",
    "year",
    "value",
    "unit",
    "flag",
    "raw",
    "label",
    "note",
]


def _figure_rows(m: MineralFile, source: str | None = None) -> tuple[list[tuple], list[tuple]]:
    """Figure rows and series rows of one validated mineral file."""
    figs, series = [], []
    for s in m.world:
        sid = f"{m.edition}:{m.mineral}:{s.stage}:{s.product}"
        series.append((sid, m.edition, source or m.source, m.mineral, m.name, s.stage, s.product, s.detail, s.unit, s.basis, s.note))
        for f in s.figures:
            figs.append(
                (
                    m.edition,
                    source or m.source,
                    m.mineral,
                    s.stage,
                    s.product,
                    sid,
                    f.country,
                    f.year,
                    f.value,
                    s.unit,
                    f.flag,
                    f.raw,
                    f.label,
                    f.note,
                )
            )
    return figs, series


def _figures_frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=FIGURE_COLUMNS)
    df["value"] = df["value"].astype("float64")
    df["year"] = df["year"].astype("int64")
    return df


def _rounding_step(total: float) -> float:
    """Half a unit in the last significant figure USGS kept (390,000 -> 5,000; 848,000 -> 500)."""
    if total <= 0:
        return 0.0
    digits = f"{total:.0f}".rstrip("0")
    zeros = len(f"{total:.0f}") - len(digits)
    return 0.5 * 10**zeros


def _check_sums(m: MineralFile, si: int, s, path: Path, rel: str, problems: list, warnings: list) -> None:
    """Compare the sum of country rows (OTH included) with the published world total, by year."""
    by_year: dict[int, dict] = {}
    for f in s.figures:
        d = by_year.setdefault(f.year, {"sum": 0.0, "n": 0, "total": None, "missing": 0, "total_flag": None})
        if f.country == countries.WORLD:
            d["total"], d["total_flag"] = f.value, f.flag
        elif f.value is None:
            d["missing"] += 1
        else:
            d["sum"] += f.value
            d["n"] += 1
    for year, d in by_year.items():
        total = d["total"]
        if total is None or total <= 0 or d["n"] == 0 or d["total_flag"] in ("lower_bound", "upper_bound", "range"):
            continue
        diff = d["sum"] - total
        rel_diff = abs(diff) / total
        if abs(diff) <= max(_rounding_step(total), 1e-9 * total):
            continue
        record = f"world[{si}] {s.stage}{(' ' + s.product) if s.product else ''} {year}"
        msg = (
            f"country rows add up to {_fmt(d['sum'])} {s.unit} but the world total is {_fmt(total)} "
            f"({100 * diff / total:+.1f}%, more than the rounding of the total"
            + (f"; {d['missing']} row(s) withheld or not available" if d["missing"] else "")
            + ")"
        )
        if rel_diff > SUM_ERROR and not d["missing"]:
            problems.append(Problem(rel, None, f"{m.mineral} {record}", "value", msg))
        else:
            warnings.append(Problem(rel, None, f"{m.mineral} {record}", "value", msg, "warning"))


def validation_report(ds: Dataset) -> str:
    s = ds.summary()
    lines = [
        f"Sources: {s['sources']}  Minerals: {s['minerals']} ({s['minerals_with_world_data']} with world data)",
        f"Commodities with world tables: MCS 2026 {s['commodities_mcs2026']}, MCS 2025 {s['commodities_mcs2025']}",
        f"Editions: {', '.join(s['editions'])}",
        f"Series: {s['series']}  Figures: {s['figures']} world + {s['us_figures']} U.S. trade  "
        f"(with a listed source: {s['figures_with_source']} of {s['figures'] + s['us_figures']})",
        f"Claims: {s['claims']}  WGI countries: {s['wgi_countries']}  Files read: {s['files']}",
    ]
    if ds.warnings:
        lines.append(f"Warnings ({len(ds.warnings)}): where the sum of country rows and the world total differ beyond rounding")
        lines += [f"  {w}" for w in ds.warnings]
    if ds.problems:
        lines.append(f"Problems ({len(ds.problems)}):")
        lines += [f"  {p}" for p in ds.problems]
    return "\n".join(lines)


__all__ = ["EDITION_DIRS", "Dataset", "DatasetError", "InterruptedImportError", "Problem", "load_dataset", "validation_report"]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 or abs(v) >= 100 else f"{v:,.3g}"


def figures_from_docs(docs: dict[str, dict], source: str | None = None) -> pd.DataFrame:
    """The tidy figures frame for validated MineralFile documents (an upload, say)."""
    rows = []
    for doc in docs.values():
        rows += _figure_rows(MineralFile.model_validate(doc), source)[0]
    return _figures_frame(rows)
