"""Concentration and dependency metrics, vectorised over the whole figures table.

Formulas (as on the Methodology page):

* share_c = value_c / sum of country rows (Other countries included), so shares add up to 1.
* CR1, CR3: the largest and the sum of the three largest shares among named countries.
* HHI = sum over named countries of (100 x share_c)^2, 0 to 10,000. "Other countries" is left
  out, so the HHI is a lower bound. Bands from :mod:`risk.vocab` (DOJ/FTC 2023 by default:
  the 2010 set with ``bands="2010"``).
* HHI_WGI = sum of share_c^2 x WGI_scaled_c, WGI_scaled = 5 - 2 x mean of the six WGI estimates
  (0 best, 10 worst governance; EU critical raw materials method). Countries without a WGI
  score are left out and ``wgi_coverage`` says how much supply was scored.
* U.S. net import reliance (NIR, fraction of apparent consumption; ">95" kept as a lower bound,
  "E" net exporter = 0), and single-supplier dependency on country X = NIR x X's share of U.S.
  imports. The largest per mineral is the headline; built on a ">50" NIR it is a lower bound
  too (``dependency_flag``).

A series that cannot be computed (no country rows, every value withheld, a zero total, mixed
units) gets ``computable = False`` and a ``reason``: never a silent 0, which would make the most
secretive market look the safest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import countries
from .vocab import CURRENT_EDITION, NON_PRODUCTION_STAGES, STAGE_ORDER, USGS_EDITIONS, band_set, bound_of, hhi_bands

#: Countries WGI does not cover, scored with another's WGI (and said so in the output).
WGI_PROXIES = {"NCL": "FRA"}  # New Caledonia: French territory

#: What metrics_table joins from the U.S. side (us_dependency), besides the mineral and NIR year.
DEPENDENCY_COLUMNS = [
    "nir",
    "nir_flag",
    "top_import_country",
    "top_import_share",
    "single_supplier_dependency",
    "dependency_flag",
    "us_source",
]

#: The columns a one-line-per-mineral summary shows (the Overview table, `metrics --format table`).
SUMMARY_COLUMNS = [
    "mineral",
    "stage",
    "product",
    "year",
    "edition",
    "top_country",
    "cr1",
    "cr3",
    "hhi",
    "hhi_band",
    "hhi_wgi",
    "nir",
    "top_import_country",
    "single_supplier_dependency",
    "reason",
]

METRIC_COLUMNS = [
    "mineral",
    "stage",
    "product",
    "year",
    "edition",
    "unit",
    "computable",
    "reason",
    "n_countries",
    "n_withheld",
    "total",
    "world_total",
    "world_total_flag",
    "top_country",
    "cr1",
    "cr3",
    "hhi",
    "hhi_band",
    "bands",
    "hhi_wgi",
    "wgi_year",
    "wgi_coverage",
    "projection",
    "nir",
    "nir_flag",
    "nir_year",
    "top_import_country",
    "top_import_share",
    "single_supplier_dependency",
    "dependency_flag",
    "sources",
]


def is_named(country: pd.Series) -> pd.Series:
    """True for single named countries (not OTH, WLD or USGS combined rows)."""
    return ~country.isin(list(countries.AGGREGATES))


# ----------------------------------------------------------------------------------------------
# Shares


def shares(figures: pd.DataFrame) -> pd.DataFrame:
    """Country rows of every (series, year) with their share of the sum of country rows.

    Returns a new frame: the input's columns for rows other than the world total, plus
    ``total`` (the sum), ``share`` (fraction) and ``named`` (a single country). Rows without a
    value (withheld, not available) get a missing share.
    """
    f = figures[figures["country"] != countries.WORLD]
    total = f.groupby(["series", "year"], sort=False)["value"].transform("sum")
    out = f.assign(total=total, named=is_named(f["country"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out["total"] > 0, out["value"] / out["total"], np.nan)
    return out


def wgi_scores(wgi: pd.DataFrame, year: int | None = None) -> tuple[pd.Series, int | None]:
    """WGI_scaled (0 best, 10 worst) by country for ``year`` (default: the latest year)."""
    if wgi is None or wgi.empty:
        return pd.Series(dtype="float64"), None
    y = int(wgi["year"].max()) if year is None else int(year)
    s = wgi.loc[wgi["year"] == y].set_index("country")["scaled"].dropna()
    for territory, proxy in WGI_PROXIES.items():
        if territory not in s.index and proxy in s.index:
            s.loc[territory] = s.loc[proxy]
    return s, y


# ----------------------------------------------------------------------------------------------
# Concentration, vectorised


def concentration(
    figures: pd.DataFrame, wgi: pd.DataFrame | None = None, *, wgi_year: int | None = None, bands: str | None = None
) -> pd.DataFrame:
    """One row per (series, year): shares, top country, CR1, CR3, HHI, band, HHI_WGI.

    ``figures`` is the tidy table from :func:`risk.dataset.load_dataset` (or a subset of it).
    The input is not modified. All groups are computed at once on an integer group id.
    """
    keys = ["series", "year"]
    meta_cols = ["edition", "source", "mineral", "stage", "product"]
    if figures.empty:
        return pd.DataFrame(columns=[*keys, *meta_cols, *METRIC_COLUMNS])
    gid = figures.groupby(keys, sort=False).ngroup().to_numpy()
    ng = int(gid.max()) + 1
    first = pd.Series(np.arange(len(figures))).groupby(gid).first().to_numpy()
    out = figures.iloc[first][[*keys, *meta_cols, "unit"]].reset_index(drop=True)

    country = figures["country"].to_numpy(dtype=object)
    value = figures["value"].to_numpy(dtype="float64")
    is_world = country == countries.WORLD
    named = ~np.isin(country, list(countries.AGGREGATES))
    has_value = ~np.isnan(value)
    rows_mask = ~is_world

    def gsum(x):
        return np.bincount(gid, weights=x, minlength=ng)

    n_rows = np.bincount(gid[rows_mask], minlength=ng)
    n_values = np.bincount(gid[rows_mask & has_value], minlength=ng)
    total = gsum(np.where(rows_mask & has_value, value, 0.0))
    n_units = figures.groupby(gid)["unit"].nunique().to_numpy()

    world_idx = np.flatnonzero(is_world)
    world_total = np.full(ng, np.nan)
    world_flag = np.full(ng, None, dtype=object)
    world_total[gid[world_idx]] = value[world_idx]
    world_flag[gid[world_idx]] = figures["flag"].to_numpy(dtype=object)[world_idx]
    projection = np.bincount(gid, weights=(figures["flag"].to_numpy(dtype=object) == "projection").astype(float), minlength=ng) > 0

    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total[gid] > 0, value / total[gid], np.nan)
    use = rows_mask & named & has_value & ~np.isnan(share)
    hhi = np.bincount(gid[use], weights=(100.0 * share[use]) ** 2, minlength=ng)
    n_countries = np.bincount(gid[use], minlength=ng)

    # rank countries within each group by share (descending), ties by country code
    idx = np.flatnonzero(use)
    order = np.lexsort((country[idx].astype(str), -share[idx], gid[idx]))
    idx = idx[order]
    g_sorted = gid[idx]
    starts = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1]
    rank = np.arange(len(idx)) - np.repeat(starts, np.diff(np.r_[starts, len(idx)]))
    top_country = np.full(ng, None, dtype=object)
    cr1 = np.full(ng, np.nan)
    top_rows = idx[rank == 0]
    top_country[gid[top_rows]] = country[top_rows]
    cr1[gid[top_rows]] = share[top_rows]
    top3 = idx[rank < 3]
    cr3 = np.bincount(gid[top3], weights=share[top3], minlength=ng)

    scores, used_year = wgi_scores(wgi, wgi_year) if wgi is not None else (pd.Series(dtype="float64"), None)
    w = pd.Series(country).map(scores).to_numpy(dtype="float64") if len(scores) else np.full(len(country), np.nan)
    scored = use & ~np.isnan(w)
    hhi_wgi = np.bincount(gid[scored], weights=share[scored] ** 2 * w[scored], minlength=ng)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.bincount(gid[scored], weights=share[scored], minlength=ng) / np.bincount(gid[use], weights=share[use], minlength=ng)

    out["n_countries"] = n_countries
    out["n_withheld"] = n_rows - n_values
    out["total"] = np.where(n_values > 0, total, np.nan)
    out["world_total"] = world_total
    out["world_total_flag"] = world_flag
    out["top_country"] = top_country
    out["cr1"] = cr1
    out["cr3"] = np.where(n_countries > 0, cr3, np.nan)
    out["hhi"] = np.where(n_countries > 0, hhi, np.nan)
    out["hhi_wgi"] = np.where(n_countries > 0, hhi_wgi, np.nan) if used_year is not None else np.nan
    out["wgi_year"] = used_year
    out["wgi_coverage"] = coverage if used_year is not None else np.nan
    out["projection"] = projection

    # Why a series cannot be computed (the last assignment wins); never a silent 0.
    reason = np.full(ng, None, dtype=object)
    reason[(total <= 0) & (n_values > 0)] = "not computable: the country values add up to zero"
    reason[(n_countries == 0) & (n_values > 0) & (total > 0)] = "not computable: no named country rows (only Other countries)"
    reason[(n_values == 0) & (n_rows > 0)] = "not computable: every country value is withheld or not available"
    reason[n_rows == 0] = "not computable: no country rows, only a world total"
    reason[n_units > 1] = "not computable: mixed units in one series"
    bad = reason != None  # noqa: E711 - elementwise on an object array
    out["computable"] = ~bad
    out["reason"] = reason
    for col in ("cr1", "cr3", "hhi", "hhi_wgi", "wgi_coverage"):
        out.loc[bad, col] = np.nan
    out.loc[bad, "top_country"] = None
    out["hhi_band"] = hhi_bands(out["hhi"], bands)
    out["bands"] = band_set(bands).id
    return out


def concentration_loop(figures: pd.DataFrame, wgi: pd.DataFrame | None = None) -> pd.DataFrame:
    """The same numbers computed one series at a time: the baseline for benchmarks and a
    cross-check in tests. Do not use it in the app."""
    scores = wgi_scores(wgi)[0] if wgi is not None else pd.Series(dtype="float64")
    rows = []
    for (sid, year), g in figures.groupby(["series", "year"], sort=False):
        c = g[g["country"] != countries.WORLD]
        vals = c.dropna(subset=["value"])
        total = vals["value"].sum()
        row = {"series": sid, "year": year}
        named = vals[~vals["country"].isin(list(countries.AGGREGATES))]
        if len(c) == 0 or len(vals) == 0 or total <= 0 or len(named) == 0 or g["unit"].nunique() > 1:
            row.update(computable=False, hhi=np.nan, cr1=np.nan, cr3=np.nan, top_country=None, hhi_wgi=np.nan)
        else:
            s = (named.set_index("country")["value"] / total).sort_index().sort_values(ascending=False, kind="stable")
            w = s.index.map(lambda k: scores.get(k, np.nan))
            ok = ~np.isnan(w)
            row.update(
                computable=True,
                hhi=float(((100 * s) ** 2).sum()),
                cr1=float(s.iloc[0]),
                cr3=float(s.iloc[:3].sum()),
                top_country=s.index[0],
                hhi_wgi=float((s[ok] ** 2 * w[ok]).sum()),
            )
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# United States: net import reliance and single-supplier dependency


def us_dependency(us: pd.DataFrame) -> pd.DataFrame:
    """Per (mineral, year of NIR): NIR as a fraction, its flag, the top import source and
    single-supplier dependency = NIR x that source's share of U.S. imports (primary series)."""
    cols = ["mineral", "nir_year", *DEPENDENCY_COLUMNS]
    if us is None or us.empty:
        return pd.DataFrame(columns=cols)
    primary = us["primary"].to_numpy(dtype=bool)
    measure = us["measure"].to_numpy(dtype=object)
    is_nir = primary & (measure == "net_import_reliance")
    nir = pd.DataFrame(
        {
            "mineral": us["mineral"].to_numpy(dtype=object)[is_nir],
            "nir_year": us["year"].to_numpy()[is_nir],
            "nir": us["value"].to_numpy(dtype="float64")[is_nir] / 100.0,
            "nir_flag": us["flag"].to_numpy(dtype=object)[is_nir],
            "us_source": us["source"].to_numpy(dtype=object)[is_nir],
        }
    )
    country = us["country"].to_numpy(dtype=object)
    value = us["value"].to_numpy(dtype="float64")
    is_imp = primary & (measure == "import_sources") & ~np.isin(country, list(countries.AGGREGATES)) & ~np.isnan(value)
    mineral = us["mineral"].to_numpy(dtype=object)[is_imp]
    order = np.lexsort((country[is_imp].astype(str), -value[is_imp], mineral.astype(str)))
    m_sorted = mineral[order]
    firsts = np.r_[True, m_sorted[1:] != m_sorted[:-1]] if len(m_sorted) else np.array([], dtype=bool)
    top = dict(zip(m_sorted[firsts], zip(country[is_imp][order][firsts], value[is_imp][order][firsts] / 100.0, strict=True), strict=True))
    nir["top_import_country"] = [top.get(m, (None, np.nan))[0] for m in nir["mineral"]]
    nir["top_import_share"] = np.array([top.get(m, (None, np.nan))[1] for m in nir["mineral"]], dtype="float64")
    nir["single_supplier_dependency"] = nir["nir"] * nir["top_import_share"]
    # NIR ">50" makes the product a lower bound too; "<25" an upper bound
    nir["dependency_flag"] = nir["nir_flag"].map(bound_of).where(nir["single_supplier_dependency"].notna(), None)
    return nir[cols]


def dependency_by_country(us: pd.DataFrame, mineral: str, year: int | None = None) -> pd.DataFrame:
    """Dependency of the U.S. on each import source of ``mineral``: NIR x share of imports."""
    prim = us[(us["mineral"] == mineral) & us["primary"]]
    nir = prim[prim["measure"] == "net_import_reliance"]
    if nir.empty:
        return pd.DataFrame(columns=["country", "import_share", "nir", "dependency", "dependency_flag"])
    row = nir[nir["year"] == (year or nir["year"].max())].iloc[0]
    imp = prim[prim["measure"] == "import_sources"][["country", "value", "source"]].rename(columns={"value": "import_share"})
    imp = imp.assign(import_share=imp["import_share"] / 100.0, nir=row["value"] / 100.0, nir_flag=row["flag"])
    imp["dependency"] = imp["nir"] * imp["import_share"]
    imp["dependency_flag"] = bound_of(row["flag"])
    return imp.sort_values("dependency", ascending=False).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# The metrics table


def metrics_table(
    ds,
    *,
    mineral: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    edition: str | None = None,
    bands: str | None = None,
) -> pd.DataFrame:
    """One row per (mineral, stage, product, year, edition) with every metric and its sources."""
    f = ds.figures
    mask = pd.Series(True, index=f.index)
    if mineral:
        mask &= f["mineral"] == mineral
    if stage:
        mask &= f["stage"] == stage
    if year:
        mask &= f["year"] == int(year)
    if edition:
        mask &= f["edition"] == edition
    conc = concentration(f[mask], ds.wgi, bands=bands)
    if conc.empty:
        return pd.DataFrame(columns=METRIC_COLUMNS)
    dep = us_dependency(ds.us)
    # NIR of the same year where published, else the latest year before it (IEA projections).
    conc = conc.sort_values("year")
    dep = dep.dropna(subset=["nir_year"]).sort_values("nir_year")
    if len(dep):
        dep["nir_year"] = dep["nir_year"].astype("int64")
        conc["year"] = conc["year"].astype("int64")
        merged = pd.merge_asof(conc, dep, left_on="year", right_on="nir_year", by="mineral", direction="backward")
    else:
        merged = conc.assign(nir_year=np.nan, **dict.fromkeys(DEPENDENCY_COLUMNS, np.nan))
    wgi_src = ds.wgi["source"].iloc[0] if len(ds.wgi) else None

    src = merged["source"].astype(str)
    us_src = merged["us_source"].where(merged["us_source"].notna() & (merged["us_source"] != merged["source"]))
    src = src + (";" + us_src).fillna("")
    if wgi_src:
        src = src + np.where(merged["hhi_wgi"].notna(), f";{wgi_src}", "")
    merged["sources"] = src
    stage_order = merged["stage"].map(STAGE_ORDER).to_numpy()
    edition_rank = -merged["edition"].map({e: i for i, e in enumerate(sorted(merged["edition"].unique()))}).to_numpy()
    order = np.lexsort(
        (merged["year"].to_numpy(), merged["product"].to_numpy(dtype=str), stage_order, edition_rank, merged["mineral"].to_numpy(dtype=str))
    )
    return merged.iloc[order][METRIC_COLUMNS].reset_index(drop=True)


def reserves_to_production(ds, edition: str = CURRENT_EDITION) -> pd.DataFrame:
    """Years of production the reserves would last: world reserves / world mine (or primary)
    production in the reserves year. A lower-bound reserves total gives a lower-bound ratio."""
    f = ds.figures[ds.figures["edition"] == edition]
    tot = f[f["country"] == countries.WORLD]
    res = tot[(tot["stage"] == "reserves")]
    prod = tot[tot["stage"].isin(["mine", "primary", "production"])]
    rows = []
    for (mineral, product), r in res.groupby(["mineral", "product"]):
        r = r.sort_values("year").iloc[-1]
        p = prod[(prod["mineral"] == mineral) & (prod["year"] == r["year"])]
        if product:
            p = p[p["product"].isin([product, ""])]
        if p.empty or pd.isna(r["value"]):
            continue
        p = p.iloc[0]
        if not p["value"] or pd.isna(p["value"]) or p["unit"] != r["unit"]:
            continue
        rows.append(
            {
                "mineral": mineral,
                "product": product,
                "year": int(r["year"]),
                "reserves": r["value"],
                "reserves_flag": r["flag"],
                "production": p["value"],
                "unit": r["unit"],
                "rp_years": r["value"] / p["value"],
                "rp_is_lower_bound": r["flag"] == "lower_bound",
                "source": r["source"],
            }
        )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# Claims check

#: Difference (in share points) within which a claim is called consistent with the tables.
CLAIM_TOLERANCE = 0.05


def _share_of(ds, edition: str, mineral: str, stage: str, country: str, product: str | None = None) -> dict | None:
    f = ds.figures
    sel = f[(f["edition"] == edition) & (f["mineral"] == mineral) & (f["stage"] == stage)]
    if product is not None:
        sel = sel[sel["product"] == product]
    sel = sel[sel["flag"] != "projection"]
    if sel.empty:
        return None
    year = int(sel["year"].max())
    sel = sel[sel["year"] == year]
    c = concentration(sel)
    sh = shares(sel)
    row = sh[sh["country"] == country]
    if row.empty or pd.isna(row["share"].iloc[0]):
        return None
    world = sel[sel["country"] == countries.WORLD]
    return {
        "value": float(row["share"].iloc[0]),
        "year": year,
        "edition": edition,
        "source": sel["source"].iloc[0],
        "world_total_flag": world["flag"].iloc[0] if len(world) else None,
        "top_country": c["top_country"].iloc[0] if len(c) else None,
    }


def check_claims(ds, editions: tuple[str, ...] = USGS_EDITIONS) -> pd.DataFrame:
    """Each press claim beside the table value, the difference and a verdict, with sources.

    Shares and ranks are checked against each USGS edition (the article predates MCS 2026, so
    MCS 2025 is what "current USGS data" meant when it was written); a refining share against
    the IEA, since USGS has no rare-earth refining table.
    """
    rows = []
    for c in ds.claims:
        for t in c.refers_to:
            base = {
                "claim": c.id,
                "quote": c.quote,
                "claimed": c.number,
                "mineral": t.mineral,
                "stage": t.stage,
                "country": t.country,
                "measure": t.measure,
                "table_value": np.nan,
                "difference": np.nan,
                "year": None,
                "edition": None,
                "verdict": "",
                "explanation": "",
                "sources": c.source,
            }
            if t.measure == "share":
                targets = [("iea2025", None)] if t.stage == "refinery" else [(e, "") for e in editions]
                for edition, product in targets:
                    rows.append(_check_share(ds, c, t, edition, product, dict(base)))
            elif t.measure == "rank":
                for edition in editions:
                    rows.append(_check_rank(ds, c, t, edition, dict(base)))
            elif t.measure == "export_restriction":
                dep = dependency_by_country(ds.us, t.mineral)
                hit = dep[dep["country"] == t.country]
                row = dict(base, verdict="event", explanation="a policy event, not a table figure")
                if len(hit):
                    r = hit.iloc[0]
                    row["explanation"] = (
                        f"a policy event, not a table figure; {countries.name(t.country)} supplies {r['import_share']:.0%} of U.S. "
                        f"{t.mineral} imports (2021–24) and U.S. net import reliance is {r['nir']:.0%}"
                        + (" or more" if r["nir_flag"] == "lower_bound" else "")
                        + ": see the china_export_ban scenario"
                    )
                    row["sources"] = f"{c.source};{r['source']}"
                rows.append(row)
            else:  # offer_share
                f = ds.figures
                ukr = f[(f["edition"] == "mcs2026") & (f["country"] == t.country) & (f["mineral"] == t.mineral)]
                what = t.mineral.replace("_", " ")
                rows.append(
                    dict(
                        base,
                        verdict="not checkable",
                        explanation=(
                            f"a negotiating offer, not a table figure; USGS MCS 2026 lists no {what} production or reserves for {countries.name(t.country)}"
                            if ukr.empty
                            else f"a negotiating offer; USGS MCS 2026 lists {len(ukr)} {what} figures for {countries.name(t.country)}"
                        ),
                        sources=f"{c.source};usgs_mcs2026",
                    )
                )
    return pd.DataFrame(rows)


def _check_share(ds, c, t, edition, product, row):
    found = _share_of(ds, edition, t.mineral, t.stage, t.country, product)
    label = "IEA magnet rare-earth refining (Pr, Nd, Tb, Dy)" if edition.startswith("iea") else f"USGS MCS {edition[3:]} {t.stage}"
    if found is None:
        return dict(row, edition=edition, verdict="not checkable", explanation=f"no {t.stage} table for {t.mineral} in {edition}")
    diff = (c.number or 0) - found["value"]
    verdict = "consistent" if abs(diff) <= CLAIM_TOLERANCE else ("overstates" if diff > 0 else "understates")
    of = "of the IEA total" if edition.startswith("iea") else "of the sum of country rows"
    expl = f"{label} {found['year']}: {countries.name(t.country)} {found['value']:.0%} {of}"
    if found["world_total_flag"] == "lower_bound":
        expl += " (the published world total is a lower bound, so the true share may be lower)"
    if t.stage == "mine" and (c.number or 0) >= 0.85:
        expl += "; a 90% figure matches refining (IEA), which the USGS tables do not cover"
    return dict(
        row,
        table_value=found["value"],
        difference=diff,
        year=found["year"],
        edition=edition,
        verdict=verdict,
        explanation=expl,
        sources=f"{c.source};{found['source']}",
    )


def _check_rank(ds, c, t, edition, row):
    f = ds.figures
    sel = f[(f["edition"] == edition) & (f["mineral"] == t.mineral) & (f["stage"] == t.stage) & is_named(f["country"])]
    if sel.empty:
        return dict(row, edition=edition, verdict="not checkable", explanation=f"no {t.stage} table in {edition}")
    sel = sel[sel["year"] == sel["year"].max()].dropna(subset=["value"]).sort_values(["value", "country"], ascending=[False, True])
    order = list(sel["country"])
    if t.country not in order:
        return dict(
            row, edition=edition, verdict="not checkable", explanation=f"{countries.name(t.country)} has no {t.stage} figure in {edition}"
        )
    rank = order.index(t.country) + 1
    year = int(sel["year"].iloc[0])
    ahead = ", ".join(countries.name(k) for k in order[: rank - 1])
    return dict(
        row,
        table_value=float(rank),
        difference=(c.number or 0) - rank,
        year=year,
        edition=edition,
        verdict="consistent" if rank == c.number else "differs",
        explanation=f"USGS MCS {edition[3:]} {t.stage} {year}: {countries.name(t.country)} ranks {rank}"
        + (f", after {ahead}" if ahead else ""),
        sources=f"{c.source};{sel['source'].iloc[0]}",
    )


def main_series(m: pd.DataFrame) -> pd.DataFrame:
    """Per (mineral, edition, year), the headline production series: the first stage in
    STAGE_ORDER (mine before refinery ...), the series without a product before split ones.
    Reserves and capacity are never the headline."""
    d = m[~m["stage"].isin(NON_PRODUCTION_STAGES)]
    d = d.assign(_o=d["stage"].map(STAGE_ORDER), _p=d["product"] != "", _c=~d["computable"].astype(bool))
    d = d.sort_values(["mineral", "edition", "year", "_c", "_p", "_o"])
    return d.groupby(["mineral", "edition", "year"], sort=False).head(1).drop(columns=["_o", "_p", "_c"]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# Prices (USGS salient statistics)

PRICE_COLUMNS = ["mineral", "series", "unit", "year", "value", "flag", "raw", "note", "source"]


def prices(ds, mineral: str | None = None) -> pd.DataFrame:
    """USGS salient-statistics prices, one row per (mineral, series, year): the series name as
    USGS words it, its unit, the value and its flag (2025 mostly estimated)."""
    s = ds.salient
    if s is None or s.empty:
        return pd.DataFrame(columns=PRICE_COLUMNS)
    p = s[s["measure"] == "price"]
    if mineral is not None:
        p = p[p["mineral"] == mineral]
    out = p.rename(columns={"detail": "series"})[PRICE_COLUMNS]
    return out.sort_values(["mineral", "series", "year"], ignore_index=True)
