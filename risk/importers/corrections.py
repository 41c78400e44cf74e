"""Corrections to published figures, from ``data/corrections.yaml``, applied by every importer.

Each importer parses its source as published, then calls :func:`apply_corrections` for its
edition before validating and writing. Two kinds of record (see :mod:`risk.schema`):

* a figure correction (:class:`~risk.schema.Correction`) names one figure, the value as
  published and the corrected value; it is refused when the source no longer gives the
  published value;
* a derived correction (:class:`~risk.schema.DerivedCorrection`) recomputes one country's
  figure in every series of the edition from the other figures (``world_minus_countries``: the
  world total minus the other rows); it lists where that differs from the published value and is
  refused when the source no longer differs exactly there.

Either way the figure's note says what was done, so the generated files show it.
"""

from __future__ import annotations

from pathlib import Path

from .. import countries
from ..schema import Correction, CorrectionsFile, DerivedCorrection
from ..yamlio import load_yaml_file
from .common import ImportFailure

FILE = "corrections.yaml"

#: Differences smaller than this share of the world total are floating-point noise, not a change.
TOLERANCE = 1e-6
#: Derived values are rounded to this many decimals: far below any source's precision, so the
#: noise of a subtraction does not show in the generated files.
DECIMALS = 9


def load_corrections(data_dir: str | Path) -> list[Correction | DerivedCorrection]:
    """The records in ``data_dir/corrections.yaml`` (none if the file does not exist)."""
    from pydantic import ValidationError

    path = Path(data_dir) / FILE
    if not path.exists():
        return []
    try:
        return list(CorrectionsFile.model_validate(load_yaml_file(path)).corrections)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ImportFailure(path, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}") from None


def apply_corrections(docs: dict[str, dict], edition: str, corrections: list, origin: str) -> None:
    """Apply the records for ``edition`` to MineralFile-shaped ``docs`` in place, in file order."""
    for c in corrections:
        if c.edition != edition:
            continue
        if isinstance(c, DerivedCorrection):
            _apply_derived(docs, c, origin)
        else:
            _apply_figure(docs, c, origin)


def correct(docs: dict[str, dict], edition: str, corrections_dir: str | Path, origin: str) -> dict[str, dict]:
    """Load ``corrections_dir/corrections.yaml`` and apply it to ``docs``; returns ``docs``."""
    apply_corrections(docs, edition, load_corrections(corrections_dir), origin)
    return docs


def _add_note(fig: dict, text: str) -> None:
    fig["note"] = " -- ".join(x for x in (text, fig.get("note")) if x)


def _apply_figure(docs: dict[str, dict], c: Correction, origin: str) -> None:
    doc = docs.get(c.mineral)
    series = next((s for s in (doc or {}).get("world", []) if s["stage"] == c.stage and s["product"] == c.product), None)
    fig = next((f for f in (series or {}).get("figures", []) if f["country"] == c.country and f["year"] == c.year), None)
    if fig is None:
        raise ImportFailure(origin, f"correction for {c.mineral} {c.stage} {c.product} {c.country} {c.year}: no such figure in the file")
    if fig["value"] != c.published:
        raise ImportFailure(
            origin,
            f"correction for {c.mineral} {c.stage} {c.product} {c.country} {c.year}: the file now gives "
            f"{fig['value']}, not the {c.published} the correction expects; review data/corrections.yaml",
        )
    fig["value"] = c.corrected
    pub = f"{c.published:,.0f}" if c.published is not None else "no value"
    _add_note(fig, f"Corrected from the published {pub}: {' '.join(c.reason.split())}")


def _series_name(mineral: str, stage: str, product: str) -> str:
    return " ".join(x for x in (mineral, stage, product) if x)


def _apply_derived(docs: dict[str, dict], c: DerivedCorrection, origin: str) -> None:
    what = f"{c.edition} {c.country} correction ({c.derive})"
    expected = {(ch.mineral, ch.stage, ch.product, y) for ch in c.changes for y in ch.years}
    changed: set[tuple] = set()
    matched = 0
    for mineral, doc in sorted(docs.items()):
        for s in doc.get("world", []):
            by_year: dict[int, list[dict]] = {}
            for f in s["figures"]:
                by_year.setdefault(f["year"], []).append(f)
            for year, figs in by_year.items():
                target = next((f for f in figs if f["country"] == c.country), None)
                total = next((f["value"] for f in figs if f["country"] == countries.WORLD), None)
                if target is None or total is None:
                    continue
                others = sum(f["value"] or 0.0 for f in figs if f is not target and f["country"] != countries.WORLD)
                rest = total - others
                tol = TOLERANCE * max(abs(total), 1)
                name = f"{_series_name(mineral, s['stage'], s['product'])} {year}"
                if rest < -tol:
                    raise ImportFailure(
                        origin, f"{what}: {name}: the other rows ({others:g} {s['unit']}) exceed the world total ({total:g} {s['unit']})"
                    )
                value = round(max(rest, 0.0), DECIMALS)
                matched += 1
                if target["value"] is None or abs(target["value"] - value) > tol:
                    changed.add((mineral, s["stage"], s["product"], year))
                target["value"] = value
                _add_note(target, " ".join(c.note.split()))
    if not matched:
        raise ImportFailure(origin, f"{what}: no {c.country} figure with a world total in the file; review data/corrections.yaml")
    if changed != expected:

        def names(keys) -> str:
            return ", ".join(f"{_series_name(*k[:3])} {k[3]}" for k in sorted(keys))

        parts = []
        if changed - expected:
            parts.append(f"it would also change the published value of {names(changed - expected)}")
        if expected - changed:
            parts.append(f"the file no longer differs at {names(expected - changed)}")
        raise ImportFailure(origin, f"{what}: {'; '.join(parts)}; review `changes` in data/corrections.yaml")
