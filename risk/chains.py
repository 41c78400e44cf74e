"""Product chains (``data/chains.yaml``): stages from mine to component with country shares.

A stage's shares come either from a bundled series (USGS or IEA figures, read from the dataset's
figures frame, never retyped) or from figures quoted from a report, each with its source and
quote. A stage with neither is kept, with a note saying no sourced shares were found.

* :func:`check_chains_file` validates the file for ``python -m risk validate``.
* :func:`chain_shares` gives one row per (chain, stage, country) with share, year and source.
* :func:`chain_table` gives one row per stage with its top country.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from . import DATA_DIR, countries
from .schema import Iso3, Slug, SourceId, Stage, _Strict
from .yamlio import line_of


class ShareFigure(_Strict):
    """A country's share of a stage, quoted from a report (like a claim, but used as data)."""

    country: Iso3
    share: float = Field(ge=0, le=1)
    flag: Literal["none", "approximate", "lower_bound"] = "none"
    year: int = Field(ge=1990, le=2100)
    year_basis: Literal["data", "publication"] = "data"
    source: SourceId
    quoted_in: SourceId | None = None  # where the quote was read, if not in the source itself
    quote: str = Field(min_length=10)
    note: str | None = None


class DatasetRef(_Strict):
    edition: str
    mineral: Slug
    stage: Stage
    product: str = ""
    year: int | None = None  # None: the latest observed year


class ChainStage(_Strict):
    id: Slug
    name: str
    order: int = Field(ge=1, le=20)
    mineral: Slug | None = None
    measure: Literal["production", "capacity"] = "production"
    dataset: DatasetRef | None = None
    figures: list[ShareFigure] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.dataset is not None and self.figures:
            raise ValueError("a stage takes its shares from a dataset or from figures, not both")
        if self.dataset is None and not self.figures and not self.note:
            raise ValueError("a stage without shares needs a note saying why")
        seen = [f.country for f in self.figures]
        if len(set(seen)) != len(seen):
            raise ValueError(f"a country appears twice in the figures: {seen}")
        total = sum(f.share for f in self.figures)
        if total > 1.0001:
            raise ValueError(f"shares add up to {total:.0%}, over 100%")
        return self


class Chain(_Strict):
    id: Slug
    name: str
    minerals: list[Slug] = Field(min_length=1)
    note: str | None = None
    stages: list[ChainStage] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids(self):
        ids = [s.id for s in self.stages]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate stage ids: {', '.join(dup)}")
        return self


class ChainsFile(_Strict):
    chains: list[Chain]

    @model_validator(mode="after")
    def _ids(self):
        ids = [c.id for c in self.chains]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate chain ids in {ids}")
        return self


# ----------------------------------------------------------------------------------------------


def check_chains_file(
    path: Path, rel: str, source_ids: set[str], minerals: set[str], figures: pd.DataFrame | None = None, broken: set[str] = frozenset()
):
    """Read and validate ``chains.yaml``; returns ``(ChainsFile or None, [Problem, ...])``.

    With ``figures`` (the dataset's figures frame), each ``dataset:`` reference must name a
    series and year that has figures, unless its file is in ``broken`` (files already reported:
    one broken file is reported once, not again through the chains that use it).
    """
    from .dataset import EDITION_DIRS, Problem, _load, _validate

    doc, problems = _load(path, rel)
    if doc is None:
        return None, problems
    model, errs = _validate(ChainsFile, doc, path, rel)
    if model is None:
        return None, errs
    text = path.read_text(encoding="utf-8")
    for ci, ch in enumerate(model.chains):
        for m in ch.minerals:
            if m not in minerals:
                problems.append(
                    Problem(rel, line_of(text, ("chains", ci, "minerals")), f"chains[{ci}] {ch.id}", "minerals", f"unknown mineral {m!r}")
                )
        for si, st in enumerate(ch.stages):
            rec = f"chains[{ci}] {ch.id} stage {st.id}"
            where = ("chains", ci, "stages", si)
            if st.mineral and st.mineral not in minerals:
                problems.append(Problem(rel, line_of(text, (*where, "mineral")), rec, "mineral", f"unknown mineral {st.mineral!r}"))
            for fi, f in enumerate(st.figures):
                for fld in ("source", "quoted_in"):
                    sid = getattr(f, fld)
                    if sid and sid not in source_ids:
                        problems.append(
                            Problem(
                                rel,
                                line_of(text, (*where, "figures", fi, fld)),
                                f"{rec} {f.country}",
                                fld,
                                f"unknown source id {sid!r} (not in data/sources.yaml)",
                            )
                        )
                if not countries.is_country(f.country):
                    problems.append(
                        Problem(
                            rel, line_of(text, (*where, "figures", fi, "country")), rec, "country", f"{f.country} is not a single country"
                        )
                    )
            ref_file = f"data/{EDITION_DIRS.get(st.dataset.edition, '?')}/{st.dataset.mineral}.yaml" if st.dataset else None
            if st.dataset is not None and figures is not None and ref_file not in broken and _dataset_rows(figures, st.dataset).empty:
                d = st.dataset
                what = f"{d.edition} {d.mineral} {d.stage}" + (f" {d.product}" if d.product else "") + (f" {d.year}" if d.year else "")
                problems.append(Problem(rel, line_of(text, (*where, "dataset")), rec, "dataset", f"no bundled figures for {what}"))
    return model, problems


def load_chains(data_dir: str | Path = DATA_DIR) -> ChainsFile:
    """Load and validate ``data_dir/chains.yaml`` (sources and minerals checked; raises DatasetError)."""
    from .dataset import DatasetError, _load
    from .events import known_minerals

    data_dir = Path(data_dir)
    sdoc, problems = _load(data_dir / "sources.yaml", "data/sources.yaml")
    source_ids = {s.get("id") for s in (sdoc or {}).get("sources", []) if isinstance(s, dict)}
    model, errs = check_chains_file(data_dir / "chains.yaml", "data/chains.yaml", source_ids, known_minerals(data_dir))
    problems += errs
    if problems:
        raise DatasetError(problems)
    return model


def _dataset_rows(figures: pd.DataFrame, ref: DatasetRef) -> pd.DataFrame:
    f = figures[
        (figures["edition"] == ref.edition)
        & (figures["mineral"] == ref.mineral)
        & (figures["stage"] == ref.stage)
        & (figures["product"] == ref.product)
        & (figures["flag"] != "projection")
    ]
    if f.empty:
        return f
    year = ref.year if ref.year is not None else int(f.loc[f["value"].notna(), "year"].max())
    return f[f["year"] == year]


SHARE_COLUMNS = [
    "chain",
    "chain_name",
    "order",
    "stage",
    "stage_name",
    "mineral",
    "measure",
    "country",
    "share",
    "flag",
    "year",
    "year_basis",
    "basis",
    "source",
    "quoted_in",
    "quote",
    "note",
]


def chain_shares(chains: ChainsFile, figures: pd.DataFrame) -> pd.DataFrame:
    """One row per (chain, stage, country). Dataset stages: shares of the sum of country rows
    ("other countries" included, the world total left out), as in :func:`risk.metrics.shares`.
    Stages without shares give one row with no country and the stage's note."""
    rows = []
    for ch in chains.chains:
        for st in ch.stages:
            base = {
                "chain": ch.id,
                "chain_name": ch.name,
                "order": st.order,
                "stage": st.id,
                "stage_name": st.name,
                "mineral": st.mineral,
                "measure": st.measure,
            }
            if st.dataset is not None:
                f = _dataset_rows(figures, st.dataset)
                c = f[f["country"] != countries.WORLD].dropna(subset=["value"])
                total = float(c["value"].sum())
                label = f"{st.dataset.edition} {st.dataset.mineral} {st.dataset.stage}" + (
                    f" {st.dataset.product}" if st.dataset.product else ""
                )
                for r in c.itertuples(index=False):
                    rows.append(
                        base
                        | {
                            "country": r.country,
                            "share": r.value / total if total > 0 else np.nan,
                            "flag": "none",
                            "year": int(r.year),
                            "year_basis": "data",
                            "basis": f"dataset {label}",
                            "source": r.source,
                            "quoted_in": None,
                            "quote": f"computed: {r.value:,.6g} of {total:,.6g} {r.unit} ({label} {int(r.year)})",
                            "note": st.note,
                        }
                    )
            elif st.figures:
                for fg in st.figures:
                    rows.append(
                        base
                        | {
                            "country": fg.country,
                            "share": fg.share,
                            "flag": fg.flag,
                            "year": fg.year,
                            "year_basis": fg.year_basis,
                            "basis": "report",
                            "source": fg.source,
                            "quoted_in": fg.quoted_in,
                            "quote": fg.quote,
                            "note": fg.note or st.note,
                        }
                    )
            else:
                rows.append(
                    base
                    | {
                        "country": None,
                        "share": np.nan,
                        "flag": None,
                        "year": None,
                        "year_basis": None,
                        "basis": "no sourced shares",
                        "source": None,
                        "quoted_in": None,
                        "quote": None,
                        "note": st.note,
                    }
                )
    df = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    df["share"] = df["share"].astype("float64")
    df["year"] = df["year"].astype("Int64")
    return df


def for_mineral(chains: ChainsFile, mineral: str) -> ChainsFile:
    """The chains that involve ``mineral``."""
    keep = [c for c in chains.chains if mineral in c.minerals or any(s.mineral == mineral for s in c.stages)]
    return ChainsFile(chains=keep)


def chain_table(shares: pd.DataFrame) -> pd.DataFrame:
    """One row per stage: the top country (OTH never counts as top), its share, year and source."""
    out = []
    for (chain, stage), g in shares.groupby(["chain", "stage"], sort=False):
        first = g.iloc[0]
        named = g[g["country"].notna() & (g["country"] != countries.OTHER)].sort_values("share", ascending=False)
        row = {
            "chain": chain,
            "order": int(first["order"]),
            "stage": stage,
            "stage_name": first["stage_name"],
            "mineral": first["mineral"],
            "measure": first["measure"],
            "top_country": None,
            "share": np.nan,
            "flag": None,
            "year": None,
            "basis": first["basis"],
            "source": None,
            "countries": 0,
            "note": first["note"],
        }
        if len(named):
            t = named.iloc[0]
            row |= {
                "top_country": t["country"],
                "share": float(t["share"]),
                "flag": t["flag"],
                "year": int(t["year"]),
                "source": t["source"],
                "countries": len(named),
            }
        out.append(row)
    df = pd.DataFrame(out)
    df["year"] = df["year"].astype("Int64")
    return df.sort_values(["chain", "order"], kind="stable").reset_index(drop=True)


def _plain(v):
    if hasattr(v, "item"):
        return v.item()
    raise TypeError(f"not JSON serialisable: {v!r}")


def cmd_chains(a) -> int:
    """``python -m risk chains [--mineral SLUG] [--chain ID] --format json|table|csv``."""
    import json

    from .dataset import load_dataset
    from .events import known_minerals

    ds = load_dataset(a.data_dir)
    chains = load_chains(a.data_dir)
    if a.mineral:
        if a.mineral not in known_minerals(a.data_dir):
            raise ValueError(f"unknown mineral {a.mineral!r}; see data/usgs/mcs2026/ for the slugs")
        chains = for_mineral(chains, a.mineral)
    if a.chain:
        chains = ChainsFile(chains=[c for c in chains.chains if c.id == a.chain])
    if not chains.chains:
        raise ValueError("no product chain matches these filters; chains: " + ", ".join(c.id for c in load_chains(a.data_dir).chains))
    shares = chain_shares(chains, ds.figures)
    table = chain_table(shares)
    if a.format == "json":
        recs = []
        for r in table.astype(object).where(table.notna(), None).to_dict(orient="records"):
            g = shares[(shares["chain"] == r["chain"]) & (shares["stage"] == r["stage"]) & shares["country"].notna()]
            g = g.sort_values("share", ascending=False).astype(object)
            r["shares"] = [
                {k: (None if pd.isna(v) else v) for k, v in x.items()}
                for x in g[["country", "share", "flag", "year", "year_basis", "source", "quoted_in", "quote"]].to_dict(orient="records")
            ]
            recs.append(r)
        print(json.dumps(recs, indent=2, ensure_ascii=False, default=_plain))
    else:
        from .cli import _print_frame

        if a.format == "table":
            table = (
                table[["chain", "order", "stage", "stage_name", "top_country", "share", "flag", "year", "source", "basis"]]
                .astype(object)
                .fillna("")
            )
        _print_frame(table, a.format, list_cols=())
    return 0
