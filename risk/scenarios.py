"""Scenario engine: export restrictions, minerals deals, spare capacity, stockpiles, time paths.

A scenario is validated data (:class:`Scenario`, YAML in ``data/scenarios/``): a baseline
(minerals, stage, year, edition, baseline accessibility overrides) and a list of shocks. For
each mineral, every supplier country c has a volume q_c (the series' country rows, Other
countries included) and an accessibility a_c in [0, 1] for the consumer, the United States.

Shocks, applied in order:

* ``export_restriction`` (country X, minerals, fraction f, destination, pass_through pt):
  a_X <- a_X (1 - f). U.S. shortfall before offsets, as a share of U.S. apparent consumption:
  destination ``us``:  NIR x f x [p_X + pt (1 - p_X) s_X]  (p_X: X's share of U.S. imports;
  s_X: X's share of world supply; pt: the part of third-country supply made from X's material);
  destination ``all``: NIR x f x a_X q_X / A0, the share of the accessible market X withdrew.
* ``supply_change`` (country, minerals, change): q_c <- q_c (1 + change) (new mines, a deal's
  expansion; a negative change is a loss like a restriction to all).
* ``access`` (country, minerals, value): a_c <- value (a deal lifting sanctions, or sanctions
  imposed: a fall below the baseline costs the U.S. NIR x p_c x (1 - value / a0_c)).
* ``spare_capacity`` (share r, ramp_months): the remaining accessible suppliers can add r times
  their output, ramping up linearly over ramp_months.
* ``stockpile`` (months of U.S. consumption), ``recycling`` (share of consumption met by extra
  secondary supply), ``demand_change`` (U.S. consumption changes by this fraction).

Offsets. Lost accessible volume V = sum over c of max(0, q_c a0_c - q'_c a'_c); deal gain
G = sum over unrestricted c of max(0, q'_c a'_c - q_c a0_c); spare capacity S(t) = r R min(1,
t / ramp) where R is the accessible output of the suppliers not restricted. Replacement reaches
the U.S. in proportion to the loss it bears (the U.S. is one buyer among many), so the
fraction of the loss replaced is phi(t) = min(1, (G + S(t)) / V), and the monthly gap is
max(0, L (1 + d) (1 - phi(t)) - recycling). The stockpile covers the gap until it runs out.
``deal_offset_share`` = min(1, G / V): how much of the loss the deal replaces.
``replacement_multiple`` = V / R: how many times their current output the remaining suppliers
would have to add to replace the loss.

Everything is computed on numpy arrays with a leading "variant" axis, so one call evaluates
one scenario (N = 1) or a sweep of thousands (see :func:`sweep`).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import DATA_DIR, countries
from .vocab import CURRENT_EDITION, EDITIONS, PRODUCTION_STAGES, STAGE_ORDER
from .yamlio import USER_YAML_MAX_BYTES, DataFileError, atomic_write_text, dump_yaml, load_yaml_file, load_yaml_text

SCENARIO_DIR = DATA_DIR / "scenarios"

Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
MineralList = Literal["all"] | list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]]
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


def _known_country(v: str) -> str:
    if not countries.is_valid(v) or v == countries.WORLD:
        raise ValueError(f"unknown country code {v!r} (use ISO 3166-1 alpha-3, such as CHN, RUS, UKR)")
    return v


class ExportRestriction(_Strict):
    type: Literal["export_restriction"] = "export_restriction"
    country: Iso3
    minerals: MineralList = "all"
    fraction: Fraction = 1.0
    destination: Literal["us", "all"] = "us"
    pass_through: Fraction = 0.0
    label: str | None = Field(default=None, max_length=200)

    _c = field_validator("country")(_known_country)


class SupplyChange(_Strict):
    type: Literal["supply_change"] = "supply_change"
    country: Iso3
    minerals: MineralList = "all"
    change: float = Field(ge=-1.0, le=5.0)
    label: str | None = Field(default=None, max_length=200)

    _c = field_validator("country")(_known_country)


class Access(_Strict):
    type: Literal["access"] = "access"
    country: Iso3
    minerals: MineralList = "all"
    value: Fraction
    label: str | None = Field(default=None, max_length=200)

    _c = field_validator("country")(_known_country)


class SpareCapacity(_Strict):
    type: Literal["spare_capacity"] = "spare_capacity"
    share: float = Field(ge=0.0, le=2.0)
    ramp_months: float = Field(default=12.0, ge=0.0, le=120.0)
    label: str | None = Field(default=None, max_length=200)


class Stockpile(_Strict):
    type: Literal["stockpile"] = "stockpile"
    months: float = Field(ge=0.0, le=60.0)
    label: str | None = Field(default=None, max_length=200)


class Recycling(_Strict):
    type: Literal["recycling"] = "recycling"
    share: Fraction
    label: str | None = Field(default=None, max_length=200)


class DemandChange(_Strict):
    type: Literal["demand_change"] = "demand_change"
    change: float = Field(ge=-0.9, le=2.0)
    label: str | None = Field(default=None, max_length=200)


Shock = Annotated[
    ExportRestriction | SupplyChange | Access | SpareCapacity | Stockpile | Recycling | DemandChange,
    Field(discriminator="type"),
]


class Baseline(_Strict):
    minerals: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]] = Field(min_length=1, max_length=40)
    stage: Literal[("auto", *PRODUCTION_STAGES)] = "auto"
    year: int = Field(default=2025, ge=1990, le=2100)
    edition: Literal[tuple(EDITIONS)] = CURRENT_EDITION
    consumer: Literal["USA"] = "USA"
    access: dict[Iso3, Fraction] = {}

    @field_validator("access")
    @classmethod
    def _codes(cls, v):
        for k in v:
            _known_country(k)
        return v


class Scenario(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)] = "custom"
    name: str = Field(default="Custom scenario", max_length=200)
    description: str = Field(default="", max_length=4000)
    sources: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]] = []
    references: list[Annotated[str, Field(max_length=500)]] = []
    baseline: Baseline
    shocks: list[Shock] = Field(default=[], max_length=40)
    horizon_months: int = Field(default=36, ge=1, le=240)

    @model_validator(mode="after")
    def _shock_minerals(self):
        known = set(self.baseline.minerals)
        for i, s in enumerate(self.shocks):
            ms = getattr(s, "minerals", "all")
            if ms != "all":
                extra = [m for m in ms if m not in known]
                if extra:
                    raise ValueError(
                        f"shocks.{i}.minerals: {', '.join(extra)} not in baseline.minerals ({', '.join(self.baseline.minerals)})"
                    )
        return self


class ScenarioError(ValueError):
    """A scenario cannot be read or run; the message names the field."""


# ----------------------------------------------------------------------------------------------
# Reading, writing, parameters


def _format_validation(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(x) for x in err["loc"] if not (isinstance(x, str) and x in _SHOCK_TYPES))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        inp = err.get("input")
        shown = "" if isinstance(inp, (dict, list)) or inp is None else f" (got {str(inp)[:60]!r})"
        parts.append(f"{loc}: {msg}{shown}" if loc else f"{msg}{shown}")
    return f"{where}: " + "; ".join(parts)


_SHOCK_TYPES = {"export_restriction", "supply_change", "access", "spare_capacity", "stockpile", "recycling", "demand_change"}


def parse_scenario(doc: Any, where: str = "scenario") -> Scenario:
    if not isinstance(doc, Mapping):
        raise ScenarioError(f"{where}: a scenario is a mapping with baseline and shocks, not {type(doc).__name__}")
    try:
        return Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(_format_validation(exc, where)) from None


def load_scenario_text(text: str | bytes, where: str = "uploaded scenario") -> Scenario:
    try:
        doc = load_yaml_text(text, path=where, max_bytes=USER_YAML_MAX_BYTES)
    except DataFileError as exc:
        raise ScenarioError(str(exc)) from None
    return parse_scenario(doc, where)


def named_scenarios(folder: Path = SCENARIO_DIR) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def load_scenario(name_or_path: str | Path, folder: Path = SCENARIO_DIR) -> Scenario:
    """A named scenario (``china_export_ban``) or a YAML file path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise ScenarioError(f"{p}: no such scenario file")
        try:
            return parse_scenario(load_yaml_file(p, max_bytes=USER_YAML_MAX_BYTES), str(p))
        except DataFileError as exc:
            raise ScenarioError(str(exc)) from None
    named = named_scenarios(folder)
    if str(name_or_path) not in named:
        raise ScenarioError(f"unknown scenario {str(name_or_path)!r}; named scenarios: {', '.join(named)}")
    return load_scenario(named[str(name_or_path)], folder)


def scenario_to_yaml(sc: Scenario) -> str:
    return dump_yaml(sc.model_dump(mode="json", exclude_none=True))


def save_scenario(sc: Scenario, path: str | Path) -> None:
    """Write a scenario as YAML through a temporary file (never half-written)."""
    text = scenario_to_yaml(sc)
    parse_scenario(load_yaml_text(text), str(path))  # what is written must read back
    atomic_write_text(path, text)


@dataclass(frozen=True)
class Parameter:
    """A scenario number the pages turn into a slider and the URL and --set address by path."""

    path: str
    label: str
    min: float
    max: float
    step: float
    value: float
    help: str = ""
    integer: bool = False


_RANGES = {
    "fraction": (0.0, 1.0, 0.05, "Share of the restricting country's exports withheld"),
    "pass_through": (0.0, 1.0, 0.05, "Part of U.S. imports from third countries made from the restricting country's material"),
    "change": (-1.0, 5.0, 0.05, "Change in the country's output (0.5 = +50%)"),
    "value": (0.0, 1.0, 0.05, "Accessibility for the United States (0 = none, 1 = full)"),
    "share": (0.0, 1.0, 0.01, "Share"),
    "ramp_months": (0.0, 60.0, 1.0, "Months until the added capacity is fully available"),
    "months": (0.0, 24.0, 0.5, "Months of U.S. consumption held in stock"),
}
_DEMAND_RANGE = (-0.5, 1.0, 0.05, "Change in U.S. consumption (0.1 = +10%)")


def parameters(sc: Scenario) -> list[Parameter]:
    """Every adjustable number in ``sc`` with its range and current value."""
    out = []
    for i, s in enumerate(sc.shocks):
        who = getattr(s, "country", None)
        head = s.label or (f"{s.type.replace('_', ' ')}" + (f" ({countries.name(who)})" if who else ""))
        for fld in ("fraction", "pass_through", "change", "value", "share", "ramp_months", "months"):
            if not hasattr(s, fld):
                continue
            lo, hi, step, helptext = _RANGES[fld]
            if s.type == "demand_change":
                lo, hi, step, helptext = _DEMAND_RANGE
            if s.type == "spare_capacity" and fld == "share":
                helptext = "Extra output the remaining accessible suppliers can add, as a share of their output"
            if s.type == "recycling":
                helptext = "Share of U.S. consumption met by additional recycling"
            v = float(getattr(s, fld))
            out.append(
                Parameter(f"shocks.{i}.{fld}", f"{head}: {fld.replace('_', ' ')}", lo, max(hi, v), step, v, helptext, fld == "ramp_months")
            )
    out.append(
        Parameter("horizon_months", "Horizon (months)", 6, 120, 6, float(sc.horizon_months), "Length of the monthly time path", True)
    )
    return out


_PATH_RE = re.compile(r"^(shocks\.\d+\.[a-z_]+|horizon_months|baseline\.(year|stage|edition)|baseline\.access\.[A-Z]{3})$")


def with_values(sc: Scenario, values: Mapping[str, Any], where: str = "--set") -> Scenario:
    """A copy of ``sc`` with values set by path (``shocks.0.fraction``), validated like the YAML."""
    doc = sc.model_dump(mode="json")
    for path, raw in values.items():
        if not isinstance(path, str) or not _PATH_RE.match(path):
            raise ScenarioError(f"{where}: unknown parameter {str(path)[:80]!r} (use a path such as shocks.0.fraction or horizon_months)")
        parts = path.split(".")
        node: Any = doc
        for j, key in enumerate(parts[:-1]):
            if isinstance(node, list):
                k = int(key)
                if k >= len(node):
                    raise ScenarioError(f"{where}: {path}: the scenario has {len(node)} shocks")
                node = node[k]
            else:
                if key not in node:
                    raise ScenarioError(f"{where}: {'.'.join(parts[: j + 1])}: no such field")
                node = node[key]
        last = parts[-1]
        if isinstance(node, dict) and last not in node and parts[0] == "shocks":
            raise ScenarioError(f"{where}: {path}: a {node.get('type', 'shock')} has no field {last!r}")
        node[last] = _coerce(raw, path, where)
    return parse_scenario(doc, where)


def _coerce(raw: Any, path: str, where: str):
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ScenarioError(f"{where}: {path}: must be a finite number")
        return raw
    text = str(raw).strip()
    if len(text) > 100:
        raise ScenarioError(f"{where}: {path}: value is too long")
    if path.endswith(("stage", "edition")):
        return text
    if not text.isascii() or not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?(nan|inf|infinity)", text, re.IGNORECASE):
        raise ScenarioError(f"{where}: {path}: {text[:40]!r} is not a number")
    v = float(text)
    if not math.isfinite(v):
        raise ScenarioError(f"{where}: {path}: must be a finite number")
    return int(v) if path in ("horizon_months", "baseline.year") and v == int(v) else v


def to_query_params(sc: Scenario, base: Scenario | None = None) -> dict[str, str]:
    """The URL form: the scenario id plus every parameter that differs from ``base``."""
    out = {"scenario": sc.id}
    ref = {p.path: p.value for p in parameters(base)} if base is not None else {}
    for p in parameters(sc):
        if p.path not in ref or not math.isclose(ref[p.path], p.value, abs_tol=1e-12):
            out[p.path] = f"{p.value:g}"
    return out


def from_query_params(params: Mapping[str, str], base: Scenario) -> Scenario:
    """Apply URL parameters to ``base`` with the same validation as --set and YAML."""
    values = {k: v for k, v in params.items() if k != "scenario"}
    return with_values(base, values, where="link")


# ----------------------------------------------------------------------------------------------
# Inputs per mineral


@dataclass(frozen=True)
class MineralInputs:
    mineral: str
    stage: str
    product: str
    year: int
    edition: str
    unit: str
    countries: tuple[str, ...]
    q: np.ndarray  # volumes by country (OTH included), in `unit`
    import_share: np.ndarray  # share of U.S. imports by country (fractions; OTH included)
    nir: float  # fraction of U.S. apparent consumption
    nir_flag: str
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    has_supply: bool = True


def _pick_series(ds, mineral: str, stage: str, year: int, edition: str) -> tuple[pd.DataFrame, str, str]:
    f = _by_mineral(ds.figures, mineral)
    sel = f[(f["edition"] == edition) & (f["year"] == year)]
    sel = sel[sel["stage"].isin(PRODUCTION_STAGES)]
    if stage != "auto":
        sel = sel[sel["stage"] == stage]
    if sel.empty:
        return sel, stage, ""
    # the main series: stage order, then the product-less series
    keys = sel[["stage", "product"]].drop_duplicates()
    keys = keys.assign(o=keys["stage"].map(STAGE_ORDER), p=keys["product"] != "").sort_values(["p", "o"])
    st_, pr = keys.iloc[0]["stage"], keys.iloc[0]["product"]
    return sel[(sel["stage"] == st_) & (sel["product"] == pr)], st_, pr


_GROUPS: dict[int, tuple[pd.DataFrame, dict]] = {}


def _by_mineral(frame: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Rows of one mineral, via a per-frame index built once (frames are read-only)."""
    key = id(frame)
    hit = _GROUPS.get(key)
    if hit is None or hit[0] is not frame:
        pos = frame.groupby("mineral", sort=False).indices
        hit = (frame, pos)
        _GROUPS[key] = hit
        if len(_GROUPS) > 16:
            _GROUPS.pop(next(iter(_GROUPS)))
    idx = hit[1].get(mineral)
    return frame.iloc[idx] if idx is not None else frame.iloc[0:0]


def mineral_inputs(ds, mineral: str, stage: str = "auto", year: int = 2025, edition: str = CURRENT_EDITION) -> MineralInputs:
    """Volumes, U.S. import shares and NIR for one mineral, from the dataset."""
    if mineral not in set(ds.minerals["mineral"]):
        raise ScenarioError(f"baseline.minerals: unknown mineral {mineral!r}")
    sel, st_, pr = _pick_series(ds, mineral, stage, year, edition)
    notes = []
    rows = sel[(sel["country"] != countries.WORLD) & sel["value"].notna()]
    has_supply = len(rows) > 0 and rows["value"].sum() > 0
    if not has_supply:
        notes.append(
            f"no world {'' if stage == 'auto' else stage + ' '}production figures for {mineral} in {edition} {year}"
            + (" (USGS withholds them)" if len(sel) else "")
            + ": supply-side outputs are not computable"
        )
    us = _by_mineral(ds.us, mineral)
    us = us[us["primary"]]
    nir_rows = us[us["measure"] == "net_import_reliance"].dropna(subset=["value"])
    nir_rows = nir_rows[nir_rows["year"] <= year] if (nir_rows["year"] <= year).any() else nir_rows
    if nir_rows.empty:
        nir, nir_flag = float("nan"), "not_available"
        notes.append(f"no U.S. net import reliance for {mineral}: U.S. shortfall is not computable")
    else:
        r = nir_rows.sort_values("year").iloc[-1]
        nir, nir_flag = float(r["value"]) / 100.0, str(r["flag"])
        if nir_flag == "lower_bound":
            notes.append(f"U.S. net import reliance is a lower bound ({r['raw']}): the shortfall is at least this")
    imp = us[us["measure"] == "import_sources"].dropna(subset=["value"])
    codes = list(dict.fromkeys([*rows["country"], *imp["country"]]))
    if countries.OTHER not in codes:
        codes.append(countries.OTHER)
    qs = rows.groupby("country")["value"].sum()
    ps = imp.groupby("country")["value"].sum() / 100.0
    q = qs.reindex(codes).fillna(0.0).to_numpy(dtype="float64")
    p = ps.reindex(codes).fillna(0.0).to_numpy(dtype="float64")
    if imp.empty:
        notes.append(f"no U.S. import sources for {mineral}: restrictions to the U.S. use world shares")
    sources = tuple(dict.fromkeys([*sel["source"].unique(), *us["source"].unique()]))
    unit = str(sel["unit"].iloc[0]) if len(sel) else ""
    return MineralInputs(mineral, st_, pr, year, edition, unit, tuple(codes), q, p, nir, nir_flag, sources, tuple(notes), has_supply)


# ----------------------------------------------------------------------------------------------
# The engine (arrays with a leading variant axis)


def _as_col(x, n):
    a = np.asarray(x, dtype="float64")
    return np.broadcast_to(a.reshape(-1) if a.ndim else a, (n,)).astype("float64") if a.ndim else np.full(n, float(a))


def evaluate(
    inputs: MineralInputs, baseline_access: Mapping[str, float], shocks: Sequence[Mapping[str, Any]], horizon: int, n: int = 1
) -> dict[str, np.ndarray]:
    """Evaluate ``n`` variants of one mineral. Shock numbers may be floats or length-n arrays."""
    K = len(inputs.countries)
    idx = {c: i for i, c in enumerate(inputs.countries)}
    q0 = np.broadcast_to(inputs.q, (n, K)).copy()
    a0 = np.ones((n, K))
    for c, v in baseline_access.items():
        if c in idx:
            a0[:, idx[c]] = v
    q = q0.copy()
    a = a0.copy()
    p = inputs.import_share
    nir = inputs.nir
    total_q = inputs.q.sum()
    A0 = (q0 * a0).sum(axis=1)
    restricted = np.zeros(K, dtype=bool)
    L = np.zeros(n)
    spare_r = np.zeros(n)
    ramp = np.zeros(n)
    stock = np.zeros(n)
    recyc = np.zeros(n)
    demand = np.zeros(n)
    named = np.array([countries.is_country(c) for c in inputs.countries])

    for s in shocks:
        t = s["type"]
        ms = s.get("minerals", "all")
        if ms != "all" and inputs.mineral not in ms:
            continue
        if t == "export_restriction":
            c = s["country"]
            f = _as_col(s["fraction"], n)
            pt = _as_col(s.get("pass_through", 0.0), n)
            k = idx.get(c)
            qx = q[:, k] if k is not None else np.zeros(n)
            ax = a[:, k] if k is not None else np.zeros(n)
            with np.errstate(divide="ignore", invalid="ignore"):
                share_world = (inputs.q[k] / total_q) if (k is not None and total_q > 0) else 0.0
                share_market = np.where(A0 > 0, qx * ax / A0, 0.0)
            px = p[k] if k is not None else 0.0
            if s.get("destination", "us") == "us":
                L = L + nir * f * (px + pt * (1 - px) * share_world)
            else:
                L = L + nir * f * share_market
            if k is not None:
                a[:, k] = ax * (1 - f)
                restricted[k] = True
        elif t == "supply_change":
            k = idx.get(s["country"])
            if k is None:
                continue
            ch = _as_col(s["change"], n)
            with np.errstate(divide="ignore", invalid="ignore"):
                lost_share = np.where(A0 > 0, np.maximum(0, -ch) * q[:, k] * a[:, k] / A0, 0.0)
            L = L + nir * lost_share
            q[:, k] = q[:, k] * (1 + ch)
        elif t == "access":
            c = s["country"]
            k = idx.get(c)
            v = _as_col(s["value"], n)
            if k is None:
                continue
            base = a0[:, k]
            with np.errstate(divide="ignore", invalid="ignore"):
                drop = np.where(base > 0, np.maximum(0.0, 1 - v / base), 0.0)
            L = L + nir * p[k] * drop
            a[:, k] = v
        elif t == "spare_capacity":
            spare_r = _as_col(s["share"], n)
            ramp = _as_col(s.get("ramp_months", 12.0), n)
        elif t == "stockpile":
            stock = _as_col(s["months"], n)
        elif t == "recycling":
            recyc = _as_col(s["share"], n)
        elif t == "demand_change":
            demand = _as_col(s["change"], n)

    if not math.isnan(nir):
        L = np.minimum(L, nir)
    supply0 = q0 * a0
    supply1 = q * a
    delta = supply1 - supply0
    V = np.maximum(0.0, -delta).sum(axis=1)
    G = np.where(restricted, 0.0, np.maximum(0.0, delta)).sum(axis=1)
    A1 = supply1.sum(axis=1)
    R = np.where(restricted, 0.0, supply1).sum(axis=1)

    # concentration of the accessible supply after the shock (named countries)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares1 = np.where(A1[:, None] > 0, supply1 / A1[:, None], np.nan)
        shares0 = np.where(A0[:, None] > 0, supply0 / A0[:, None], np.nan)
    sn1 = np.where(named, shares1, 0.0)
    sn0 = np.where(named, shares0, 0.0)
    hhi_after = np.where(A1 > 0, ((100 * sn1) ** 2).sum(axis=1), np.nan)
    hhi_before = np.where(A0 > 0, ((100 * sn0) ** 2).sum(axis=1), np.nan)
    top_k = np.argmax(sn1, axis=1)
    cr1_after = np.where(A1 > 0, sn1[np.arange(n), top_k], np.nan)

    # monthly time path
    H = int(horizon)
    months = np.arange(1, H + 1, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ramp_frac = np.where(ramp[:, None] > 0, np.minimum(1.0, months[None, :] / ramp[:, None]), 1.0)
        spare_t = spare_r[:, None] * R[:, None] * ramp_frac
        V_eff = np.where(V > 0, V, L * np.where(A0 > 0, A0, 1.0))
        phi_t = np.where(V_eff[:, None] > 0, np.minimum(1.0, (G[:, None] + spare_t) / V_eff[:, None]), 1.0)
        deal_phi = np.where(V_eff > 0, np.minimum(1.0, G / V_eff), 0.0)
    need = (L * (1 + demand))[:, None]
    gap = np.maximum(0.0, need * (1 - phi_t) - recyc[:, None])
    cum = np.cumsum(gap, axis=1)
    stock_left = np.maximum(0.0, stock[:, None] - cum)
    prev = np.concatenate([stock[:, None], stock_left[:, :-1]], axis=1)
    draw = np.minimum(gap, prev)
    unmet = gap - draw
    exhausted = (stock_left <= 1e-12) & (gap > 1e-12)
    ex_month = np.where(exhausted.any(axis=1), exhausted.argmax(axis=1) + 1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lost_share = np.where(A0 > 0, V / A0, np.nan)
        change_share = np.where(A0 > 0, (A1 - A0) / A0, np.nan)
        replacement = np.where(R > 0, V / R, np.where(V > 0, np.inf, 0.0))
    return {
        "supply_before": supply0,
        "supply_after": supply1,
        "A0": A0,
        "A1": A1,
        "accessible_supply_lost": lost_share,
        "accessible_supply_change": change_share,
        "lost_volume": V,
        "deal_volume": G,
        "remaining_volume": R,
        "hhi_before": hhi_before,
        "hhi_after": hhi_after,
        "cr1_after": cr1_after,
        "top_k": top_k,
        # shares of baseline U.S. consumption: with demand growth they can exceed 1
        "us_shortfall": L * (1 + demand),
        "us_shortfall_after_deal": np.maximum(0.0, L * (1 + demand) * (1 - deal_phi)),
        "us_shortfall_net": gap[:, -1],
        "replacement_multiple": replacement,
        "deal_offset_share": np.where((G > 0) & (V > 0), deal_phi, np.nan),
        "stockpile_exhausted_month": ex_month,
        "unmet_month_equivalents": unmet.sum(axis=1),
        "gap": gap,
        "spare_offset": np.minimum(need, need * np.clip(phi_t - deal_phi[:, None], 0, None)),
        "deal_offset": np.minimum(need, need * deal_phi[:, None]) * np.ones_like(gap),
        "recycling_offset": np.minimum(recyc[:, None], need * (1 - phi_t)) * np.ones_like(gap),
        "stock_left": stock_left,
        "draw": draw,
        "unmet": unmet,
        "need": need * np.ones_like(gap),
    }


def describe_shocks(sc: Scenario, mineral: str | None = None) -> list[str]:
    """Short words for the shocks that apply to ``mineral`` (all shocks if None), for subtitles."""
    out = []
    for s in sc.shocks:
        ms = getattr(s, "minerals", "all")
        if mineral and ms != "all" and mineral not in ms:
            continue
        who = countries.name(getattr(s, "country", "")) if getattr(s, "country", None) else ""
        if s.type == "export_restriction":
            dest = "to the U.S." if s.destination == "us" else "to all destinations"
            text = f"{who} restricts {s.fraction:.0%} of exports {dest}"
            if s.pass_through:
                text += f" (pass-through {s.pass_through:.0%})"
        elif s.type == "supply_change":
            text = f"{who} output {s.change:+.0%}"
        elif s.type == "access":
            text = f"{who} access {s.value:.0%}"
        elif s.type == "spare_capacity":
            text = f"spare capacity {s.share:.0%} over {s.ramp_months:g} months"
        elif s.type == "stockpile":
            text = f"stocks {s.months:g} months"
        elif s.type == "recycling":
            text = f"extra recycling {s.share:.0%}"
        else:
            text = f"demand {s.change:+.0%}"
        out.append(text)
    return out


def _shock_dicts(sc: Scenario) -> list[dict]:
    return [s.model_dump() for s in sc.shocks]


# ----------------------------------------------------------------------------------------------
# Running a scenario


@dataclass
class MineralResult:
    mineral: str
    name: str
    stage: str
    product: str
    year: int
    edition: str
    unit: str
    computable: bool
    notes: list[str]
    values: dict[str, Any]
    time_path: pd.DataFrame
    supply: pd.DataFrame  # country, share_before, share_after, volume_before, volume_after
    sources: list[str] = field(default_factory=list)

    def to_dict(self, with_path: bool = True) -> dict:
        d = {
            "mineral": self.mineral,
            "stage": self.stage,
            "product": self.product,
            "year": self.year,
            "edition": self.edition,
            "unit": self.unit,
            **self.values,
            "notes": self.notes,
            "sources": self.sources,
        }
        if with_path:
            d["time_path"] = [{k: _clean(v) for k, v in r.items()} for r in self.time_path.to_dict(orient="records")]
        return {k: _clean(v) for k, v in d.items()}


def _clean(v):
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else (None if math.isinf(f) else f)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def run_mineral(ds, sc: Scenario, mineral: str) -> MineralResult:
    b = sc.baseline
    inp = mineral_inputs(ds, mineral, b.stage, b.year, b.edition)
    out = evaluate(inp, b.access, _shock_dicts(sc), sc.horizon_months, 1)
    name = ds.minerals.set_index("mineral")["name"].get(mineral, mineral)
    notes = list(inp.notes)
    computable = inp.has_supply and not math.isnan(inp.nir)

    def g(key):
        return _clean(out[key][0])

    top = inp.countries[int(out["top_k"][0])] if inp.has_supply else None
    vals = {
        "accessible_supply_lost": g("accessible_supply_lost") if inp.has_supply else None,
        "accessible_supply_change": g("accessible_supply_change") if inp.has_supply else None,
        "hhi_before": g("hhi_before") if inp.has_supply else None,
        "hhi_after": g("hhi_after") if inp.has_supply else None,
        "cr1_after": g("cr1_after") if inp.has_supply else None,
        "top_supplier_after": top,
        "nir": _clean(inp.nir),
        "nir_flag": inp.nir_flag,
        "us_shortfall": g("us_shortfall"),
        "us_shortfall_after_deal": g("us_shortfall_after_deal"),
        "us_shortfall_net": g("us_shortfall_net"),
        "replacement_multiple": g("replacement_multiple") if inp.has_supply else None,
        "deal_offset_share": g("deal_offset_share") if inp.has_supply else None,
        "stockpile_exhausted_month": int(out["stockpile_exhausted_month"][0]) or None,
        "unmet_month_equivalents": g("unmet_month_equivalents"),
        "lost_volume": g("lost_volume") if inp.has_supply else None,
        "deal_volume": g("deal_volume") if inp.has_supply else None,
        "remaining_volume": g("remaining_volume") if inp.has_supply else None,
    }
    if not inp.has_supply:
        # a restriction's pass-through term needs world shares; say so rather than guess
        if any(s.type == "export_restriction" and s.pass_through > 0 for s in sc.shocks):
            notes.append("the pass-through term needs the restricting country's share of world supply, which is not published")
            for k in (
                "us_shortfall",
                "us_shortfall_after_deal",
                "us_shortfall_net",
                "unmet_month_equivalents",
                "stockpile_exhausted_month",
            ):
                vals[k] = None
    if math.isinf(out["replacement_multiple"][0]):
        notes.append("no accessible supplier remains: the loss cannot be replaced (replacement multiple is infinite)")
    tp = pd.DataFrame(
        {
            "month": np.arange(1, sc.horizon_months + 1),
            "shortfall_before_offsets": out["need"][0],
            "deal_offset": out["deal_offset"][0],
            "spare_capacity_offset": out["spare_offset"][0],
            "recycling_offset": out["recycling_offset"][0],
            "gap": out["gap"][0],
            "stockpile_draw": out["draw"][0],
            "stockpile_left_months": out["stock_left"][0],
            "unmet": out["unmet"][0],
        }
    )
    if vals["us_shortfall"] is None:
        tp.loc[:, tp.columns != "month"] = np.nan
    # supplier table before/after (accessible supply), from the engine's own volumes
    vol_before, after = out["supply_before"][0], out["supply_after"][0]
    tot0, tot1 = vol_before.sum(), after.sum()
    supply = pd.DataFrame(
        {
            "country": inp.countries,
            "volume_before": vol_before,
            "volume_after": after,
            "share_before": vol_before / tot0 if tot0 > 0 else np.nan,
            "share_after": after / tot1 if tot1 > 0 else np.nan,
            "import_share": inp.import_share,
        }
    )
    srcs = list(dict.fromkeys([*inp.sources, *sc.sources]))
    return MineralResult(mineral, name, inp.stage, inp.product, inp.year, inp.edition, inp.unit, computable, notes, vals, tp, supply, srcs)


def run_scenario(ds, sc: Scenario) -> list[MineralResult]:
    """Run every mineral of the scenario's baseline."""
    return [run_mineral(ds, sc, m) for m in sc.baseline.minerals]


def results_frame(results: Sequence[MineralResult]) -> pd.DataFrame:
    return pd.DataFrame([r.to_dict(with_path=False) for r in results])


# ----------------------------------------------------------------------------------------------
# Sweeps


def sweep(ds, sc: Scenario, mineral: str, grid: Mapping[str, Sequence[float] | np.ndarray], *, mode: str = "grid") -> pd.DataFrame:
    """Evaluate many variants of ``sc`` for one mineral at once.

    ``grid`` maps parameter paths (``shocks.0.fraction``) to values. With ``mode="grid"`` every
    combination is evaluated (a full factorial); with ``mode="zip"`` the arrays are taken
    element by element (random draws). Returns one row per variant with its parameters and
    outputs. Values are validated against the same ranges as the sliders.
    """
    params = {p.path: p for p in parameters(sc)}
    arrays = {}
    for path, vals in grid.items():
        if path not in params:
            raise ScenarioError(f"sweep: unknown parameter {path!r}; parameters are {', '.join(params)}")
        arr = np.asarray(vals, dtype="float64").reshape(-1)
        lo, hi = params[path].min, params[path].max
        if not np.isfinite(arr).all() or arr.min() < lo - 1e-12 or arr.max() > hi + 1e-12:
            raise ScenarioError(f"sweep: {path} values must lie in [{lo:g}, {hi:g}]")
        arrays[path] = arr
    if mode == "grid":
        mesh = np.meshgrid(*arrays.values(), indexing="ij")
        cols = {k: m.reshape(-1) for k, m in zip(arrays, mesh, strict=True)}
    elif mode == "zip":
        lengths = {len(v) for v in arrays.values()}
        if len(lengths) != 1:
            raise ScenarioError("sweep: with mode='zip' every parameter needs the same number of values")
        cols = arrays
    else:
        raise ScenarioError("sweep: mode is 'grid' or 'zip'")
    n = len(next(iter(cols.values()))) if cols else 1
    shocks = copy.deepcopy(_shock_dicts(sc))
    horizon = sc.horizon_months
    for path, arr in cols.items():
        if path == "horizon_months":
            raise ScenarioError("sweep: the horizon cannot be swept")
        _, i, fld = path.split(".")
        shocks[int(i)][fld] = arr
    b = sc.baseline
    inp = mineral_inputs(ds, mineral, b.stage, b.year, b.edition)
    out = evaluate(inp, b.access, shocks, horizon, n)
    df = pd.DataFrame(cols)
    for k in (
        "accessible_supply_lost",
        "us_shortfall",
        "us_shortfall_after_deal",
        "us_shortfall_net",
        "replacement_multiple",
        "deal_offset_share",
        "unmet_month_equivalents",
        "hhi_after",
        "cr1_after",
    ):
        df[k] = out[k]
    df["stockpile_exhausted_month"] = out["stockpile_exhausted_month"]
    return df
