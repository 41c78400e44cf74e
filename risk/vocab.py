"""The project's words, once: stages, editions, HHI band sets, and how bounded values read.

Every page, chart, export and CLI command takes its stage words, edition labels, band
thresholds and value formats from here; nothing else defines them. Field metadata (labels,
units, formats, descriptions of columns) lives in :mod:`risk.fields`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# ----------------------------------------------------------------------------------------------
# Stages


@dataclass(frozen=True)
class Stage:
    id: str
    words: str  # "refinery production": reads inside a sentence
    kind: str  # production | capacity | reserves


#: Ordered: the display order everywhere (mine before refinery ..., capacity and reserves last).
STAGES: tuple[Stage, ...] = (
    Stage("mine", "mine production", "production"),
    Stage("primary", "primary production", "production"),
    Stage("refinery", "refinery production", "production"),
    Stage("smelter", "smelter production", "production"),
    Stage("plant", "plant production", "production"),
    Stage("production", "production", "production"),
    Stage("capacity", "capacity", "capacity"),
    Stage("reserves", "reserves", "reserves"),
)
STAGE_IDS: tuple[str, ...] = tuple(s.id for s in STAGES)
STAGE_ORDER: dict[str, int] = {s.id: i for i, s in enumerate(STAGES)}
#: Stages that measure output (a scenario's supply, a headline's "main stage").
PRODUCTION_STAGES: tuple[str, ...] = tuple(s.id for s in STAGES if s.kind == "production")
#: Stages that are not output: left out of headline numbers and scenarios.
NON_PRODUCTION_STAGES: tuple[str, ...] = tuple(s.id for s in STAGES if s.kind != "production")
_STAGE_WORDS = {s.id: s.words for s in STAGES}


def stage_words(stage: str, product: str = "") -> str:
    """``refinery production (battery grade)``: a stage and product as they read in a sentence."""
    words = _STAGE_WORDS.get(stage, stage.replace("_", " "))
    if product:
        words = f"{words} ({product_words(product)})"
    return words


#: Product slugs whose words are not the slug with spaces.
_PRODUCT_WORDS = {"magnet_ree": "magnet rare earths", "battery_grade": "battery grade"}


def product_words(product: str) -> str:
    return _PRODUCT_WORDS.get(product, product.replace("_", " "))


# ----------------------------------------------------------------------------------------------
# Editions


@dataclass(frozen=True)
class Edition:
    id: str  # mcs2026: the `edition` column of the figures
    folder: str  # usgs/mcs2026: under data/
    label: str  # USGS MCS 2026: short, for tables and legends
    title: str  # USGS Mineral Commodity Summaries 2026: for sentences
    source: str  # id in data/sources.yaml
    aliases: tuple[str, ...] = ()  # what a user may type (--edition 2026)


EDITIONS: dict[str, Edition] = {
    e.id: e
    for e in (
        Edition("mcs2026", "usgs/mcs2026", "USGS MCS 2026", "USGS Mineral Commodity Summaries 2026", "usgs_mcs2026", ("2026",)),
        Edition("mcs2025", "usgs/mcs2025", "USGS MCS 2025", "USGS Mineral Commodity Summaries 2025", "usgs_mcs2025", ("2025",)),
        Edition("iea2025", "iea/iea2025", "IEA 2025", "IEA Critical Minerals Dataset (May 2025)", "iea_cmd_2025", ("iea",)),
    )
}
#: The edition headline numbers use.
CURRENT_EDITION = "mcs2026"
#: The edition before it, to show revisions.
PREVIOUS_EDITION = "mcs2025"
#: USGS world tables, newest first.
USGS_EDITIONS: tuple[str, ...] = ("mcs2026", "mcs2025")


def edition(text: str | None) -> str | None:
    """An edition id from what a user typed (``2026``, ``mcs2026``, ``iea``); ``None`` stays ``None``."""
    if text is None:
        return None
    t = str(text).strip().lower()
    for e in EDITIONS.values():
        if t == e.id or t in e.aliases:
            return e.id
    choices = ", ".join(f"{e.aliases[0]} ({e.label})" for e in EDITIONS.values())
    raise ValueError(f"unknown edition {text!r}; use {choices}")


def edition_label(edition_id: str) -> str:
    e = EDITIONS.get(edition_id)
    return e.label if e else edition_id


# ----------------------------------------------------------------------------------------------
# HHI bands


@dataclass(frozen=True)
class BandSet:
    id: str
    lower: float  # at or above: moderately concentrated
    upper: float  # above: highly concentrated
    name: str  # "DOJ/FTC 2023 Merger Guidelines"
    source: str  # id in data/sources.yaml

    def describe(self) -> str:
        return (
            f"{self.name}: HHI under {self.lower:,.0f} unconcentrated, {self.lower:,.0f} to {self.upper:,.0f} "
            f"moderately concentrated, over {self.upper:,.0f} highly concentrated"
        )


BAND_SETS: dict[str, BandSet] = {
    b.id: b
    for b in (
        BandSet("2023", 1000.0, 1800.0, "DOJ/FTC 2023 Merger Guidelines", "doj_ftc_2023"),
        BandSet("2010", 1500.0, 2500.0, "DOJ/FTC 2010 Horizontal Merger Guidelines", "doj_ftc_2010"),
    )
}
DEFAULT_BANDS = "2023"
BAND_NAMES = ("unconcentrated", "moderately concentrated", "highly concentrated")


def band_set(bands: str | BandSet | None = None) -> BandSet:
    if isinstance(bands, BandSet):
        return bands
    key = DEFAULT_BANDS if bands is None else str(bands)
    if key not in BAND_SETS:
        raise ValueError(f"unknown HHI band set {bands!r}; use {' or '.join(BAND_SETS)}")
    return BAND_SETS[key]


def hhi_bands(hhi, bands: str | BandSet | None = None):
    """The band of every HHI (vectorised); missing HHI gives a missing band.

    Thresholds as the guidelines write them: "greater than" the upper line is highly
    concentrated, "between" the lines (both included) moderately, "less than" the lower line
    unconcentrated. With the 2023 set an HHI of exactly 1,800 is moderately concentrated.
    """
    import numpy as np
    import pandas as pd

    b = band_set(bands)
    h = pd.Series(hhi, dtype="float64") if not isinstance(hhi, pd.Series) else hhi.astype("float64")
    v = h.to_numpy()
    out = np.select([v > b.upper, v >= b.lower, v < b.lower], list(BAND_NAMES[::-1]), default=None)
    return pd.Series(out, index=h.index, dtype="object").where(h.notna(), None)


def hhi_band(hhi: float | None, bands: str | BandSet | None = None) -> str | None:
    if hhi is None or (isinstance(hhi, float) and math.isnan(hhi)):
        return None
    return hhi_bands([hhi], bands).iloc[0]


# ----------------------------------------------------------------------------------------------
# Values with flags and bounds

#: Flags as published (USGS, IEA), in words.
FLAG_WORDS = {
    "none": "",
    "estimated": "estimated",
    "withheld": "withheld",
    "not_available": "not available",
    "lower_bound": "lower bound",
    "upper_bound": "upper bound",
    "range": "range",
    "net_exporter": "net exporter",
    "projection": "projection",
    "not_calculable": "not calculable",
    "qualitative": "qualitative",
}


def flag_words(flag: str | None) -> str:
    if flag is None or (isinstance(flag, float) and math.isnan(flag)):
        return ""
    return FLAG_WORDS.get(flag, str(flag).replace("_", " "))


def is_missing(x) -> bool:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return True
    return type(x).__name__ == "NAType"  # pandas.NA, without importing pandas


def fmt_pct(x, digits: int = 0) -> str:
    if is_missing(x):
        return "n/a"
    return f"{100 * float(x):.{digits}f}%"


def fmt_share(x) -> str:
    """A share in whole percent, the same on every slide, table and chart: 0.997 reads "over 99%",
    not "100%" (which would say that all of it is lost), and 0.003 reads "under 1%", not "0%"."""
    if is_missing(x):
        return "n/a"
    x = float(x)
    if 0.995 <= x < 1:
        return "over 99%"
    if 0 < x < 0.005:
        return "under 1%"
    return f"{100 * x:.0f}%"


def fmt_value(value, flag: str | None = None, *, percent: bool = False, digits: int = 0, unit: str = "", reason: str | None = None) -> str:
    """One formatter for bounded and flagged values.

    ``lower_bound`` reads ``≥ 50%`` (USGS ">50"), ``upper_bound`` ``≤ 25%`` ("<25"),
    ``withheld`` and ``not available`` as words, ``net_exporter`` as ``0% (net exporter)``,
    a missing value as ``n/a`` or ``n/a (reason)``. A bound is never shown as a point value.
    """
    if flag == "withheld":
        return "withheld"
    if flag == "not_available" and is_missing(value):
        return "not available"
    if flag == "net_exporter":
        return "0% (net exporter)" if percent else "0 (net exporter)"
    if is_missing(value):
        return f"n/a ({reason})" if reason else "n/a"
    text = fmt_pct(value, digits) if percent else f"{float(value):,.{digits}f}"
    if unit and not percent:
        text = f"{text} {unit}"
    if flag == "lower_bound":
        return f"≥ {text}"
    if flag == "upper_bound":
        return f"≤ {text}"
    return text


def bound_of(flag: str | None) -> str | None:
    """``lower_bound``/``upper_bound`` for a bounded flag, else ``None``."""
    return flag if flag in ("lower_bound", "upper_bound") else None


def mineral_words(slug: str) -> str:
    """A mineral id in words when no dataset is at hand ("rare_earths" -> "rare earths")."""
    return str(slug).replace("_", " ")
