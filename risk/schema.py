"""Pydantic models for every record in ``data/``: sources, figures, series, claims, WGI.

The YAML files are validated through these models; the tidy DataFrames in
:mod:`risk.dataset` are built from validated records only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from . import countries
from .vocab import STAGE_IDS

#: Value kinds. ``none`` is a plain published number.
Flag = Literal[
    "none",
    "estimated",  # USGS "Estimated." (or an "EST" column)
    "withheld",  # "W": company proprietary data
    "not_available",  # "NA" or a blank cell
    "lower_bound",  # ">95", ">85,000,000": the value is the bound
    "upper_bound",  # "<1", "<200,000": the value is the bound
    "range",  # "10,000 - 15,000": the value is the midpoint, the range is in `raw`
    "net_exporter",  # "E" on a net-import-reliance row: reliance 0
    "small",  # "s": small, under half the unit
    "qualitative",  # "Large", "Moderate" ...: no number
    "not_calculable",  # "XX": world total cannot be calculated
    "projection",  # IEA base-case projection (never mixed with observed years)
]

#: Flags whose value is missing by definition.
NO_VALUE_FLAGS = frozenset({"withheld", "not_available", "qualitative", "not_calculable"})

#: Stages of supply. USGS words are kept where it uses them.
Stage = Literal[STAGE_IDS]  # risk/vocab.py

#: Units as stored (short forms of the publisher's words; see risk.importers.usgs_mcs.UNITS).
Unit = Literal[
    "t",
    "kt",
    "Mt",
    "kg",
    "kt (dry)",
    "million carats",
    "thousand carats",
    "million m3",
    "million litres",
    "percent",
]

Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=60)]
EditionId = Annotated[str, Field(pattern=r"^[a-z]+[0-9]{4}$")]
SourceId = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, str_strip_whitespace=False)


class Source(_Strict):
    """Where figures come from (the owid/etl ``origin``)."""

    id: SourceId
    short: str = Field(min_length=2, max_length=80)  # the name a source line uses: "USGS Mineral Commodity Summaries 2026"
    publisher: str
    title: str
    edition: str
    year: int
    doi: str | None = None
    url: str
    licence: str
    accessed: dt.date
    citation: str
    files: list[str] = []
    notes: str | None = None

    @field_validator("doi")
    @classmethod
    def _doi(cls, v):
        if v is not None and not re.match(r"^10\.\d{4,}/\S+$", v):
            raise ValueError("a DOI looks like 10.5066/P1WKQ63T")
        return v


class Figure(_Strict):
    """One published number: a country's value for a year."""

    country: Iso3
    year: int = Field(ge=1900, le=2100)
    value: float | None
    flag: Flag = "none"
    raw: str | None = None  # the text as published, where it was not a plain number
    label: str | None = None  # the publisher's country label, where it differs from the ISO name
    note: str | None = None

    @field_validator("country")
    @classmethod
    def _known_country(cls, v):
        if not countries.is_valid(v):
            raise ValueError(f"unknown country code {v!r} (use ISO 3166-1 alpha-3, OTH or WLD)")
        return v

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v):
        if v is not None and v < 0:
            raise ValueError(f"negative value {v}; production, reserves and shares are never negative")
        return v

    @model_validator(mode="after")
    def _value_matches_flag(self):
        if self.value is None and self.flag not in NO_VALUE_FLAGS:
            raise ValueError(f"value is missing but flag is {self.flag!r}; use withheld, not_available, qualitative or not_calculable")
        if self.value is not None and self.flag in NO_VALUE_FLAGS:
            raise ValueError(f"flag {self.flag!r} means no value, but value is {self.value}")
        return self


class Series(_Strict):
    """Country figures for one stage (and product) of one mineral, across years."""

    stage: Stage
    product: Slug | Literal[""] = ""
    detail: str  # the publisher's wording of what is measured
    unit: Unit
    basis: str | None = None  # "rare-earth-oxide (REO) equivalent", "cobalt content" ...
    note: str | None = None
    figures: list[Figure]

    @model_validator(mode="after")
    def _no_duplicates(self):
        seen: dict[tuple[str, int], int] = {}
        for i, f in enumerate(self.figures):
            key = (f.country, f.year)
            if key in seen:
                raise ValueError(f"duplicate figure for {f.country} {f.year} (records {seen[key]} and {i})")
            seen[key] = i
        return self


Measure = Literal["net_import_reliance", "import_sources"]


class UsSeries(_Strict):
    """U.S. trade figures: net import reliance (percent of apparent consumption) or import-source shares."""

    measure: Measure
    detail: str
    unit: Literal["percent"] = "percent"
    primary: bool = False  # the series used for the mineral's headline numbers
    period: str | None = None  # "2021–2024" for import sources
    note: str | None = None
    figures: list[Figure]

    @model_validator(mode="after")
    def _checks(self):
        seen = set()
        for f in self.figures:
            if (f.country, f.year) in seen:
                raise ValueError(f"duplicate figure for {f.country} {f.year}")
            seen.add((f.country, f.year))
            if f.value is not None and f.value > 100:
                raise ValueError(f"{f.country} {f.year}: {f.value}% is over 100%")
        if self.measure == "import_sources":
            total = sum(f.value or 0 for f in self.figures)
            if total > 110:
                raise ValueError(f"import shares add up to {total:g}%, over 100%")
        return self


SalientMeasure = Literal["production", "consumption", "imports", "exports", "stocks", "price"]


class SalientSeries(_Strict):
    """A row of a chapter's "Salient Statistics—United States" table, across years.

    ``detail`` is USGS's series name ("Consumption, reported", "Price, metal, average, dollars
    per pound"); ``unit`` is a stored unit for quantities (``t``, ``kg``) and USGS's words for
    prices and values (``dollars per kilogram``, ``million dollars``); ``basis`` says which
    consumption it is (apparent, reported or estimated). Exactly one consumption series per
    mineral is ``primary``: the one the headline net import reliance is a percentage of.
    """

    measure: SalientMeasure
    detail: str = Field(min_length=1, max_length=300)
    basis: Literal["apparent", "reported", "estimated"] | None = None
    unit: str = Field(max_length=60)
    primary: bool = False
    note: str | None = None
    figures: list[Figure]

    @model_validator(mode="after")
    def _checks(self):
        years = [f.year for f in self.figures]
        if len(years) != len(set(years)):
            raise ValueError(f"{self.detail}: two figures for one year")
        if self.primary and self.measure != "consumption":
            raise ValueError("only a consumption series can be primary")
        return self


class MineralFile(_Strict):
    """One file under data/: one mineral (commodity) in one edition of one source."""

    mineral: Slug
    name: str
    edition: EditionId
    source: SourceId
    chapter: str | None = None
    critical_2025: bool | None = None  # on the USGS 2025 critical minerals list
    notes: str | None = None
    world: list[Series] = []
    us: list[UsSeries] = []
    salient: list[SalientSeries] = []

    @model_validator(mode="after")
    def _unique_series(self):
        seen = set()
        for s in self.world:
            key = (s.stage, s.product)
            if key in seen:
                raise ValueError(f"two series with stage {s.stage!r} and product {s.product!r}")
            seen.add(key)
        return self


class ClaimTarget(_Strict):
    mineral: Slug
    stage: Stage | None = None
    country: Iso3 | None = None
    measure: Literal["share", "rank", "export_restriction", "offer_share"]


class Claim(_Strict):
    """A figure quoted in the press: checked against the tables, never merged into them."""

    id: Slug
    quote: str
    number: float | None = None
    unit: Literal["fraction", "rank", "none"] = "none"
    refers_to: list[ClaimTarget]
    interpretation: str
    source: SourceId


class ClaimsFile(_Strict):
    claims: list[Claim]


class SourcesFile(_Strict):
    sources: list[Source]


class CriticalListEntry(_Strict):
    name: str
    mineral: Slug  # the slug of the data series that covers it (a rare earth -> rare_earths)
    applications: str | None = None
    note: str | None = None


class CriticalListsFile(_Strict):
    source: SourceId
    list_2022: list[CriticalListEntry]


class WgiFile(_Strict):
    """World Bank WGI estimates: for each country and year, the six estimates in ``indicators`` order."""

    source: SourceId
    indicators: list[Literal["CC", "GE", "PV", "RQ", "RL", "VA"]]
    years: list[int]
    countries: dict[str, dict[int, list[float | None]]]

    @model_validator(mode="after")
    def _shape(self):
        for code, by_year in self.countries.items():
            if not countries.is_valid(code):
                raise ValueError(f"unknown country code {code!r}")
            for year, values in by_year.items():
                if len(values) != len(self.indicators):
                    raise ValueError(f"{code} {year}: {len(values)} values for {len(self.indicators)} indicators")
                for v in values:
                    if v is not None and not -3.5 <= v <= 3.5:
                        raise ValueError(f"{code} {year}: estimate {v} is outside the WGI range (about -2.5 to 2.5)")
        return self


class Correction(_Strict):
    """A fix to one published figure, applied by the importer, with the reason kept."""

    edition: EditionId
    mineral: Slug
    stage: Stage
    product: Slug | Literal[""] = ""
    country: Iso3
    year: int
    published: float | None
    corrected: float | None
    reason: str


class CorrectedFigures(_Strict):
    """Where a derived correction changes the published value: one series, some years."""

    mineral: Slug
    stage: Stage
    product: Slug | Literal[""] = ""
    years: list[int] = Field(min_length=1)


class DerivedCorrection(_Strict):
    """A rule for one country's figure in every series of an edition: the value is derived from the
    series' other figures instead of taken as published.

    ``world_minus_countries``: the world total (WLD) of that series and year minus every other
    country row. ``changes`` lists every figure where the result differs from the published value;
    the importer refuses the correction when the source no longer differs exactly there.
    """

    edition: EditionId
    country: Iso3
    derive: Literal["world_minus_countries"]
    changes: list[CorrectedFigures] = Field(min_length=1)
    note: str  # written into the note of every figure the rule sets
    reason: str


def _correction_kind(v) -> str:
    derived = (isinstance(v, dict) and "derive" in v) or isinstance(v, DerivedCorrection)
    return "derived" if derived else "figure"


class CorrectionsFile(_Strict):
    corrections: list[
        Annotated[
            Annotated[Correction, Tag("figure")] | Annotated[DerivedCorrection, Tag("derived")],
            Discriminator(_correction_kind),
        ]
    ]
