"""Field metadata (the pudl habit): one table of label, unit, kind and description for every
column of the figures, metrics and scenario outputs.

Pages build their column configs from it (``ui.tables``), the CLI its table headers, and the
Methodology page its glossary. Stage words, editions and band thresholds are in
:mod:`risk.vocab`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .vocab import BAND_SETS, DEFAULT_BANDS, EDITIONS, FLAG_WORDS, STAGES


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | percent | number | integer | hhi | index | year | bool | list
    unit: str
    description: str


def _f(name, label, kind, unit, description) -> Field:
    return Field(name, label, kind, unit, description)


_bands = BAND_SETS[DEFAULT_BANDS]

_ALL = [
    # figures (data/usgs/..., data/iea/...)
    _f("edition", "Edition", "text", "", "Data edition: " + "; ".join(f"{e.id} = {e.title}" for e in EDITIONS.values())),
    _f("source", "Source", "text", "", "Source id in data/sources.yaml"),
    _f("sources", "Sources", "list", "", "Source ids in data/sources.yaml for every number in the row"),
    _f("mineral", "Mineral", "text", "", "Mineral (slug in the data: rare_earths, gallium ...)"),
    _f("stage", "Stage", "text", "", "Supply stage: " + ", ".join(s.words for s in STAGES)),
    _f("product", "Product", "text", "", "Product within the stage where a series is split (ilmenite, battery grade ...); empty otherwise"),
    _f("series", "Series", "text", "", "Series id: edition:mineral:stage:product"),
    _f("country", "Country", "text", "", "ISO 3166-1 alpha-3 code; OTH other countries; WLD world total"),
    _f("year", "Year", "year", "", "Data year"),
    _f(
        "value",
        "Value",
        "number",
        "unit",
        "Value as published, in the row's unit (the bound for lower/upper bounds, the midpoint for ranges)",
    ),
    _f("unit", "Unit", "text", "", "Unit as published (t metric tons, kt thousand metric tons, kg kilograms, percent ...)"),
    _f("flag", "Flag", "text", "", "As published: " + ", ".join(w for w in FLAG_WORDS.values() if w)),
    _f("raw", "As published", "text", "", "The published text where it is not a plain number (W, NA, >95, —)"),
    _f("label", "Publisher's label", "text", "", "The publisher's country label where it differs from the ISO name"),
    _f("note", "Note", "text", "", "The publisher's footnote"),
    _f(
        "measure",
        "Measure",
        "text",
        "",
        "U.S. net import reliance (percent of apparent consumption) or import sources (percent of U.S. imports)",
    ),
    _f("detail", "What is measured", "text", "", "The publisher's wording of what is measured"),
    _f("primary", "Headline series", "bool", "", "True for the series used in headline numbers"),
    _f("period", "Period", "text", "", "Years an import-source share averages (2021–2024)"),
    # metrics (risk.metrics.metrics_table)
    _f("computable", "Computable", "bool", "", "False where a series has no usable country rows; `reason` says why"),
    _f("reason", "Why not computable", "text", "", "Why a metric is missing: never a silent 0"),
    _f("n_countries", "Countries", "integer", "", "Named countries with a value"),
    _f("n_withheld", "Withheld", "integer", "", "Country rows withheld or not available"),
    _f(
        "total",
        "Sum of country rows",
        "number",
        "unit",
        "Sum of the country rows, 'Other countries' included: the denominator of every share",
    ),
    _f("world_total", "Published world total", "number", "unit", "The world total as published (rounded)"),
    _f("world_total_flag", "World total flag", "text", "", "Flag of the published world total"),
    _f("top_country", "Top country", "text", "", "Country with the largest share"),
    _f("cr1", "Top share", "percent", "share", "CR1: the largest country's share of the sum of country rows"),
    _f("cr3", "Top-3 share", "percent", "share", "CR3: the three largest countries' share of the sum of country rows"),
    _f(
        "hhi",
        "HHI",
        "hhi",
        "0–10,000",
        "Herfindahl-Hirschman index: sum of (100 × share)² over named countries; a lower bound, 'Other countries' left out",
    ),
    _f("hhi_band", "Concentration band", "text", "", f"Band of the HHI; default {_bands.describe()}"),
    _f(
        "bands",
        "Band set",
        "text",
        "",
        "Which guidelines' HHI thresholds the band uses: " + "; ".join(f"{b.id} = {b.name}" for b in BAND_SETS.values()),
    ),
    _f(
        "hhi_wgi",
        "Governance-weighted HHI",
        "index",
        "0–10",
        "EU method: sum of share² × WGI scaled from 0 (best governance) to 10 (worst)",
    ),
    _f("wgi_year", "WGI year", "year", "", "Year of the World Bank governance estimates used"),
    _f("wgi_coverage", "WGI coverage", "percent", "share", "Share of supply from countries with a WGI score"),
    _f("projection", "Projection", "bool", "", "True for IEA base-case projections (not observed)"),
    _f(
        "nir",
        "U.S. net import reliance",
        "percent",
        "share of consumption",
        "Net imports as a share of U.S. apparent consumption (USGS); '≥' is a lower bound",
    ),
    _f("nir_flag", "Reliance flag", "text", "", "lower bound (USGS '>'), upper bound ('<'), net exporter ('E')"),
    _f("nir_year", "Reliance year", "year", "", "Year of the net import reliance"),
    _f("top_import_country", "Top import source", "text", "", "Largest source of U.S. imports (USGS, 2021–24 average)"),
    _f("top_import_share", "Top source's share of imports", "percent", "share of U.S. imports", "The top source's share of U.S. imports"),
    _f(
        "single_supplier_dependency",
        "Single-supplier dependency",
        "percent",
        "share of consumption",
        "Net import reliance × the top source's share of U.S. imports; a lower bound where the reliance is",
    ),
    _f("dependency_flag", "Dependency bound", "text", "", "lower bound where the net import reliance is a lower bound"),
    _f("import_share", "Share of U.S. imports", "percent", "share of U.S. imports", "The country's share of U.S. imports (USGS, 2021–24)"),
    _f("dependency", "Dependency", "percent", "share of consumption", "Net import reliance × the country's share of U.S. imports"),
    # scenario outputs (risk.scenarios.MineralResult)
    _f("scenario", "Scenario", "text", "", "Scenario name"),
    _f("us_shortfall", "U.S. shortfall", "percent", "share of U.S. consumption", "Share of U.S. apparent consumption lost, before offsets"),
    _f(
        "us_shortfall_net",
        "After offsets",
        "percent",
        "share of U.S. consumption",
        "Shortfall after the deal, spare capacity at full ramp and recycling",
    ),
    _f(
        "accessible_supply_lost",
        "Supply lost",
        "percent",
        "share of accessible world supply",
        "Share of the world supply the U.S. can reach that the shocks remove",
    ),
    _f("replacement_multiple", "Replacement multiple", "number", "×", "Lost volume ÷ the output of the suppliers still accessible"),
    _f("deal_offset_share", "Deal offsets", "percent", "share of the loss", "Share of the lost volume the deal replaces"),
    _f("stockpile_exhausted_month", "Stocks run out (month)", "integer", "month", "Month in which U.S. stocks are used up; empty if never"),
    _f(
        "unmet_month_equivalents",
        "Unmet (months of use)",
        "number",
        "months of consumption",
        "Shortfall over the horizon, in months of U.S. consumption",
    ),
    _f("hhi_after", "HHI after", "hhi", "0–10,000", "HHI of the remaining accessible supply"),
    _f("top_supplier_after", "Top supplier after", "text", "", "Largest accessible supplier after the shocks"),
    _f("lost_volume", "Volume lost", "number", "unit", "Supply removed by the shocks, in the series' unit"),
    _f("deal_volume", "Deal volume", "number", "unit", "Extra supply from the deal, in the series' unit"),
]

FIELDS: dict[str, Field] = {f.name: f for f in _ALL}


def label(name: str) -> str:
    f = FIELDS.get(name)
    return f.label if f else name.replace("_", " ").capitalize()


def labels(names) -> dict[str, str]:
    return {n: label(n) for n in names}


def glossary(names=None) -> pd.DataFrame:
    """Field, label, unit and description: the Methodology page's glossary."""
    rows = [FIELDS[n] for n in (names or FIELDS) if n in FIELDS]
    return pd.DataFrame(
        {
            "Field": [f.name for f in rows],
            "Label": [f.label for f in rows],
            "Unit": [f.unit for f in rows],
            "Description": [f.description for f in rows],
        }
    )
