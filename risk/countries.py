"""Country names to ISO 3166-1 alpha-3 codes, and codes to display names.

The maintained ``pycountry`` database does the work; the short table below covers the
spellings used by USGS, the IEA and the World Bank that it does not know. Codes that are not
countries use ISO 3166's user-assigned range (X..), plus ``OTH`` (other countries) and ``WLD`` (world total).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

#: Codes for rows that are not a single country.
OTHER = "OTH"  # "Other countries", "Rest of world"
WORLD = "WLD"  # "World total"
AGGREGATES: dict[str, str] = {
    OTHER: "Other countries",
    WORLD: "World total",
    "XUC": "United States and Canada (combined by USGS)",
    "XCR": "China, Germany and Russia (combined by USGS)",
}

# Spellings pycountry does not resolve, with the reason kept next to each.
OVERRIDES: dict[str, str] = {
    "burma": "MMR",  # USGS uses the name Burma for Myanmar
    "congo (kinshasa)": "COD",  # USGS: Democratic Republic of the Congo
    "congo (brazzaville)": "COG",  # USGS: Republic of the Congo
    "democratic republic of congo": "COD",  # IEA spelling
    "korea, north": "PRK",  # USGS
    "korea, south": "KOR",
    "cote d'ivoire": "CIV",  # USGS writes Côte d’Ivoire with a typographic apostrophe
    "turkey": "TUR",  # ISO name is now Türkiye
    "the bahamas": "BHS",
    "russia": "RUS",
    "laos": "LAO",
    "vietnam": "VNM",
    "hong kong": "HKG",
    "kosovo": "XKX",  # not in ISO 3166; the World Bank code
    "united states and canada": "XUC",  # USGS combines the two to avoid disclosing data
    "china, germany, and russia": "XCR",  # USGS combined row
    "other countries": OTHER,
    "rest of world": OTHER,
    "world total": WORLD,
    "world": WORLD,
}

# Short display names (pycountry's official names are long: "Korea, Republic of").
SHORT_NAMES: dict[str, str] = {
    "USA": "United States",
    "GBR": "United Kingdom",
    "RUS": "Russia",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "COD": "DR Congo",
    "COG": "Congo",
    "IRN": "Iran",
    "VNM": "Vietnam",
    "LAO": "Laos",
    "BOL": "Bolivia",
    "VEN": "Venezuela",
    "TZA": "Tanzania",
    "SYR": "Syria",
    "TWN": "Taiwan",
    "MDA": "Moldova",
    "TUR": "Türkiye",
    "CIV": "Côte d'Ivoire",
    "XKX": "Kosovo",
    "MMR": "Myanmar (Burma)",
    "CZE": "Czechia",
}


def _norm(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.replace("\xa0", " ").replace("’", "'"))
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", name).strip().lower()


@lru_cache(maxsize=4096)
def to_iso3(name: str) -> str | None:
    """ISO3 code for a country name as USGS, the IEA or the World Bank write it, or None."""
    key = _norm(name)
    if not key:
        return None
    if key in OVERRIDES:
        return OVERRIDES[key]
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None


@lru_cache(maxsize=1)
def valid_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries) | set(AGGREGATES) | {"XKX"}


def is_valid(code: str) -> bool:
    return code in valid_codes()


def is_country(code: str) -> bool:
    """True for a single named country (not OTH, WLD or a USGS combined row)."""
    return code not in AGGREGATES


@lru_cache(maxsize=1024)
def name(code: str) -> str:
    """Short English display name for an ISO3 code (or the code itself if unknown)."""
    if code in SHORT_NAMES:
        return SHORT_NAMES[code]
    if code in AGGREGATES:
        return AGGREGATES[code]
    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


def split_label(label: str) -> tuple[str | None, str]:
    """Resolve a USGS country label that may carry a qualifier: "Brazil (beneficiated)".

    Returns (ISO3 or None, qualifier). The whole label is tried first so that names whose
    parenthesis is part of the name ("Congo (Kinshasa)") are kept whole.
    """
    code = to_iso3(label)
    if code is not None:
        return code, ""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*(?:\d+)?\s*$", label.strip())
    if m:
        code = to_iso3(m.group(1))
        if code is not None:
            return code, m.group(2).strip()
    m = re.match(r"^(world total|other countries)\b[\s(,]*(.*?)\)?\s*(?:\d+)?$", _norm(label))
    if m:
        return (WORLD if m.group(1) == "world total" else OTHER), m.group(2).strip(" ,()")
    return None, ""
