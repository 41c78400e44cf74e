"""Scenario engine v2: consumer-centred volumes, bounded offsets, choke-point stages, ranges.

A scenario is validated data (:class:`Scenario`, YAML in ``data/scenarios/``): a list of shocks
applied to the one baseline, ``data/scenarios/baseline.yaml`` (:class:`BaselineData`: the
status quo as of a stated date, the choke-point stage of each mineral with its reason, sourced
accessibility, enforcement defaults and the bounds on offsets). The accounting is centred on the
**consumer** M (the United States by default) and done in M's physical units.

Per mineral, M's baseline: consumption C (USGS salient statistics; apparent, reported or
estimated, named), net import reliance NIR, net imports N = NIR x C, import sources s_X (USGS;
BACI where USGS has none) and, for a restricting origin O, the look-through content c_X of each
source X (O-origin material in what X supplies, from bilateral trade: :mod:`risk.trade`).
World supply q_X is the mineral's output at its choke-point stage, converted to M's unit.

Everything below is a share of C unless it says tonnes.

* ``export_restriction`` (origin O, fraction f, destination, pass_through p, c override):
  - destination ``consumer`` (M only): loss = NIR f [s_O + p sum_{X != O} s_X c_X];
  - destination ``all``, ``market: pooled`` (default): world supply loses f (q_O + p sum_X c_X
    q_X) and every buyer loses the same share sigma of its consumption: loss = sigma;
  - destination ``all``, ``market: bilateral``: only M's imports from O and via third
    countries, as for ``consumer``.
  p defaults to the baseline's enforcement on re-exports (with its source). With p = 1 and c = 1
  a ban to M costs f x NIR.
* ``deal`` (partner P, access a, change e <= the baseline's cap, ramp months): P offers M the
  share a of its current output plus all new output e q_P, never more than q_P (1 + e), minus
  what P already sells M (s_P N), reaching full volume after the ramp. deal_offset_share =
  min(deal volume, loss) / loss.
* ``spare_capacity`` (share r, ramp): the accessible suppliers outside the restricting origins
  and M add r times their output, ramped; M receives the part of it that matches its part of
  the loss to be replaced (all of it for a loss only M bears; its market share for a pooled loss).
* ``access`` and ``supply_change``: a supplier's accessibility or output changes (kept from the
  first model; an access cut costs NIR s_X (1 - value / a0)).
* ``stockpile`` (months of consumption), ``recycling`` (share of C), ``demand_change`` (C
  changes by this fraction: growth is its own line, never folded into the shortfall).

Outputs: ``shortfall`` (loss / C, capped at 1), ``loss_volume`` (tonnes in M's unit),
``shortfall_net`` after offsets (capped at 1), ``demand_unmet`` (demand growth not met, its own
line), ``replacement_multiple`` (M's loss / the supply outside the origins and M; for a pooled
loss the world's loss over that supply), ``deal_volume`` and ``deal_offset_share``, a monthly
time path, and (low, central, high) ranges from the NIR bounds, withheld data, rounding, the
look-through range and edition differences. A number that cannot be computed is ``None`` with a
reason in ``reasons``, never a zero.

Every array has a leading "variant" axis, so one call evaluates one scenario, its range corners
or a sweep / Monte Carlo of thousands of variants at once (:func:`sweep`, :func:`monte_carlo`).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import DATA_DIR, countries
from .vocab import CURRENT_EDITION, EDITIONS, PREVIOUS_EDITION, PRODUCTION_STAGES, STAGE_ORDER, edition_label, mineral_words, stage_words
from .yamlio import USER_YAML_MAX_BYTES, DataFileError, atomic_write_text, dump_yaml, load_yaml_file, load_yaml_text

SCENARIO_DIR = DATA_DIR / "scenarios"
BASELINE_FILE = "baseline.yaml"

Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
MineralSlug = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]
MineralList = Literal["all"] | list[MineralSlug]
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class ScenarioError(ValueError):
    """A scenario cannot be read or run; the message names the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


def _known_country(v: str) -> str:
    if not countries.is_valid(v) or v == countries.WORLD:
        raise ValueError(f"unknown country code {v!r} (use ISO 3166-1 alpha-3, such as CHN, RUS, UKR)")
    return v


# ----------------------------------------------------------------------------------------------
# The baseline (data/scenarios/baseline.yaml)


class StageChoice(_Strict):
    stage: Literal[PRODUCTION_STAGES]
    product: str = ""
    edition: Literal[tuple(EDITIONS)] | None = None
    reason: str = Field(min_length=3, max_length=400)


class AccessEntry(_Strict):
    country: Iso3
    minerals: MineralList = "all"
    value: Fraction
    source: str
    note: str = Field(min_length=3)


class Enforcement(_Strict):
    origin: Iso3 | None = None
    minerals: MineralList = "all"
    value: Fraction
    low: Fraction
    high: Fraction
    basis: Literal["assumption", "definition", "measured"]
    event: str | None = None
    note: str


class Limits(_Strict):
    deal_expansion_max: float = Field(ge=0.0, le=5.0)
    deal_expansion_note: str
    deal_ramp_months: float = Field(ge=0.0, le=120.0)
    spare_capacity_max: float = Field(ge=0.0, le=2.0)
    spare_capacity_note: str


class BaselineData(_Strict):
    id: Literal["baseline"] = "baseline"
    name: str
    as_of: dt.date
    consumer: str = "USA"
    year: int = Field(ge=1990, le=2100)
    edition: Literal[tuple(EDITIONS)]
    sources: list[str]
    stages: dict[MineralSlug, StageChoice]
    access: list[AccessEntry] = []
    enforcement: list[Enforcement] = []
    default_enforcement: Enforcement
    limits: Limits

    def access_of(self, mineral: str) -> dict[str, tuple[float, str]]:
        out = {}
        for a in self.access:
            if a.minerals == "all" or mineral in a.minerals:
                out[a.country] = (a.value, a.note)
        return out

    def enforcement_of(self, origin: str, mineral: str) -> Enforcement:
        for e in self.enforcement:
            if e.origin in (None, origin) and (e.minerals == "all" or mineral in e.minerals):
                return e
        return self.default_enforcement


@lru_cache(maxsize=4)
def _baseline_cached(path: str, mtime: float) -> BaselineData:
    try:
        doc = load_yaml_file(Path(path))
        return BaselineData.model_validate(doc)
    except DataFileError as exc:
        raise ScenarioError(str(exc)) from None
    except ValidationError as exc:
        raise ScenarioError(_format_validation(exc, path)) from None


def load_baseline(folder: Path = SCENARIO_DIR) -> BaselineData:
    p = Path(folder) / BASELINE_FILE
    if not p.exists():
        raise ScenarioError(f"{p}: the baseline file is missing")
    return _baseline_cached(str(p), p.stat().st_mtime)


# ----------------------------------------------------------------------------------------------
# Shocks: each one model with its validation, effect, description and slider metadata


@dataclass(frozen=True)
class Slider:
    """How a shock's number reads as a slider: range, step, help and the unit it shows."""

    min: float
    max: float
    step: float
    help: str
    unit: Literal["percent", "signed_percent", "months", "share"] = "percent"
    integer: bool = False
    name: str = ""  # the slider's words, where the field name is not plain English

    def show(self, v: float) -> str:
        if self.unit == "months":
            return f"{v:g} months"
        if self.unit == "signed_percent":
            return f"{v:+.0%}"
        return f"{v:.0%}"


class _ShockBase(_Strict):
    label: str | None = Field(default=None, max_length=200)
    SLIDERS: ClassVar[dict[str, Slider]] = {}

    def applies_to(self, mineral: str) -> bool:
        ms = getattr(self, "minerals", "all")
        return ms == "all" or mineral in ms

    def describe(self) -> str:  # pragma: no cover - every shock overrides it
        raise NotImplementedError

    def head(self) -> str:
        who = getattr(self, "country", None) or getattr(self, "partner", None)
        return self.label or (self.type.replace("_", " ") + (f" ({countries.name(who)})" if who else ""))

    def check(self, limits: Limits, where: str) -> None:
        """Checks against the baseline's data (caps); pydantic has already checked the ranges."""

    @staticmethod
    def effect(v: Mapping[str, Any], e: _Engine) -> None:  # pragma: no cover
        raise NotImplementedError


class ExportRestriction(_ShockBase):
    type: Literal["export_restriction"] = "export_restriction"
    country: Iso3
    minerals: MineralList = "all"
    fraction: Fraction = 1.0
    destination: Literal["consumer", "all"] = "consumer"
    market: Literal["pooled", "bilateral"] = "pooled"
    pass_through: Fraction | None = None
    third_country_content: Fraction | None = None

    SLIDERS: ClassVar[dict[str, Slider]] = {
        "fraction": Slider(0.0, 1.0, 0.05, "Share of the origin's exports withheld (1 = a full ban)"),
        "pass_through": Slider(
            0.0,
            1.0,
            0.05,
            "Enforcement on re-exports: how far the origin stops its material reaching the consumer through third countries",
            name="enforcement on re-exports",
        ),
        "third_country_content": Slider(
            0.0,
            1.0,
            0.05,
            "Origin content of what third countries supply (overrides the trade data's look-through share)",
            name="origin content of third-country supply",
        ),
    }

    _c = field_validator("country")(_known_country)

    @field_validator("destination", mode="before")
    @classmethod
    def _old_destination(cls, v):
        return "consumer" if v == "us" else v  # first model: destination "us"

    def describe(self) -> str:
        dest = "to the consumer" if self.destination == "consumer" else "to all destinations"
        text = f"{countries.name(self.country)} withholds {self.fraction:.0%} of exports {dest}"
        if self.destination == "all":
            text += f" ({self.market} market)"
        if self.pass_through is not None:
            text += f", re-export enforcement {self.pass_through:.0%}"
        if self.third_country_content is not None:
            text += f", third-country content {self.third_country_content:.0%}"
        return text

    @staticmethod
    def effect(v, e):
        e.restrict(v)


class Deal(_ShockBase):
    type: Literal["deal"] = "deal"
    partner: Iso3
    minerals: MineralList = "all"
    access: Fraction = 1.0
    change: float = Field(default=0.0, ge=0.0, le=5.0)
    ramp_months: float = Field(default=12.0, ge=0.0, le=120.0)

    SLIDERS: ClassVar[dict[str, Slider]] = {
        "access": Slider(0.0, 1.0, 0.05, "Share of the partner's current output the deal opens to the consumer"),
        "change": Slider(
            0.0, 1.0, 0.05, "New output under the deal, as a share of the partner's current output (+50% = 0.5)", "signed_percent"
        ),
        "ramp_months": Slider(0.0, 60.0, 1.0, "Months until the deal delivers its full volume", "months", True),
    }

    _c = field_validator("partner")(_known_country)

    def describe(self) -> str:
        return (
            f"deal with {countries.name(self.partner)}: {self.access:.0%} of its output, expansion {self.change:+.0%}, "
            f"full volume after {self.ramp_months:g} months"
        )

    def check(self, limits, where):
        if self.change > limits.deal_expansion_max + 1e-12:
            raise ScenarioError(
                f"{where}: change: {self.change:g} is above the cap on a deal's expansion, "
                f"{limits.deal_expansion_max:g} (+{limits.deal_expansion_max:.0%}; data/scenarios/baseline.yaml limits.deal_expansion_max)"
            )

    @staticmethod
    def effect(v, e):
        e.deal(v)


class SupplyChange(_ShockBase):
    type: Literal["supply_change"] = "supply_change"
    country: Iso3
    minerals: MineralList = "all"
    change: float = Field(ge=-1.0, le=5.0)

    SLIDERS: ClassVar[dict[str, Slider]] = {
        "change": Slider(-1.0, 1.0, 0.05, "Change in the country's output (+50% = 0.5; -1 = none)", "signed_percent"),
    }
    _c = field_validator("country")(_known_country)

    def describe(self) -> str:
        return f"{countries.name(self.country)} output {self.change:+.0%}"

    def check(self, limits, where):
        if self.change > limits.deal_expansion_max + 1e-12:
            raise ScenarioError(
                f"{where}: change: {self.change:g} is above the cap on an expansion, {limits.deal_expansion_max:g} "
                "(data/scenarios/baseline.yaml limits.deal_expansion_max)"
            )

    @staticmethod
    def effect(v, e):
        e.supply_change(v)


class Access(_ShockBase):
    type: Literal["access"] = "access"
    country: Iso3
    minerals: MineralList = "all"
    value: Fraction

    SLIDERS: ClassVar[dict[str, Slider]] = {"value": Slider(0.0, 1.0, 0.05, "Accessibility for the consumer (0 = none, 1 = full)")}
    _c = field_validator("country")(_known_country)

    def describe(self) -> str:
        return f"{countries.name(self.country)} access {self.value:.0%}"

    @staticmethod
    def effect(v, e):
        e.access(v)


class SpareCapacity(_ShockBase):
    type: Literal["spare_capacity"] = "spare_capacity"
    share: float = Field(ge=0.0, le=2.0)
    ramp_months: float = Field(default=12.0, ge=0.0, le=120.0)

    SLIDERS: ClassVar[dict[str, Slider]] = {
        "share": Slider(
            0.0, 0.5, 0.01, "Extra output the accessible suppliers outside the restricting countries can add, as a share of their output"
        ),
        "ramp_months": Slider(0.0, 60.0, 1.0, "Months until the added capacity is fully available", "months", True),
    }

    def describe(self) -> str:
        return f"spare capacity {self.share:.0%} over {self.ramp_months:g} months"

    def check(self, limits, where):
        if self.share > limits.spare_capacity_max + 1e-12:
            raise ScenarioError(
                f"{where}: share: {self.share:g} is above the cap on spare capacity, {limits.spare_capacity_max:g} "
                "(data/scenarios/baseline.yaml limits.spare_capacity_max)"
            )

    @staticmethod
    def effect(v, e):
        e.spare_r = _as_col(v["share"], e.n)
        e.spare_ramp = _as_col(v.get("ramp_months", 12.0), e.n)


class Stockpile(_ShockBase):
    type: Literal["stockpile"] = "stockpile"
    months: float = Field(ge=0.0, le=60.0)

    SLIDERS: ClassVar[dict[str, Slider]] = {
        "months": Slider(0.0, 24.0, 0.5, "Months of the consumer's consumption held in stock", "months")
    }

    def describe(self) -> str:
        return f"stocks {self.months:g} months"

    @staticmethod
    def effect(v, e):
        e.stock = _as_col(v["months"], e.n)


class Recycling(_ShockBase):
    type: Literal["recycling"] = "recycling"
    share: Fraction

    SLIDERS: ClassVar[dict[str, Slider]] = {"share": Slider(0.0, 1.0, 0.01, "Share of consumption met by additional recycling")}

    def describe(self) -> str:
        return f"extra recycling {self.share:.0%}"

    @staticmethod
    def effect(v, e):
        e.recyc = _as_col(v["share"], e.n)


class DemandChange(_ShockBase):
    type: Literal["demand_change"] = "demand_change"
    change: float = Field(ge=-0.9, le=2.0)

    SLIDERS: ClassVar[dict[str, Slider]] = {
        "change": Slider(
            -0.5, 2.0, 0.05, "Change in the consumer's consumption (+10% = 0.1); growth is reported as its own line", "signed_percent"
        )
    }

    def describe(self) -> str:
        return f"demand {self.change:+.0%}"

    @staticmethod
    def effect(v, e):
        e.demand = _as_col(v["change"], e.n)


SHOCK_MODELS: dict[str, type[_ShockBase]] = {
    m.model_fields["type"].default: m
    for m in (ExportRestriction, Deal, SupplyChange, Access, SpareCapacity, Stockpile, Recycling, DemandChange)
}
_SHOCK_TYPES = set(SHOCK_MODELS)

Shock = Annotated[
    ExportRestriction | Deal | SupplyChange | Access | SpareCapacity | Stockpile | Recycling | DemandChange,
    Field(discriminator="type"),
]

STAGE_CHOICES = ("auto", *PRODUCTION_STAGES)


class Baseline(_Strict):
    """A scenario's view of the baseline: its minerals, and changes to data/scenarios/baseline.yaml."""

    minerals: list[MineralSlug] = Field(min_length=1, max_length=40)
    stage: Literal[STAGE_CHOICES] = "auto"
    year: int = Field(default=2025, ge=1990, le=2100)
    edition: Literal[tuple(EDITIONS)] = CURRENT_EDITION
    consumer: Annotated[str, Field(pattern=r"^([A-Z]{3}|EU27)$")] = "USA"
    access: dict[Iso3, Fraction] = {}

    @field_validator("access")
    @classmethod
    def _codes(cls, v):
        for k in v:
            _known_country(k)
        return v


class Scenario(_Strict):
    id: MineralSlug = "custom"
    name: str = Field(default="Custom scenario", max_length=200)
    description: str = Field(default="", max_length=4000)
    sources: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]] = []
    references: list[Annotated[str, Field(max_length=500)]] = []
    baseline: Baseline
    shocks: list[Shock] = Field(default=[], max_length=40)
    horizon_months: int = Field(default=36, ge=1, le=240)
    uncertain: dict[str, tuple[float, float]] = Field(default={}, max_length=10)

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
        for path, (lo, hi) in self.uncertain.items():
            if not re.fullmatch(r"shocks\.\d+\.[a-z_]+", path):
                raise ValueError(f"uncertain: {path!r} is not a shock parameter (use shocks.0.fraction ...)")
            if lo > hi:
                raise ValueError(f"uncertain.{path}: low {lo:g} is above high {hi:g}")
        return self


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


def _old_format(doc: Mapping) -> str | None:
    """A one-line message for a scenario written for the first model that cannot be read as is."""
    shocks = doc.get("shocks") if isinstance(doc.get("shocks"), list) else []
    for i, s in enumerate(shocks):
        if isinstance(s, Mapping) and s.get("type") == "export_restriction" and s.get("destination") == "us" and "pass_through" in s:
            if s.get("pass_through") not in (None, 0, 0.0):
                return (
                    f"shocks.{i}.pass_through: in the v2 model pass_through is enforcement on re-exports (p) and the origin content of "
                    "third-country supply is third_country_content; set both (the old pass_through meant the content)"
                )
    return None


def parse_scenario(doc: Any, where: str = "scenario", folder: Path = SCENARIO_DIR) -> Scenario:
    if not isinstance(doc, Mapping):
        raise ScenarioError(f"{where}: a scenario is a mapping with baseline and shocks, not {type(doc).__name__}")
    old = _old_format(doc)
    if old:
        raise ScenarioError(f"{where}: written for the first scenario model: {old}")
    doc = dict(doc)
    # v1 files: pass_through 0 with destination us was the old default, now None (from the data)
    if isinstance(doc.get("shocks"), list):
        doc["shocks"] = [
            {k: v for k, v in s.items() if not (k == "pass_through" and v in (0, 0.0) and s.get("destination") == "us")}
            if isinstance(s, Mapping)
            else s
            for s in doc["shocks"]
        ]
    try:
        sc = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(_format_validation(exc, where)) from None
    limits = load_baseline(folder).limits
    for i, s in enumerate(sc.shocks):
        s.check(limits, f"{where}: shocks.{i}")
    return sc


def load_scenario_text(text: str | bytes, where: str = "uploaded scenario") -> Scenario:
    try:
        doc = load_yaml_text(text, path=where, max_bytes=USER_YAML_MAX_BYTES)
    except DataFileError as exc:
        raise ScenarioError(str(exc)) from None
    return parse_scenario(doc, where)


def named_scenarios(folder: Path = SCENARIO_DIR) -> dict[str, Path]:
    """The named scenarios (every YAML file but the baseline)."""
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.name != BASELINE_FILE}


def load_scenario(name_or_path: str | Path, folder: Path = SCENARIO_DIR) -> Scenario:
    """A named scenario (``china_export_ban``) or a YAML file path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise ScenarioError(f"{p}: no such scenario file")
        if p.name == BASELINE_FILE and p.parent.resolve() == Path(folder).resolve():
            raise ScenarioError(f"{p}: the baseline is not a scenario; scenarios are changes to it")
        try:
            return parse_scenario(load_yaml_file(p, max_bytes=USER_YAML_MAX_BYTES), str(p), folder)
        except DataFileError as exc:
            raise ScenarioError(str(exc)) from None
    named = named_scenarios(folder)
    if str(name_or_path) not in named:
        raise ScenarioError(f"unknown scenario {str(name_or_path)!r}; named scenarios: {', '.join(named)}")
    return load_scenario(named[str(name_or_path)], folder)


def scenario_to_yaml(sc: Scenario) -> str:
    return dump_yaml(sc.model_dump(mode="json", exclude_none=True, exclude_defaults=False))


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
    unit: str = "percent"  # percent | signed_percent | months | share: how the slider shows its value
    explicit: bool = True  # False: the value is the baseline's default (enforcement on re-exports left unset)
    default_for: str = ""  # with explicit False: the mineral whose baseline default the value is

    def show(self, v: float | None = None) -> str:
        return Slider(self.min, self.max, self.step, self.help, self.unit, self.integer).show(self.value if v is None else v)  # type: ignore[arg-type]


def parameters(sc: Scenario, mineral: str | None = None) -> list[Parameter]:
    """Every adjustable number in ``sc`` with its range, unit and current value (from the shocks' own slider metadata).

    An unset enforcement on re-exports shows the baseline's default for ``mineral`` where the
    shock covers it (else for the shock's first mineral), with ``explicit`` False."""
    out = []
    base = load_baseline()
    limits = base.limits
    for i, s in enumerate(sc.shocks):
        head = s.head()
        for fld, sl in s.SLIDERS.items():
            v = getattr(s, fld)
            help_ = sl.help
            explicit = v is not None
            shown = ""
            if v is None and fld == "pass_through" and s.type == "export_restriction":
                # unset: the engine takes the baseline's enforcement per mineral; the slider shows
                # it, and only a moved slider sets one value for all of the shock's minerals
                ms = (
                    sc.baseline.minerals
                    if s.minerals == "all"
                    else [m for m in s.minerals if m in sc.baseline.minerals] or list(s.minerals)
                )
                defaults = {m: base.enforcement_of(s.country, m) for m in ms}
                shown = mineral if mineral in defaults else next(iter(defaults), None)
                v = defaults[shown].value if shown else base.default_enforcement.value
                vals = {e.value for e in defaults.values()}
                if len(vals) > 1:
                    per = "; ".join(f"{mineral_words(m)} {e.value:.0%}" for m, e in defaults.items())
                    help_ += f". Baseline default per mineral: {per}; moving the slider sets one value for all of them"
                else:
                    e0 = next(iter(defaults.values()), base.default_enforcement)
                    help_ += f". Baseline default {e0.value:.0%} ({e0.basis}): {e0.note}"
            if v is None:
                continue
            hi = sl.max
            if fld == "change" and s.type in ("deal", "supply_change"):
                hi = limits.deal_expansion_max
            out.append(
                Parameter(
                    f"shocks.{i}.{fld}",
                    f"{head}: {sl.name or fld.replace('_', ' ')}",
                    sl.min,
                    max(hi, float(v)),
                    sl.step,
                    float(v),
                    help_,
                    sl.integer,
                    sl.unit,
                    explicit,
                    shown or "",
                )
            )
    out.append(
        Parameter("horizon_months", "Horizon", 6, 120, 6, float(sc.horizon_months), "Length of the monthly time path", True, "months")
    )
    return out


_PATH_RE = re.compile(r"^(shocks\.\d+\.[a-z_]+|horizon_months|baseline\.(year|stage|edition|consumer)|baseline\.access\.[A-Z]{3})$")


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
    if path.endswith(("stage", "edition", "consumer")):
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
    ref = {p.path: p for p in parameters(base)} if base is not None else {}
    for p in parameters(sc):
        if not p.explicit:
            continue  # a baseline default, not a setting
        r = ref.get(p.path)
        if r is None or not r.explicit or not math.isclose(r.value, p.value, abs_tol=1e-12):
            out[p.path] = f"{p.value:g}"
    if base is not None:
        for k in ("stage", "consumer"):
            if getattr(sc.baseline, k) != getattr(base.baseline, k):
                out[f"baseline.{k}"] = getattr(sc.baseline, k)
    return out


def from_query_params(params: Mapping[str, str], base: Scenario) -> Scenario:
    """Apply URL parameters to ``base`` with the same validation as --set and YAML."""
    values = {k: v for k, v in params.items() if k != "scenario"}
    return with_values(base, values, where="link")


def describe_shocks(sc: Scenario, mineral: str | None = None) -> list[str]:
    """Short words for the shocks that apply to ``mineral`` (all shocks if None), for subtitles."""
    c = sc.baseline.consumer
    who = "the U.S." if c == "USA" else countries.name(c) if countries.is_valid(c) else c
    return [s.describe().replace("to the consumer", f"to {who}") for s in sc.shocks if mineral is None or s.applies_to(mineral)]


def _shock_dicts(sc: Scenario) -> list[dict]:
    return [s.model_dump() for s in sc.shocks]


# ----------------------------------------------------------------------------------------------
# Inputs per mineral

#: Mass units -> tonnes.
_TONNES = {"kg": 1e-3, "t": 1.0, "kt": 1e3, "Mt": 1e6, "kt (dry)": 1e3}


def _convert(unit_from: str, unit_to: str) -> float:
    if unit_from == unit_to:
        return 1.0
    if unit_from in _TONNES and unit_to in _TONNES:
        return _TONNES[unit_from] / _TONNES[unit_to]
    return float("nan")


def _rounding_half_step(v: float) -> float:
    """Half the step a published total is rounded to (two significant figures, as USGS rounds estimates)."""
    if not v or not math.isfinite(v):
        return 0.0
    return 0.5 * 10 ** (math.floor(math.log10(abs(v))) - 1)


@dataclass(frozen=True)
class MineralInputs:
    """One mineral's baseline, centred on the consumer. Volumes are in ``unit`` (the consumer's)."""

    mineral: str
    consumer: str
    stage: str
    product: str
    edition: str  # of the world series
    year: int  # of the world series
    stage_reason: str
    unit: str  # the consumer's unit (consumption's), or the world series' where consumption is missing
    countries: tuple[str, ...]
    q: np.ndarray  # world supply at the stage by country, in `unit` (OTH included)
    import_share: np.ndarray  # s_X, fractions of the consumer's imports (OTH included)
    nir: float  # fraction of consumption
    nir_flag: str
    consumption: float  # C in `unit`; nan where not published
    consumption_basis: str | None = None
    consumption_detail: str = ""
    consumption_flag: str = "none"
    nir_low: float = float("nan")
    nir_high: float = float("nan")
    q_low: np.ndarray | None = None  # withheld rows at 0
    q_high: np.ndarray | None = None  # withheld rows at the residual of the published total
    q_prev: np.ndarray | None = None  # the previous edition's shares applied to this total
    prev_note: str = ""
    look: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, str]] = field(default_factory=dict)  # origin -> (c, low, high, note)
    access0: np.ndarray | None = None
    import_source: str = "usgs_mcs2026"
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reasons: Mapping[str, str] = field(default_factory=dict)  # output -> why it is not computable
    has_supply: bool = True
    enforcement: Mapping[str, tuple[float, float, float, str]] = field(default_factory=dict)  # origin -> (p, low, high, note)

    def idx(self, code: str) -> int | None:
        try:
            return self.countries.index(code)
        except ValueError:
            return None


def _choke_point(base: BaselineData, mineral: str, stage: str, edition: str) -> tuple[str, str, str | None, str]:
    """(stage, product, edition or None for the scenario's, reason)."""
    if stage == "auto" and mineral in base.stages:
        c = base.stages[mineral]
        return c.stage, c.product, c.edition, c.reason
    if stage != "auto":
        return stage, "", None, "stage chosen by the user"
    return "auto", "", None, ""


def _pick_series(ds, mineral: str, stage: str, product: str, year: int, edition: str) -> tuple[pd.DataFrame, str, str, int]:
    f = _by_mineral(ds.figures, mineral)
    sel = f[(f["edition"] == edition) & f["stage"].isin(PRODUCTION_STAGES) & (f["flag"] != "projection")]
    if stage != "auto":
        sel = sel[sel["stage"] == stage]
        if product:
            sel = sel[sel["product"] == product]
    if sel.empty:
        return sel, stage, product, year
    years = sorted(y for y in sel["year"].unique() if y <= year)
    yr = years[-1] if years else int(sel["year"].min())
    sel = sel[sel["year"] == yr]
    keys = sel[["stage", "product"]].drop_duplicates()
    if stage == "auto":
        # USGS refinery, primary or smelter where published, else mine; product-less series first
        pref = {"refinery": 0, "primary": 1, "smelter": 2}
        keys = keys.assign(o=keys["stage"].map(lambda s: pref.get(s, 10 + STAGE_ORDER[s])), p=keys["product"] != "").sort_values(["p", "o"])
    else:
        keys = keys.assign(p=keys["product"] != "").sort_values(["p"])
    st_, pr = keys.iloc[0]["stage"], keys.iloc[0]["product"]
    return sel[(sel["stage"] == st_) & (sel["product"] == pr)], st_, pr, int(yr)


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


# --- trade (BACI): look-through c_X and, where USGS has none, import sources


@lru_cache(maxsize=2)
def _trade_years(data_dir: str, year_from: int, year_to: int):
    """Every mineral's flows for the years, read once (one read costs about what a one-mineral
    read does: opening and checking the store is most of it)."""
    from .importers.baci import load_store

    return load_store(data_dir, years=(year_from, year_to))


@lru_cache(maxsize=64)
def _trade_agg(data_dir: str, mineral: str, year_from: int, year_to: int):
    from .importers.baci import load_mapping
    from .trade import span_flows, with_groups

    mapping = load_mapping(Path(data_dir) / "trade_products.yaml")
    if mineral not in mapping.minerals:
        return None
    every = _trade_years(data_dir, year_from, year_to)
    flows = every[every["mineral"] == mineral].copy()
    for c in flows.columns:
        if isinstance(flows[c].dtype, pd.CategoricalDtype):
            flows[c] = flows[c].cat.remove_unused_categories()
    flows.attrs = dict(every.attrs)
    groups = {g: list(x.members) for g, x in mapping.groups.items()}
    return with_groups(span_flows(flows, year_from, year_to), groups), groups


def _trade(ds, mineral: str):
    data_dir = getattr(ds, "data_dir", None) or DATA_DIR
    try:
        return _trade_agg(str(data_dir), mineral, 2021, 2024)
    except Exception:
        return None


def _look_through(ds, mineral: str, origin: str, consumer: str, codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """c_X, its low (0) and high (min(1, I_X,O / E_X)) for the consumer's sources ``codes``."""
    K = len(codes)
    got = _trade(ds, mineral)
    if got is None:
        return (
            np.zeros(K),
            np.zeros(K),
            np.ones(K),
            f"no bilateral trade data for {mineral} (BACI slice): the origin content of third-country supply is taken as 0, with the range 0-100%",
        )
    from .trade import look_through

    agg, groups = got
    lt = look_through(agg, mineral, origin, by="value", groups=list(groups))
    c = lt["look_through"].reindex(list(codes)).to_numpy(dtype="float64", copy=True)
    hi = lt["look_through_high"].reindex(list(codes)).to_numpy(dtype="float64", copy=True)
    # Other countries: the import-weighted mean over the consumer's BACI suppliers not named
    f = agg[(agg["importer"] == consumer) & (agg["mineral"] == mineral)]
    rest = f[~f["exporter"].isin([*codes, origin, consumer])]
    if len(rest) and rest["value_kusd"].sum() > 0:
        w = rest["value_kusd"].to_numpy() / rest["value_kusd"].sum()
        ex = rest["exporter"].astype(str).to_numpy()
        oth_c = float((w * lt["look_through"].reindex(ex).fillna(0).to_numpy()).sum())
        oth_hi = float((w * lt["look_through_high"].reindex(ex).fillna(0).to_numpy()).sum())
    else:
        oth_c, oth_hi = 0.0, 0.0
    for k, code in enumerate(codes):
        if code == countries.OTHER:
            c[k], hi[k] = oth_c, oth_hi
    c, hi = np.nan_to_num(c), np.nan_to_num(hi)
    return c, np.zeros(K), np.maximum(hi, c), "look-through from CEPII BACI bilateral trade (HS 1992), 2021-24, by value"


def _baci_import_shares(ds, mineral: str, consumer: str) -> pd.Series | None:
    got = _trade(ds, mineral)
    if got is None:
        return None
    agg, _ = got
    f = agg[(agg["importer"] == consumer) & (agg["mineral"] == mineral)]
    tot = f["value_kusd"].sum()
    if tot <= 0:
        return None
    s = f.groupby(f["exporter"].astype(str))["value_kusd"].sum() / tot
    top = s.sort_values(ascending=False)
    named = top.head(6)
    out = named.copy()
    out[countries.OTHER] = out.get(countries.OTHER, 0.0) + top.iloc[6:].sum()
    return out


_INPUTS_CACHE: dict[tuple, tuple[Any, BaselineData, MineralInputs]] = {}
_INPUTS_CACHE_MAX = 512
_INPUTS_LOCK = threading.Lock()  # the app's sessions run in threads of one process


def cached_inputs(ds, mineral: str, stage: str, year: int, edition: str, *, consumer: str, origins: Sequence[str], baseline: BaselineData):
    """:func:`mineral_inputs`, kept per dataset and baseline object: a slider move changes shocks,
    not inputs, so the lab and the sweep reuse them (read-only: the engine copies what it changes)."""
    key = (id(ds), id(baseline), mineral, stage, int(year), edition, consumer, tuple(origins))
    hit = _INPUTS_CACHE.get(key)
    if hit is not None and hit[0] is ds and hit[1] is baseline:
        return hit[2]
    inp = mineral_inputs(ds, mineral, stage, year, edition, consumer=consumer, origins=origins, baseline=baseline)
    with _INPUTS_LOCK:  # two sessions evicting the same oldest entry must not both pop it
        if len(_INPUTS_CACHE) >= _INPUTS_CACHE_MAX:
            _INPUTS_CACHE.pop(next(iter(_INPUTS_CACHE)), None)
        _INPUTS_CACHE[key] = (ds, baseline, inp)
    return inp


def mineral_inputs(
    ds,
    mineral: str,
    stage: str = "auto",
    year: int = 2025,
    edition: str = CURRENT_EDITION,
    *,
    consumer: str = "USA",
    origins: Sequence[str] = (),
    baseline: BaselineData | None = None,
) -> MineralInputs:
    """The consumer's baseline for one mineral, from the dataset and data/scenarios/baseline.yaml."""
    if mineral not in set(ds.minerals["mineral"]):
        raise ScenarioError(f"baseline.minerals: unknown mineral {mineral!r}")
    base = baseline or load_baseline()
    notes: list[str] = []
    reasons: dict[str, str] = {}
    st_want, pr_want, ed_want, reason = _choke_point(base, mineral, stage, edition)
    ed = ed_want or edition
    sel, st_, pr, yr = _pick_series(ds, mineral, st_want, pr_want, year, ed)
    if sel.empty and ed != edition:  # the chosen stage is not in that edition: fall back to the scenario's
        sel, st_, pr, yr = _pick_series(ds, mineral, st_want if stage != "auto" else "auto", "", year, edition)
        ed = edition
    if st_ == "auto" or not reason or reason == "stage chosen by the user":
        if stage == "auto":
            reason = (
                f"USGS {stage_words(st_)}: the furthest-downstream stage MCS publishes for {mineral}" if len(sel) else "no world series"
            )
        else:
            reason = f"stage chosen by the user ({stage_words(st_ if len(sel) else stage)})"
    world_unit = str(sel["unit"].iloc[0]) if len(sel) else ""
    rows = sel[(sel["country"] != countries.WORLD)]
    known = rows[rows["value"].notna()]
    has_supply = len(known) > 0 and known["value"].sum() > 0
    if not has_supply:
        why = (
            f"world {stage_words(st_) if st_ != 'auto' else 'production'} withheld in {edition_label(ed)}"
            if len(sel)
            else f"no world {'production' if stage == 'auto' else stage_words(stage)} series for {mineral} in {edition_label(ed)}"
        )
        reasons["world"] = why
        notes.append(
            f"not computable on the supply side: {why}; the consumer's side is computed from net import reliance and import sources"
        )

    # --- the consumer: consumption, NIR, import sources
    us = _by_mineral(ds.us, mineral)
    us = us[us["primary"]]
    is_us = consumer == "USA"
    C, basis, cdetail, cflag, cunit = float("nan"), None, "", "not_available", ""
    nir, nir_flag, nir_lo, nir_hi = float("nan"), "not_available", float("nan"), float("nan")
    s_ser: pd.Series | None = None
    import_source = "usgs_mcs2026"
    if is_us:
        sal = _by_mineral(getattr(ds, "salient", pd.DataFrame(columns=["mineral"])), mineral)
        cons = sal[(sal["measure"] == "consumption") & sal["primary"]] if len(sal) else sal
        if len(cons):
            yrs = cons[cons["year"] <= year]
            row = (yrs if len(yrs) else cons).sort_values("year").iloc[-1]
            basis, cdetail, cflag, cunit = row["basis"], row["detail"], row["flag"], row["unit"]
            if pd.notna(row["value"]) and row["flag"] not in ("upper_bound",):
                C = float(row["value"])
            else:
                word = {"withheld": "withheld", "not_available": "not available"}.get(row["flag"], row["flag"].replace("_", " "))
                reasons["consumption"] = f"U.S. {basis or ''} consumption {word} in MCS 2026 ({row['detail']}, {int(row['year'])})".replace(
                    "  ", " "
                )
        else:
            reasons["consumption"] = f"no U.S. consumption in the MCS 2026 salient statistics for {mineral}"
        nir_rows = us[us["measure"] == "net_import_reliance"].dropna(subset=["value"])
        nir_rows = nir_rows[nir_rows["year"] <= year] if (nir_rows["year"] <= year).any() else nir_rows
        if nir_rows.empty:
            reasons["nir"] = f"no U.S. net import reliance for {mineral}"
        else:
            r = nir_rows.sort_values("year").iloc[-1]
            nir, nir_flag = float(r["value"]) / 100.0, str(r["flag"])
            if nir_flag == "lower_bound":
                nir_lo, nir_hi = nir, 1.0
                notes.append(f"U.S. net import reliance is a lower bound ({r['raw']}): the range runs from {nir:.0%} to 100%")
            elif nir_flag == "upper_bound":
                nir_lo, nir_hi = 0.0, nir
            else:
                nir_lo, nir_hi = max(0.0, nir - 0.005), min(1.0, nir + 0.005)  # published to the whole percent
        imp = us[us["measure"] == "import_sources"].dropna(subset=["value"])
        if len(imp):
            s_ser = imp.groupby("country")["value"].sum() / 100.0
    else:
        reasons["consumption"] = (
            f"consumption of {consumer} is not in the data (USGS publishes U.S. consumption only): shares are of {consumer}'s imports"
        )
        nir, nir_flag, nir_lo, nir_hi = 1.0, "assumed", 1.0, 1.0
        notes.append(
            f"{consumer}: net import reliance taken as 100% (no data): shortfalls are shares of its imports, an upper bound on its consumption"
        )
    if s_ser is None:
        s_ser = _baci_import_shares(ds, mineral, consumer)
        if s_ser is not None:
            import_source = "cepii_baci_hs92"
            notes.append(f"import sources of {consumer} from BACI trade 2021-24 by value (USGS publishes none)")
        else:
            reasons["imports"] = f"no import sources for {mineral} and {consumer} (USGS or BACI)"

    # --- units: the consumer's (consumption's) unit, world volumes converted to it
    unit = cunit if (cunit and not math.isnan(C)) else (cunit or world_unit)
    conv = _convert(world_unit, unit) if world_unit else float("nan")
    if world_unit and unit and math.isnan(conv):
        reasons["units"] = f"world supply is in {world_unit} and consumption in {unit}: volumes cannot be compared"
        conv = 1.0
        unit = world_unit
        C = float("nan")
        reasons.setdefault("consumption", reasons["units"])
    if world_unit and unit != world_unit:
        notes.append(f"world {stage_words(st_, pr)} converted from {world_unit} to {unit}")

    codes = list(dict.fromkeys([*known["country"], *(s_ser.index if s_ser is not None else [])]))
    if countries.OTHER not in codes:
        codes.append(countries.OTHER)
    if consumer not in codes and consumer != "EU27":
        codes.append(consumer)
    qs = known.groupby("country")["value"].sum() * (conv if not math.isnan(conv) else 1.0)
    q = qs.reindex(codes).fillna(0.0).to_numpy(dtype="float64")
    s = (s_ser.reindex(codes).fillna(0.0) if s_ser is not None else pd.Series(0.0, index=codes)).to_numpy(dtype="float64")

    # --- withheld rows and the published total: the range of q
    q_low = q_high = None
    wld = sel[sel["country"] == countries.WORLD]
    withheld = rows[rows["value"].isna()]["country"].tolist()
    if withheld and has_supply:
        total = float(wld["value"].iloc[0]) * conv if len(wld) and pd.notna(wld["value"].iloc[0]) else float("nan")
        residual = max(0.0, total - q.sum()) if math.isfinite(total) else 0.0
        q_low = q.copy()
        q_high = q.copy()
        for c in withheld:
            if c in codes:
                q_high[codes.index(c)] += residual / len(withheld)
        notes.append(
            f"{', '.join(countries.name(c) for c in withheld)}: production withheld; the range puts it between 0 and the rest of the published world total"
        )

    # --- edition differences over 5 points (same stage, the year both editions hold)
    q_prev, prev_note = None, ""
    if ed in ("mcs2026",) and has_supply:
        prev = _by_mineral(ds.figures, mineral)
        prev = prev[(prev["stage"] == st_) & (prev["product"] == pr) & (prev["country"] != countries.WORLD) & prev["value"].notna()]
        a = prev[prev["edition"] == PREVIOUS_EDITION]
        b = prev[prev["edition"] == ed]
        common = sorted(set(a["year"]) & set(b["year"]))
        if common:
            y = common[-1]
            sa = a[a["year"] == y].groupby("country")["value"].sum()
            sb = b[b["year"] == y].groupby("country")["value"].sum()
            if sa.sum() > 0 and sb.sum() > 0:
                sa, sb = sa / sa.sum(), sb / sb.sum()
                diff = sa.reindex(sb.index.union(sa.index)).fillna(0) - sb.reindex(sb.index.union(sa.index)).fillna(0)
                big = diff[diff.abs() > 0.05]
                if len(big):
                    q_prev = (sa.reindex(codes).fillna(0.0) * q.sum()).to_numpy(dtype="float64")
                    prev_note = "; ".join(
                        f"{countries.name(c)} {sb.get(c, 0):.0%} of {y} {stage_words(st_)} in {edition_label(ed)}, "
                        f"{sa.get(c, 0):.0%} in {edition_label(PREVIOUS_EDITION)}"
                        for c in big.index
                    )

    # --- baseline accessibility and enforcement
    a0 = np.ones(len(codes))
    for c, (v, _note) in base.access_of(mineral).items():
        if c in codes:
            a0[codes.index(c)] = v
    look = {}
    enf = {}
    for o in dict.fromkeys(origins):
        if o not in codes:
            codes_o = codes
        else:
            codes_o = codes
        look[o] = _look_through(ds, mineral, o, consumer, codes_o)
        e = base.enforcement_of(o, mineral)
        enf[o] = (e.value, e.low, e.high, e.note)

    srcs = [*sel["source"].unique(), *us["source"].unique()]
    if is_us and not math.isnan(C):
        srcs.append("usgs_mcs2026")
    if import_source == "cepii_baci_hs92" or any("BACI HS92" in v[3] for v in look.values()):
        srcs.append("cepii_baci_hs92")
    return MineralInputs(
        mineral=mineral,
        consumer=consumer,
        stage=st_ if st_ != "auto" else (stage if stage != "auto" else "mine"),
        product=pr,
        edition=ed,
        year=yr,
        stage_reason=reason,
        unit=unit,
        countries=tuple(codes),
        q=q,
        import_share=s,
        nir=nir,
        nir_flag=nir_flag,
        consumption=C,
        consumption_basis=basis,
        consumption_detail=cdetail,
        consumption_flag=cflag,
        nir_low=nir_lo,
        nir_high=nir_hi,
        q_low=q_low,
        q_high=q_high,
        q_prev=q_prev,
        prev_note=prev_note,
        look=look,
        access0=a0,
        import_source=import_source,
        sources=tuple(dict.fromkeys(srcs)),
        notes=tuple(notes),
        reasons=reasons,
        has_supply=has_supply,
        enforcement=enf,
    )


# ----------------------------------------------------------------------------------------------
# The engine (arrays with a leading variant axis)


def _as_col(x, n):
    a = np.asarray(x, dtype="float64")
    return np.broadcast_to(a.reshape(-1), (n,)).astype("float64") if a.ndim else np.full(n, float(a))


def _rows(x, n, K):
    a = np.asarray(x, dtype="float64")
    return np.broadcast_to(a, (n, K)).copy() if a.ndim == 1 else a.astype("float64").copy()


class _Engine:
    """State of one evaluation: what the shocks have done so far, per variant."""

    def __init__(self, inp: MineralInputs, n: int, var: Mapping[str, Any], access: Mapping[str, float]):
        self.inp, self.n = inp, n
        K = len(inp.countries)
        self.K = K
        self.idx = {c: i for i, c in enumerate(inp.countries)}
        self.q = _rows(var.get("q", inp.q), n, K)
        self.s = _rows(inp.import_share, n, K)
        self.nir = _as_col(var.get("nir", inp.nir), n)
        self.C = _as_col(var.get("C", inp.consumption), n)
        self.c_scale = var.get("c_mode", "central")  # central | low | high
        a0 = _rows(inp.access0 if inp.access0 is not None else np.ones(K), n, K)
        for c, v in access.items():
            if c in self.idx:
                a0[:, self.idx[c]] = v
        self.a0 = a0
        self.a = a0.copy()
        self.m = self.idx.get(inp.consumer)
        self.restricted = np.zeros(K, dtype=bool)
        # what is left of each origin's flows after the restrictions so far (overlapping
        # restrictions on one flow combine as 1 - (1 - f1)(1 - f2), they never add)
        # per origin (also one with no row of its own, whose material reaches the consumer only
        # through third countries): "direct" the consumer's imports from it, "via" its content in
        # the consumer's other imports, "world" its output on the world market, "feed" its
        # content in third countries' output
        self.left: dict[str, dict[str, np.ndarray]] = {}
        self.L_cons = np.zeros(n)  # loss only the consumer bears (share of C)
        self.L_pool = np.zeros(n)  # the consumer's part of a world loss (share of C)
        self.world_lost = np.zeros(n)  # world supply lost (volume)
        self.direct_lost = np.zeros(n)  # supply removed from the consumer's reach (volume)
        self.deal_full = np.zeros(n)  # deal volume at full ramp (volume)
        self.deal_ramp = np.zeros(n)
        self.added = np.zeros(n)  # other added supply (volume)
        self.spare_r = np.zeros(n)
        self.spare_ramp = np.zeros(n)
        self.stock = np.zeros(n)
        self.recyc = np.zeros(n)
        self.demand = np.zeros(n)
        self.has_deal = False
        self.has_restriction = False
        self.pool = False
        self.needs = set()  # inputs a shock needed: "world", "imports", "consumption"

    def flows_left(self, origin: str) -> dict[str, np.ndarray]:
        return self.left.setdefault(origin, {f: np.ones(self.n) for f in ("direct", "via", "world", "feed")})

    def look(self, origin: str, override) -> np.ndarray:
        c, lo, hi, _ = self.inp.look.get(origin, (np.zeros(self.K), np.zeros(self.K), np.ones(self.K), ""))
        base = {"central": c, "low": lo, "high": hi}.get(self.c_scale, c) if isinstance(self.c_scale, str) else c
        out = _rows(base, self.n, self.K)
        if override is not None:
            out[:] = _as_col(override, self.n)[:, None]
        return out

    def restrict(self, v):
        inp, n = self.inp, self.n
        o = v["country"]
        k = self.idx.get(o)
        f = _as_col(v["fraction"], n)
        p_def = inp.enforcement.get(o, (0.0, 0.0, 1.0, ""))[0]
        p = _as_col(v["pass_through"] if v.get("pass_through") is not None else p_def, n)
        c = self.look(o, v.get("third_country_content"))
        others = np.ones(self.K, dtype=bool)
        if k is not None:
            others[k] = False
        if self.m is not None:
            others[self.m] = False
        s_o = self.s[:, k] if k is not None else np.zeros(n)
        via = (self.s * c * others).sum(axis=1)
        self.has_restriction = True
        bilateral = v.get("destination", "consumer") == "consumer" or v.get("market", "pooled") == "bilateral"
        q_o = self.q[:, k] if k is not None else np.zeros(n)
        left = self.flows_left(o)
        if bilateral:
            self.needs.add("imports")
            self.L_cons = self.L_cons + self.nir * f * (s_o * left["direct"] + p * via * left["via"])
            if k is not None:
                self.direct_lost = self.direct_lost + f * q_o * self.a[:, k]
            left["direct"] *= 1 - f
            left["via"] *= 1 - f * p
        else:
            self.needs.add("world")
            self.pool = True
            Q = self.q.sum(axis=1)
            feed = (c * self.q * others).sum(axis=1)
            lost = f * (q_o * left["world"] + p * feed * left["feed"])
            with np.errstate(divide="ignore", invalid="ignore"):
                sigma = np.where(Q > 0, lost / Q, np.nan)
            self.L_pool = self.L_pool + sigma
            self.world_lost = self.world_lost + lost
            self.direct_lost = self.direct_lost + lost
            left["world"] *= 1 - f
            left["feed"] *= 1 - f * p
        if k is not None:
            self.a[:, k] = self.a[:, k] * (1 - f)
            self.restricted[k] = True

    def deal(self, v):
        self.has_deal = True
        k = self.idx.get(v["partner"])
        n = self.n
        acc = _as_col(v.get("access", 1.0), n)
        e = _as_col(v.get("change", 0.0), n)
        qp = self.q[:, k] if k is not None else np.zeros(n)
        already = (self.s[:, k] * self.nir * self.C) if k is not None else np.zeros(n)
        already = np.where(np.isnan(already), 0.0, already) * (self.a0[:, k] if k is not None else 1.0)
        offered = np.minimum(acc * qp + e * qp, qp * (1 + e))  # never more than the partner's output x (1 + e)
        self.deal_full = self.deal_full + np.maximum(0.0, offered - already)
        self.deal_ramp = np.maximum(self.deal_ramp, _as_col(v.get("ramp_months", 12.0), n))
        if k is not None:
            self.a[:, k] = 1.0

    def supply_change(self, v):
        k = self.idx.get(v["country"])
        if k is None:
            return
        ch = _as_col(v["change"], self.n)
        vol = self.q[:, k] * self.a[:, k]
        Q = self.q.sum(axis=1)
        drop = np.maximum(0.0, -ch) * vol
        with np.errstate(divide="ignore", invalid="ignore"):
            self.L_pool = self.L_pool + np.where(Q > 0, drop / Q, 0.0)
        self.world_lost = self.world_lost + drop
        self.direct_lost = self.direct_lost + drop
        if (np.asarray(ch) < 0).any():
            self.pool = True
            self.has_restriction = True
        self.added = self.added + np.maximum(0.0, ch) * vol
        self.has_deal = self.has_deal or bool((np.asarray(ch) > 0).any())
        self.q[:, k] = self.q[:, k] * (1 + ch)

    def access(self, v):
        k = self.idx.get(v["country"])
        if k is None:
            return
        val = _as_col(v["value"], self.n)
        base = self.a0[:, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            drop = np.where(base > 0, np.maximum(0.0, 1 - val / base), 0.0)
        if (drop > 0).any():
            self.has_restriction = True
            self.needs.add("imports")
        left = self.flows_left(v["country"])
        self.L_cons = self.L_cons + self.nir * self.s[:, k] * drop * left["direct"]
        left["direct"] *= 1 - drop
        rise = np.maximum(0.0, val - base) * self.q[:, k]
        if (rise > 0).any():
            self.has_deal = True
        self.added = self.added + rise
        self.a[:, k] = val


def evaluate(
    inputs: MineralInputs,
    baseline_access: Mapping[str, float],
    shocks: Sequence[Mapping[str, Any]],
    horizon: int,
    n: int = 1,
    var: Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Evaluate ``n`` variants of one mineral. Shock numbers may be floats or length-n arrays;
    ``var`` may replace inputs per variant (``nir``, ``C``: length n; ``q``: n x K; ``c_mode``)."""
    e = _Engine(inputs, n, var or {}, baseline_access)
    for s in shocks:
        ms = s.get("minerals", "all")
        if ms != "all" and inputs.mineral not in ms:
            continue
        SHOCK_MODELS[s["type"]].effect(s, e)

    C = e.C
    # the consumer's own losses first; a pooled world loss falls on what it still gets
    L_c = np.minimum(1.0, e.L_cons)
    L = np.minimum(1.0, L_c + (1 - L_c) * np.nan_to_num(e.L_pool)) if e.has_restriction else np.zeros(n)
    if np.isnan(e.nir).any() and e.has_restriction:
        L = np.where(np.isnan(e.nir), np.nan, L)
    if e.pool and not inputs.has_supply:
        L = np.full(n, np.nan)
    L_vol = L * C
    # supply outside the restricting origins and the consumer, accessible to it
    outside_mask = ~e.restricted
    if e.m is not None:
        outside_mask = outside_mask.copy()
        outside_mask[e.m] = False
    outside = (e.q * e.a * outside_mask).sum(axis=1)
    cons_vol = np.where(e.L_cons > 0, e.L_cons * C, 0.0)
    need_world = np.where(e.pool, e.world_lost + cons_vol, L_vol)
    with np.errstate(divide="ignore", invalid="ignore"):
        replacement = np.where(outside > 0, need_world / outside, np.where(need_world > 0, np.inf, 0.0))
        # the consumer's part of the loss to be replaced (1 when only it bears the loss)
        world_need = cons_vol + e.world_lost
        part = np.where(world_need > 0, L_vol / world_need, 1.0)
    part = np.clip(np.nan_to_num(part, nan=1.0), 0, 1)

    H = int(horizon)
    months = np.arange(1, H + 1, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ramp_d = np.where(e.deal_ramp[:, None] > 0, np.minimum(1.0, months[None, :] / e.deal_ramp[:, None]), 1.0)
        ramp_s = np.where(e.spare_ramp[:, None] > 0, np.minimum(1.0, months[None, :] / e.spare_ramp[:, None]), 1.0)
        deal_vol = (e.deal_full + e.added)[:, None] * np.where(e.deal_full[:, None] > 0, ramp_d, 1.0)
        spare_vol = e.spare_r[:, None] * outside[:, None] * ramp_s * part[:, None]
        # shares of baseline consumption
        deal_sh = np.where(C[:, None] > 0, deal_vol / C[:, None], np.nan)
        spare_sh = np.where(C[:, None] > 0, spare_vol / C[:, None], np.nan)
    recyc = e.recyc[:, None]
    d = e.demand[:, None]
    loss_need = np.maximum(0.0, L[:, None] + np.minimum(0.0, d))
    deal_use = np.minimum(np.nan_to_num(deal_sh), loss_need)
    spare_use = np.minimum(np.nan_to_num(spare_sh), loss_need - deal_use)
    rec_use = np.minimum(recyc, loss_need - deal_use - spare_use)
    loss_gap = np.maximum(0.0, loss_need - deal_use - spare_use - rec_use)
    leftover = np.maximum(0.0, np.nan_to_num(deal_sh) + np.nan_to_num(spare_sh) + recyc - loss_need)
    demand_need = np.maximum(0.0, d) * np.ones_like(loss_gap)
    demand_gap = np.maximum(0.0, demand_need - leftover)
    gap = loss_gap + demand_gap
    stock = e.stock
    cum = np.cumsum(gap, axis=1)
    stock_left = np.maximum(0.0, stock[:, None] - cum)
    prev = np.concatenate([stock[:, None], stock_left[:, :-1]], axis=1)
    draw = np.minimum(gap, prev)
    unmet = gap - draw
    exhausted = (stock[:, None] > 0) & (stock_left <= 1e-12) & (gap > 1e-12)
    ex_month = np.where(exhausted.any(axis=1), exhausted.argmax(axis=1) + 1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        deal_offset = np.where(L_vol > 0, np.minimum(e.deal_full + e.added, L_vol) / L_vol, np.nan)
    return {
        "L": L,
        "loss_volume": L_vol,
        "shortfall": L,
        "shortfall_net": np.minimum(1.0, loss_gap[:, -1]),
        "demand_growth": np.maximum(0.0, e.demand),
        "demand_unmet": demand_gap[:, -1],
        "deal_volume": e.deal_full + e.added,
        "deal_offset_share": deal_offset,
        "replacement_multiple": replacement,
        "outside_supply": outside,
        "world_lost": e.world_lost,
        "stockpile_exhausted_month": ex_month,
        "unmet_month_equivalents": unmet.sum(axis=1),
        "gap": gap,
        "loss_gap": loss_gap,
        "demand_gap": demand_gap,
        "need": loss_need + demand_need,
        "deal_offset": deal_use,
        "spare_offset": spare_use,
        "recycling_offset": rec_use * np.ones_like(gap),
        "stock_left": stock_left,
        "draw": draw,
        "unmet": unmet,
        "supply_before": inputs.q * (inputs.access0 if inputs.access0 is not None else 1.0),
        "supply_after": e.q * e.a,
        "stock": stock,
        "has_deal": np.array([e.has_deal]),
        "has_restriction": np.array([e.has_restriction]),
        "pool": np.array([e.pool]),
        "needs": e.needs,
    }


# ----------------------------------------------------------------------------------------------
# Ranges: the corners of the data's uncertainty, evaluated at once


def _variants(inp: MineralInputs) -> tuple[dict[str, Any], list[str], list[str]]:
    """Per-variant inputs: central first, then one low and one high per source of uncertainty."""
    labels = ["central"]
    nir = [inp.nir]
    C = [inp.consumption]
    qs = [inp.q]
    cm = ["central"]

    def add(label, nir_v=None, c_v=None, q_v=None, c_mode="central"):
        labels.append(label)
        nir.append(inp.nir if nir_v is None else nir_v)
        C.append(inp.consumption if c_v is None else c_v)
        qs.append(inp.q if q_v is None else q_v)
        cm.append(c_mode)

    if math.isfinite(inp.nir_low) and math.isfinite(inp.nir_high):
        add("nir_low", nir_v=inp.nir_low)
        add("nir_high", nir_v=inp.nir_high)
    if math.isfinite(inp.consumption):
        h = _rounding_half_step(inp.consumption)
        add("consumption_low", c_v=inp.consumption - h)
        add("consumption_high", c_v=inp.consumption + h)
    if inp.q_low is not None:
        add("withheld_low", q_v=inp.q_low)
        add("withheld_high", q_v=inp.q_high)
    if inp.q_prev is not None:
        add("previous_edition", q_v=inp.q_prev)
    if inp.look:
        add("look_through_low", c_mode="low")
        add("look_through_high", c_mode="high")
    return {"nir": np.array(nir), "C": np.array(C), "q": np.vstack(qs)}, labels, cm


def _evaluate_variants(inp, access, shocks, horizon):
    var, labels, cmodes = _variants(inp)
    n = len(labels)
    # the look-through mode is per variant: evaluate the three modes' rows separately
    outs = {}
    for mode in dict.fromkeys(cmodes):
        rows = [i for i, m in enumerate(cmodes) if m == mode]
        sub = {"nir": var["nir"][rows], "C": var["C"][rows], "q": var["q"][rows], "c_mode": mode}
        outs[mode] = (rows, evaluate(inp, access, shocks, horizon, len(rows), sub))
    merged = {}
    central = outs["central"][1]
    for key, val in central.items():
        if isinstance(val, np.ndarray) and val.shape[:1] == (len(outs["central"][0]),):
            arr = np.empty((n, *val.shape[1:]), dtype=val.dtype)
            for rows, out in outs.values():
                arr[rows] = out[key]
            merged[key] = arr
        else:
            merged[key] = val
    return merged, labels


# ----------------------------------------------------------------------------------------------
# Running a scenario

HEADLINE = ("shortfall", "shortfall_net", "loss_volume", "deal_volume", "deal_offset_share", "replacement_multiple")


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
    supply: pd.DataFrame  # country, share_before, share_after, volume_before, volume_after, import_share
    sources: list[str] = field(default_factory=list)
    consumer: str = "USA"
    stage_reason: str = ""
    reasons: dict[str, str] = field(default_factory=dict)
    sentence: str = ""

    def to_dict(self, with_path: bool = True) -> dict:
        d = {
            "mineral": self.mineral,
            "consumer": self.consumer,
            "stage": self.stage,
            "stage_words": stage_words(self.stage, self.product),
            "stage_reason": self.stage_reason,
            "product": self.product,
            "year": self.year,
            "edition": self.edition,
            "unit": self.unit,
            **self.values,
            "reasons": self.reasons,
            "summary": self.sentence,
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


def _origins(sc: Scenario, mineral: str) -> list[str]:
    return [s.country for s in sc.shocks if s.type == "export_restriction" and s.applies_to(mineral)]


def _num(x) -> float | None:
    x = float(x)
    return None if (math.isnan(x) or math.isinf(x)) else x


def run_mineral(ds, sc: Scenario, mineral: str) -> MineralResult:
    b = sc.baseline
    base = load_baseline()
    inp = cached_inputs(ds, mineral, b.stage, b.year, b.edition, consumer=b.consumer, origins=_origins(sc, mineral), baseline=base)
    shocks = _shock_dicts(sc)
    out, labels = _evaluate_variants(inp, b.access, shocks, sc.horizon_months)
    name = ds.minerals.set_index("mineral")["name"].get(mineral, mineral)
    notes = list(inp.notes)
    reasons: dict[str, str] = {}
    has_deal = bool(out["has_deal"][0])
    has_restr = bool(out["has_restriction"][0])
    pool = bool(out["pool"][0])
    needs = out["needs"]

    vals: dict[str, Any] = {}

    def rng(key):
        arr = np.asarray(out[key], dtype="float64")
        c = _num(arr[0])
        finite = arr[np.isfinite(arr)]
        lo = _num(finite.min()) if finite.size else None
        hi = _num(finite.max()) if finite.size else None
        return c, lo, hi

    for key in HEADLINE:
        c, lo, hi = rng(key)
        vals[key] = c
        vals[f"{key}_low"] = lo if c is not None else None
        vals[f"{key}_high"] = hi if c is not None else None

    # reasons, never silent zeros
    C_ok = math.isfinite(inp.consumption)
    if not has_restr:
        for k in ("shortfall", "shortfall_net"):
            vals[k] = vals[f"{k}_low"] = vals[f"{k}_high"] = 0.0 if not (out["demand_growth"][0] > 0) else vals[k]
        reasons["loss_volume"] = "no restriction applies to this mineral: nothing is lost"
        vals["loss_volume"] = vals["loss_volume_low"] = vals["loss_volume_high"] = 0.0 if C_ok else None
    if "nir" in inp.reasons and has_restr and "imports" in needs:
        reasons["shortfall"] = inp.reasons["nir"]
    if "imports" in inp.reasons and has_restr and "imports" in needs:
        reasons["shortfall"] = inp.reasons["imports"]
    if pool and not inp.has_supply:
        reasons["shortfall"] = "not computable: " + inp.reasons.get("world", "no world supply")
    if reasons.get("shortfall"):
        for k in ("shortfall", "shortfall_net", "loss_volume", "replacement_multiple", "deal_offset_share"):
            vals[k] = vals[f"{k}_low"] = vals[f"{k}_high"] = None
    if not C_ok:
        why = "not computable: " + inp.reasons.get("consumption", "U.S. consumption not published")
        for k in ("loss_volume", "deal_offset_share"):
            if vals.get(k) is not None or k == "deal_offset_share":
                vals[k] = vals[f"{k}_low"] = vals[f"{k}_high"] = None
            reasons.setdefault(k, why)
        if has_restr and not pool:
            vals["replacement_multiple"] = vals["replacement_multiple_low"] = vals["replacement_multiple_high"] = None
            reasons["replacement_multiple"] = why
        if any(s.type in ("deal", "spare_capacity", "recycling") for s in sc.shocks if s.applies_to(mineral)):
            reasons["shortfall_net"] = why + " (the offsets are volumes: shown before offsets only)"
            if has_restr and reasons.get("shortfall") is None:
                vals["shortfall_net"] = vals["shortfall_net_low"] = vals["shortfall_net_high"] = None
    if not inp.has_supply:
        for k in ("replacement_multiple", "deal_volume"):
            if (k == "deal_volume" and has_deal) or (k == "replacement_multiple" and has_restr):
                vals[k] = vals[f"{k}_low"] = vals[f"{k}_high"] = None
                reasons[k] = "not computable: " + inp.reasons.get("world", "no world supply")
    if not has_deal:
        vals["deal_volume"] = vals["deal_volume_low"] = vals["deal_volume_high"] = None
        vals["deal_offset_share"] = vals["deal_offset_share_low"] = vals["deal_offset_share_high"] = None
        reasons["deal_volume"] = "no deal in this scenario for this mineral"
        reasons["deal_offset_share"] = "no deal in this scenario for this mineral"
    else:
        if vals.get("deal_volume") == 0.0:
            partner = next((s.partner for s in sc.shocks if s.type == "deal" and s.applies_to(mineral)), None)
            if partner is not None:
                k = inp.idx(partner)
                q_p = inp.q[k] if k is not None else 0.0
                if q_p <= 0:
                    reasons["deal_volume"] = (
                        f"the deal adds nothing: {countries.name(partner)} has no {stage_words(inp.stage, inp.product)} of {name.lower()} "
                        f"in {edition_label(inp.edition)} {inp.year}"
                    )
                else:
                    reasons["deal_volume"] = f"the deal adds nothing beyond what {countries.name(partner)} already sells the consumer"
        if not (out["L"][0] > 0):
            vals["deal_offset_share"] = vals["deal_offset_share_low"] = vals["deal_offset_share_high"] = None
            reasons["deal_offset_share"] = "no loss to offset"
    if has_restr and vals.get("replacement_multiple") is None and "replacement_multiple" not in reasons:
        reasons["replacement_multiple"] = (
            "no accessible supply outside the restricting countries and the consumer: the loss cannot be replaced"
        )
    if not has_restr:
        vals["replacement_multiple"] = vals["replacement_multiple_low"] = vals["replacement_multiple_high"] = None
        reasons["replacement_multiple"] = "no loss to replace"

    consumption = inp.consumption if C_ok else None
    ex = int(out["stockpile_exhausted_month"][0])
    stock = float(out["stock"][0])
    vals.update(
        {
            "consumption": consumption,
            "consumption_basis": inp.consumption_basis,
            "consumption_detail": inp.consumption_detail,
            "net_imports": (inp.nir * inp.consumption) if (C_ok and math.isfinite(inp.nir)) else None,
            "nir": _clean(inp.nir),
            "nir_flag": inp.nir_flag,
            "world_supply": float(inp.q.sum()) if inp.has_supply else None,
            "world_loss_volume": _num(out["world_lost"][0]) if pool and inp.has_supply else None,
            "outside_supply": _num(out["outside_supply"][0]) if inp.has_supply else None,
            "demand_growth": _num(out["demand_growth"][0]),
            "demand_unmet": _num(out["demand_unmet"][0]) if C_ok or not has_deal else None,
            "demand_unmet_volume": (_num(out["demand_unmet"][0]) * inp.consumption)
            if C_ok and _num(out["demand_unmet"][0]) is not None
            else None,
            "stockpile_months": stock,
            "stockpile_exhausted_month": None,
            "unmet_month_equivalents": _num(out["unmet_month_equivalents"][0]),
            "market": "pooled" if pool else ("bilateral" if has_restr else None),
            "ranges_from": [lab for lab in labels[1:]],
        }
    )
    if vals.get("shortfall_net") is None and vals.get("shortfall") is not None and "shortfall_net" in reasons:
        vals["unmet_month_equivalents"] = None
        ex = 0
        reasons["unmet_month_equivalents"] = reasons["shortfall_net"]
    if vals.get("shortfall_net") is None and "shortfall_net" in reasons:
        reasons["stockpile_exhausted_month"] = reasons["shortfall_net"]
    elif stock <= 0:
        reasons["stockpile_exhausted_month"] = "no stocks held in this scenario"
    elif not ex:
        reasons["stockpile_exhausted_month"] = f"stocks last the whole {sc.horizon_months}-month horizon"
    vals["stockpile_exhausted_month"] = ex or None
    if vals["demand_growth"]:
        notes.append(
            f"demand growth of {vals['demand_growth']:.0%} is reported as its own line: {_pct_or(vals['demand_unmet'])} of baseline consumption unmet after offsets"
        )
    if inp.q_prev is not None:
        c0, pe = out["shortfall_net"][0], out["shortfall_net"][labels.index("previous_edition")]
        d0 = out["deal_offset_share"][0]
        d1 = out["deal_offset_share"][labels.index("previous_edition")]
        moved = max(abs(np.nan_to_num(pe - c0)), abs(np.nan_to_num(d1 - d0)) if has_deal else 0.0)
        if moved > 0.10:
            notes.append(
                f"an edition change moves this result by {moved:.0%} points: {inp.prev_note}. The range includes the {edition_label(PREVIOUS_EDITION)} shares"
            )
        else:
            notes.append(
                f"editions differ by more than 5 points ({inp.prev_note}); the range includes the {edition_label(PREVIOUS_EDITION)} shares"
            )
    for o, (_c, _lo, _hi, note) in inp.look.items():
        if any(
            s.type == "export_restriction" and s.country == o and s.applies_to(mineral) and s.third_country_content is None
            for s in sc.shocks
        ):
            notes.append(f"{countries.name(o)}-origin content of third-country supply: {note}")
    for o, (pv, plo, phi, pnote) in inp.enforcement.items():
        if any(s.type == "export_restriction" and s.country == o and s.applies_to(mineral) and s.pass_through is None for s in sc.shocks):
            notes.append(f"enforcement on re-exports (p) {pv:.0%} from the baseline ({plo:.0%}-{phi:.0%}): {pnote}")
    if pool:
        notes.append("restriction to all destinations in a pooled market: every buyer loses the same share of its consumption")
    notes.append(f"stage: {stage_words(inp.stage, inp.product)} ({edition_label(inp.edition)}, {inp.year} data); {inp.stage_reason}")

    top = None
    sa = out["supply_after"][0]
    if inp.has_supply:
        order = [i for i in np.argsort(-sa) if inp.countries[i] not in (countries.OTHER, inp.consumer)]
        top = inp.countries[order[0]] if order and sa[order[0]] > 0 else None
    vals["top_supplier_after"] = top
    vol_before = out["supply_before"]
    tot0, tot1 = vol_before.sum(), sa.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        vals["accessible_supply_lost"] = (
            _num(1 - tot1 / tot0) if (inp.has_supply and tot0 > 0 and has_restr) else (None if has_restr else 0.0)
        )
        named = np.array([countries.is_country(c) for c in inp.countries])
        sh0 = np.where(named, vol_before / tot0, 0) if tot0 > 0 else np.zeros_like(vol_before)
        sh1 = np.where(named, sa / tot1, 0) if tot1 > 0 else np.zeros_like(sa)
    if vals["accessible_supply_lost"] is None:
        reasons.setdefault("accessible_supply_lost", "not computable: " + inp.reasons.get("world", "no world supply within reach"))
    vals["hhi_before"] = float(((100 * sh0) ** 2).sum()) if inp.has_supply else None
    vals["hhi_after"] = float(((100 * sh1) ** 2).sum()) if (inp.has_supply and tot1 > 0) else None
    if vals["hhi_after"] is not None and vals["hhi_before"] is not None and vals["hhi_after"] < vals["hhi_before"] - 1 and has_restr:
        notes.append(
            "the HHI of the supply still within reach is lower after the shock because the largest supplier is cut off: less supply, not more secure supply"
        )
    tp = pd.DataFrame(
        {
            "month": np.arange(1, sc.horizon_months + 1),
            "shortfall_before_offsets": out["need"][0] * np.ones(sc.horizon_months),
            "deal_offset": out["deal_offset"][0],
            "spare_capacity_offset": out["spare_offset"][0],
            "recycling_offset": out["recycling_offset"][0],
            "gap": out["gap"][0],
            "demand_gap": out["demand_gap"][0],
            "gap_low": out["gap"].min(axis=0),
            "gap_high": out["gap"].max(axis=0),
            "stockpile_draw": out["draw"][0],
            "stockpile_left_months": out["stock_left"][0],
            "unmet": out["unmet"][0],
        }
    )
    if vals["shortfall"] is None:
        tp.loc[:, tp.columns != "month"] = np.nan
    supply = pd.DataFrame(
        {
            "country": inp.countries,
            "volume_before": vol_before,
            "volume_after": sa,
            "share_before": vol_before / tot0 if tot0 > 0 else np.nan,
            "share_after": sa / tot1 if tot1 > 0 else np.nan,
            "import_share": inp.import_share,
        }
    )
    srcs = list(dict.fromkeys([*inp.sources, *sc.sources]))
    computable = inp.has_supply and math.isfinite(inp.nir)
    res = MineralResult(
        mineral,
        name,
        inp.stage,
        inp.product,
        inp.year,
        inp.edition,
        inp.unit,
        computable,
        notes,
        vals,
        tp,
        supply,
        srcs,
        consumer=inp.consumer,
        stage_reason=inp.stage_reason,
        reasons=reasons,
    )
    res.values["notes_count"] = len(notes)
    res.sentence = summary_sentence(res)
    return res


def run_scenario(ds, sc: Scenario) -> list[MineralResult]:
    """Run every mineral of the scenario's baseline."""
    return [run_mineral(ds, sc, m) for m in sc.baseline.minerals]


def results_frame(results: Sequence[MineralResult]) -> pd.DataFrame:
    return pd.DataFrame([r.to_dict(with_path=False) for r in results])


# ----------------------------------------------------------------------------------------------
# Words: ranges as "between X and Y", one sentence per result


def _pct_or(x, digits: int = 0) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def _round_sig(x: float) -> float:
    if not x:
        return 0.0
    return round(x, 1 - math.floor(math.log10(abs(x))))


def fmt_volume(x: float | None, unit: str) -> str:
    if x is None:
        return "n/a"
    return f"{_round_sig(x):,.0f} {unit}".strip()


def fmt_range(c, lo, hi, kind: str = "percent", unit: str = "") -> str:
    """``18% (12–25%)`` for a headline: the central value and its range (just the value if they agree)."""
    if c is None:
        return "n/a"
    f = (
        (lambda v: f"{100 * v:.0f}%")
        if kind == "percent"
        else ((lambda v: f"{v:,.2f}×") if kind == "multiple" else (lambda v: fmt_volume(v, unit)))
    )
    if lo is None or hi is None or f(lo) == f(hi):
        return f(c)
    if kind == "percent":
        return f"{f(c)} ({100 * lo:.0f}–{100 * hi:.0f}%)"
    if kind == "multiple":
        return f"{f(c)} ({lo:,.2f}–{hi:,.2f})"
    # volumes: the range with the unit once, so that a headline fits its box ("12,000–13,000 t");
    # the central value is in the sentence below it ("about 12,000 t a year")
    return f"{_round_sig(lo):,.0f}–{_round_sig(hi):,.0f} {unit}".strip()


def between(lo, hi, kind: str = "percent", unit: str = "") -> str:
    """``between 12% and 25%`` (or the single value where the range is one number)."""
    f = (lambda v: f"{100 * v:.0f}%") if kind == "percent" else (lambda v: fmt_volume(v, unit))
    if lo is None or hi is None:
        return "n/a"
    return f(lo) if f(lo) == f(hi) else f"between {f(lo)} and {f(hi)}"


def summary_sentence(r: MineralResult) -> str:
    """One sentence in words with units: "The U.S. would lose 18% of its gallium consumption, about 3,400 kg a year; ..."."""
    v = r.values
    who = "The U.S." if r.consumer == "USA" else countries.name(r.consumer) if countries.is_valid(r.consumer) else r.consumer
    m = r.name.lower()
    if v.get("shortfall") is None:
        return f"{who}: the {m} shortfall is {r.reasons.get('shortfall', 'not computable')}."
    if not v["shortfall"]:
        s = f"{who} loses no {m} supply in this scenario"
        if v.get("deal_volume"):
            s += f"; the deal would add about {fmt_volume(v['deal_volume'], r.unit)} a year (no loss to offset)"
        return s + "."
    s = f"{who} would lose {_pct_or(v['shortfall'])} of its {m} consumption"
    if v.get("loss_volume") is not None:
        s += f", about {fmt_volume(v['loss_volume'], r.unit)} a year"
    lo, hi = v.get("shortfall_low"), v.get("shortfall_high")
    if lo is not None and hi is not None and round(lo, 2) != round(hi, 2):
        s += f" ({between(lo, hi)} with the data's uncertainty)"
    if v.get("deal_offset_share"):
        s += f"; the deal would replace {_pct_or(v['deal_offset_share'])} of it"
    elif v.get("deal_offset_share") == 0.0:
        s += "; the deal adds nothing here"
    if v.get("shortfall_net") is not None:
        nlo, nhi = v.get("shortfall_net_low"), v.get("shortfall_net_high")
        if nlo is not None and nhi is not None and round(nlo, 2) != round(nhi, 2):
            s += f"; after offsets {between(nlo, nhi)} stays unmet"
        else:
            s += f"; after offsets {_pct_or(v['shortfall_net'])} stays unmet"
    return s + "."


# ----------------------------------------------------------------------------------------------
# Sweeps and Monte Carlo

SWEEP_OUTPUTS = (
    "shortfall",
    "shortfall_net",
    "loss_volume",
    "deal_offset_share",
    "replacement_multiple",
    "unmet_month_equivalents",
    "demand_unmet",
)


def _grid_shocks(sc: Scenario, grid: Mapping[str, Sequence[float] | np.ndarray], mode: str) -> tuple[dict, list[dict], int]:
    params = {p.path: p for p in parameters(sc)}
    arrays = {}
    for path, vals in grid.items():
        if path == "horizon_months":
            raise ScenarioError("sweep: the horizon cannot be swept")
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
        if len(lengths) > 1:
            raise ScenarioError("sweep: with mode='zip' every parameter needs the same number of values")
        cols = arrays
    else:
        raise ScenarioError("sweep: mode is 'grid' or 'zip'")
    n = len(next(iter(cols.values()))) if cols else 1
    shocks = copy.deepcopy(_shock_dicts(sc))
    for path, arr in cols.items():
        _, i, fld = path.split(".")
        shocks[int(i)][fld] = arr
    return cols, shocks, n


def _inputs_for(ds, sc: Scenario, mineral: str) -> MineralInputs:
    b = sc.baseline
    return cached_inputs(
        ds, mineral, b.stage, b.year, b.edition, consumer=b.consumer, origins=_origins(sc, mineral), baseline=load_baseline()
    )


def sweep(
    ds, sc: Scenario, mineral: str, grid: Mapping[str, Sequence[float] | np.ndarray], *, mode: str = "grid", inputs=None
) -> pd.DataFrame:
    """Evaluate many variants of ``sc`` for one mineral at once (central data).

    ``grid`` maps parameter paths (``shocks.0.fraction``) to values. With ``mode="grid"`` every
    combination is evaluated (a full factorial); with ``mode="zip"`` the arrays are taken
    element by element (random draws). Values are validated against the sliders' ranges.
    """
    cols, shocks, n = _grid_shocks(sc, grid, mode)
    inp = inputs or _inputs_for(ds, sc, mineral)
    out = evaluate(inp, sc.baseline.access, shocks, sc.horizon_months, n)
    df = pd.DataFrame(cols)
    for k in SWEEP_OUTPUTS:
        df[k] = out[k]
    df["stockpile_exhausted_month"] = out["stockpile_exhausted_month"]
    return df


def monte_carlo(ds, sc: Scenario, mineral: str, n: int = 10_000, *, seed: int = 0, uncertain=None, inputs=None) -> dict:
    """Draw the parameters marked uncertain (``sc.uncertain`` or ``uncertain``: path -> (low, high),
    uniform) ``n`` times and evaluate them at once. Returns the draws' outputs and the p10/p50/p90
    bands of the monthly gap (shares of baseline consumption)."""
    unc = dict(uncertain if uncertain is not None else sc.uncertain)
    if not unc:
        raise ScenarioError("monte_carlo: no parameter is marked uncertain")
    rng = np.random.default_rng(seed)
    grid = {p: rng.uniform(lo, hi, n) for p, (lo, hi) in unc.items()}
    cols, shocks, n = _grid_shocks(sc, grid, "zip")
    inp = inputs or _inputs_for(ds, sc, mineral)
    out = evaluate(inp, sc.baseline.access, shocks, sc.horizon_months, n)
    gap = out["gap"]
    pct_fn = np.percentile if np.isfinite(gap).all() else np.nanpercentile  # nanpercentile is several times slower
    q = pct_fn(gap, [10, 50, 90], axis=0) if n > 1 else np.repeat(gap, 3, axis=0)
    bands = pd.DataFrame({"month": np.arange(1, sc.horizon_months + 1), "gap_p10": q[0], "gap_p50": q[1], "gap_p90": q[2]})
    summary = {
        k: tuple(float(x) for x in np.nanpercentile(out[k], [10, 50, 90]))
        for k in ("shortfall", "shortfall_net")
        if np.isfinite(out[k]).any()
    }
    return {"draws": pd.DataFrame(cols).assign(**{k: out[k] for k in SWEEP_OUTPUTS}), "bands": bands, "summary": summary}


# ----------------------------------------------------------------------------------------------
# A scenario from the export controls in force on a date (data/events.yaml)


def _some(names: Mapping[str, str], slugs: Sequence[str], n: int = 5) -> str:
    words = [names.get(m, m) for m in slugs]
    return ", ".join(words[:n]) + (f" and {len(words) - n} more" if len(words) > n else "")


def scenario_from_events(ds, events, date, *, consumer: str = "USA") -> Scenario:
    """ "Controls in force on DATE": one export restriction per (origin, destination, fraction)
    from :func:`risk.events.restrictions_on`, on the same baseline as the named scenarios.

    A licence is a partial restriction with the default fraction of data/events.yaml (a stated
    assumption, range 0-1, so the slider can move it); a ban is 1; a quota the quota against the
    last exports where the data has them. Rules aimed at military end users only (fraction 0)
    and measures on technology or equipment are left out and listed in the description.
    Restrictions to the United States apply when the consumer is the United States.
    """
    import datetime as dt

    from .events import restrictions_on

    day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    r = restrictions_on(events, day, ds.figures)
    known = set(ds.minerals["mineral"])
    names_of = ds.minerals.set_index("mineral")["name"].to_dict()
    r = r[r["mineral"].isin(known)]
    to_consumer = r["destination"] == consumer
    skipped = r[(r["fraction"].fillna(0) <= 0) | ~(to_consumer | (r["destination"] == "all"))]
    r = r.drop(skipped.index)
    shocks: list[dict] = []
    minerals: list[str] = []
    sources: list[str] = []
    refs: list[str] = []
    r = r.assign(coverage=r["coverage"].fillna(1.0))
    for (origin, dest, frac, kind, cov), g in r.groupby(["origin", "destination", "fraction", "kind", "coverage"], sort=True):
        ms = list(dict.fromkeys(g["mineral"]))
        minerals += ms
        names = ", ".join(dict.fromkeys(str(e) for e in g["event"]))
        part = f", on about {cov:.0%} of the flow" if cov < 1 else ""
        shocks.append(
            {
                "type": "export_restriction",
                "label": f"{countries.name(origin)}: {kind} {'to the U.S.' if dest != 'all' else 'to all destinations'}{part} ({_some(names_of, ms)})",
                "country": origin,
                "minerals": ms,
                "fraction": float(frac),
                "destination": "consumer" if dest != "all" else "all",
            }
        )
        if cov < 1:
            lo, hi = g["fraction_low"].iloc[0], g["fraction_high"].iloc[0]
            refs.append(
                f"{names}: {kind} on part of the flow, fraction {frac:.3g} ({lo:.2g} to {hi:.2g}): the measure's items are about "
                f"{cov:.0%} of U.S. imports of the aggregate by volume (USGS MCS 2026; see the measure's coverage in data/events.yaml)"
            )
        else:
            refs.append(f"{names}: {kind}, fraction {frac:g} ({g['basis'].iloc[0]}: {g['note'].iloc[0]})"[:500])
        sources += [s for v in g["sources"] for s in str(v).split(";") if s]
    minerals = list(dict.fromkeys(minerals)) or ["gallium"]
    by_id = {ev.id: ev for ev in events.events}
    left_out = sorted(
        {f"{countries.name(by_id[e].country)}, {by_id[e].number or by_id[e].title}" for e in set(skipped["event"]) if e in by_id}
    )
    description = (
        f"The export controls in force on {day.isoformat()} in data/events.yaml, on the common baseline: "
        f"{len(shocks)} restrictions on {len(minerals)} minerals. Licences are partial restrictions at the default fraction "
        "of the events data (an assumption; move the sliders), bans are full."
        + (f" Left out (military end users only, or not for this consumer): {', '.join(left_out)}." if left_out else "")
    )
    doc = {
        "id": "controls_in_force",
        "name": f"Controls in force on {day.isoformat()}",
        "description": description,
        "sources": [s for s in dict.fromkeys(sources) if s in ds.sources][:40],
        "references": refs[:40],
        "baseline": {"minerals": minerals, "consumer": consumer},
        "shocks": shocks,
    }
    return parse_scenario(doc, where=f"controls in force on {day.isoformat()}")
