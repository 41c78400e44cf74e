"""Bilateral trade: import sources for any importer, and the look-through share of an origin.

Pure functions: frames in, frames (or plain dicts) out; nothing here reads files or widgets.
The flows frame is the trade store (:func:`risk.importers.baci.load_store`): one row per
(mineral, hs, exporter, importer, year) with ``value_kusd`` (thousand current USD, FOB) and
``quantity_t`` (tonnes, gross weight; missing where BACI has none).

For importer M, mineral group G and a span of years (values summed over the years and over
G's HS codes):

* direct share of supplier X: ``s_X = V(M<-X) / sum_X V(M<-X)`` (by value, or by quantity);
* look-through share of origin O in X: ``c_X = I_X,O / max(I_X, E_X)``, where I_X is X's
  imports of G, I_X,O its imports from O and E_X its exports of G (what X has to export that
  could be O's material: a country that exports more than it imports produces the difference
  itself). Bounds for the scenario model: ``c_low = 0`` (X's exports are all its own material)
  and ``c_high = min(1, I_X,O / E_X)`` (all of X's imports from O are re-exported);
* indirect share of O: ``sum over X not in {O, M} of s_X * c_X``; total = direct + indirect.

Groups of importers (EU-27) buy as one: trade between members is left out, so a member never
supplies the group; members stay single countries as suppliers and as third countries X.

Every frame and dict carries ``source`` (``cepii_baci_hs92``) and states its units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

SOURCE = "cepii_baci_hs92"
BY = ("value", "quantity")

SOURCE_COLUMNS = [
    "importer",
    "exporter",
    "exporter_name",
    "mineral",
    "from",
    "to",
    "value_kusd",
    "quantity_t",
    "share_value",
    "share_quantity",
    "source",
]


class TradeQueryError(ValueError):
    """A query the trade data cannot answer (unknown importer, mineral or years)."""


# ----------------------------------------------------------------------------------------------
# Aggregation


def span_flows(flows: pd.DataFrame, year_from: int, year_to: int, minerals: Iterable[str] | None = None) -> pd.DataFrame:
    """Flows summed over the years ``year_from..year_to`` and over each mineral's HS codes.

    Returns columns mineral, exporter, importer (plain strings), value_kusd, quantity_t (sum of
    the rows that have a quantity; NaN if none has) and value_q_kusd (the value of those rows,
    so that quantity shares can say how much of the trade they cover).
    """
    f = flows[(flows["year"] >= year_from) & (flows["year"] <= year_to)]
    if minerals is not None:
        f = f[f["mineral"].isin(list(minerals))]
    has_q = f["quantity_t"].notna()
    f = f.assign(value_q_kusd=np.where(has_q, f["value_kusd"], 0.0))
    g = f.groupby(["mineral", "exporter", "importer"], observed=True, sort=True)
    out = g.agg(value_kusd=("value_kusd", "sum"), quantity_t=("quantity_t", "sum"), value_q_kusd=("value_q_kusd", "sum"))
    nq = g["quantity_t"].count()
    out.loc[nq.to_numpy() == 0, "quantity_t"] = np.nan
    out = out.reset_index()
    for c in ("mineral", "exporter", "importer"):
        out[c] = out[c].astype(str)
    return out


def with_groups(agg: pd.DataFrame, groups: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """Add each group as an importer: its members' imports from outside the group, summed."""
    parts = [agg]
    for gid, members in groups.items():
        m = set(members)
        sub = agg[agg["importer"].isin(m) & ~agg["exporter"].isin(m)]
        if sub.empty:
            continue
        keys = [c for c in ("year", "mineral", "exporter") if c in sub.columns]
        g = sub.groupby(keys, sort=True)
        s = g.agg(value_kusd=("value_kusd", "sum"), quantity_t=("quantity_t", "sum"), value_q_kusd=("value_q_kusd", "sum"))
        s.loc[g["quantity_t"].count().to_numpy() == 0, "quantity_t"] = np.nan  # no quantity at all: unknown, not 0
        s = s.reset_index()
        s["importer"] = gid
        parts.append(s[agg.columns])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else agg


def _measure(by: str) -> str:
    if by not in BY:
        raise TradeQueryError(f"--by {by!r}: use value or quantity")
    return "value_kusd" if by == "value" else "quantity_t"


# ----------------------------------------------------------------------------------------------
# Import sources of one importer


def import_sources(agg: pd.DataFrame, importer: str, mineral: str, year_from: int, year_to: int, *, names=None) -> pd.DataFrame:
    """One row per exporter supplying ``importer`` with ``mineral`` in the span ``agg`` sums.

    ``agg`` is :func:`span_flows` output (with groups added where the importer is one).
    Shares are fractions of the importer's total: by value, and by quantity over the rows with
    a quantity. Sorted by value, largest first.
    """
    f = agg[(agg["importer"] == importer) & (agg["mineral"] == mineral)]
    if f.empty:
        raise TradeQueryError(f"no imports of {mineral} by {importer} in {year_from}-{year_to} in the trade data ({SOURCE})")
    total_v = f["value_kusd"].sum()
    total_q = f["quantity_t"].sum()
    out = pd.DataFrame(
        {
            "importer": importer,
            "exporter": f["exporter"].to_numpy(),
            "exporter_name": [names(x) if names else x for x in f["exporter"]],
            "mineral": mineral,
            "from": year_from,
            "to": year_to,
            "value_kusd": f["value_kusd"].to_numpy(),
            "quantity_t": f["quantity_t"].to_numpy(),
            "share_value": f["value_kusd"].to_numpy() / total_v if total_v > 0 else np.nan,
            "share_quantity": f["quantity_t"].to_numpy() / total_q if total_q > 0 else np.nan,
            "source": SOURCE,
        }
    )
    return out.sort_values(["value_kusd", "exporter"], ascending=[False, True], ignore_index=True)


# ----------------------------------------------------------------------------------------------
# Look-through


def look_through(agg: pd.DataFrame, mineral: str, origin: str, *, by: str = "value", groups: Iterable[str] = ()) -> pd.DataFrame:
    """c_X for every country X that trades ``mineral``: index X, columns imports (I_X),
    imports_from_origin (I_X,O), exports (E_X), look_through (c_X), look_through_low (0) and
    look_through_high (min(1, I_X,O / E_X)). Group importers (EU27) are not third countries."""
    col = _measure(by)
    f = agg[(agg["mineral"] == mineral) & ~agg["importer"].isin(list(groups))]
    f = f[f[col].notna()]
    n = len(f)
    # integer ids for the countries, then bincounts (a few thousand rows per mineral and span)
    ids, names = pd.factorize(np.concatenate([f["exporter"].to_numpy(dtype=object), f["importer"].to_numpy(dtype=object)]))
    ex, im = ids[:n], ids[n:]
    v = f[col].to_numpy(dtype="float64")
    k = len(names)
    imports = np.bincount(im, weights=v, minlength=k)
    exports = np.bincount(ex, weights=v, minlength=k)
    o = names == origin
    from_o = np.bincount(im[o[ex]], weights=v[o[ex]], minlength=k) if o.any() else np.zeros(k)
    denom = np.maximum(imports, exports)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(denom > 0, from_o / denom, 0.0)
        high = np.where(exports > 0, np.minimum(1.0, from_o / exports), np.where(from_o > 0, 1.0, 0.0))
    out = pd.DataFrame(
        {
            "imports": imports,
            "imports_from_origin": from_o,
            "exports": exports,
            "look_through": c,
            "look_through_low": 0.0,
            "look_through_high": high,
        },
        index=pd.Index(np.asarray(names, dtype=object), name="country"),
    ).sort_index()
    out.index.name = "country"
    return out


def exposure(
    agg: pd.DataFrame,
    importer: str,
    origin: str,
    mineral: str,
    year_from: int,
    year_to: int,
    *,
    by: str = "value",
    groups: Mapping[str, Iterable[str]] | None = None,
) -> dict:
    """Direct, indirect and total share of ``origin`` in what ``importer`` buys of ``mineral``.

    ``agg`` is :func:`span_flows` output over the span, with the group importers added
    (:func:`with_groups`). ``via`` lists the third countries X with s_X * c_X > 0, largest
    contribution first: {country, share (s_X), look_through (c_X), look_through_high,
    contribution}. Shares are fractions (0-1).
    """
    groups = dict(groups or {})
    col = _measure(by)
    f = agg[(agg["importer"] == importer) & (agg["mineral"] == mineral) & agg[col].notna()]
    total = float(f[col].sum())
    if total <= 0:
        raise TradeQueryError(f"no imports of {mineral} by {importer} in {year_from}-{year_to} in the trade data ({SOURCE})")
    # agg has one row per (mineral, exporter, importer): the importer's rows are its suppliers
    exporters = f["exporter"].to_numpy(dtype=object)
    share = f[col].to_numpy(dtype="float64") / total
    is_o = exporters == origin
    direct = float(share[is_o].sum())
    members = set(groups.get(importer, ())) | {importer}
    lt = look_through(agg, mineral, origin, by=by, groups=groups)
    third = ~is_o & ~np.isin(exporters, list(members))
    xs, sx = exporters[third], share[third]
    c = lt["look_through"].reindex(xs, fill_value=0.0).to_numpy()
    c_hi = lt["look_through_high"].reindex(xs, fill_value=0.0).to_numpy()
    contrib = sx * c
    indirect = float(contrib.sum())
    order = sorted(np.flatnonzero(contrib > 0), key=lambda i: (-contrib[i], xs[i]))
    via = [
        {
            "country": str(xs[i]),
            "share": float(sx[i]),
            "look_through": float(c[i]),
            "look_through_high": float(c_hi[i]),
            "contribution": float(contrib[i]),
        }
        for i in order
    ]
    out = {
        "importer": importer,
        "origin": origin,
        "mineral": mineral,
        "from": year_from,
        "to": year_to,
        "by": by,
        "direct": direct,
        "indirect": indirect,
        "total": direct + indirect,
        "indirect_high": float((sx * c_hi).sum()),
        "imports": total,
        "imports_unit": "thousand USD" if by == "value" else "t",
        "via": via,
        "source": SOURCE,
    }
    if by == "quantity":
        v = agg[(agg["importer"] == importer) & (agg["mineral"] == mineral)]
        out["quantity_coverage"] = float(v["value_q_kusd"].sum() / v["value_kusd"].sum()) if v["value_kusd"].sum() > 0 else None
    return out


# ----------------------------------------------------------------------------------------------
# Concentration of one importer's sourcing


def sourcing_concentration(
    shares: pd.Series, wgi_scaled: pd.Series | None = None, wgi_year: int | None = None, bands: str | None = None
) -> dict:
    """HHI (0-10,000) of an importer's sourcing and its governance-weighted form.

    ``shares``: fractions by supplier ISO3 (adding up to 1). ``wgi_scaled``: WGI_scaled by
    ISO3 (:func:`risk.metrics.wgi_scores`: 5 - 2 x mean of the six WGI estimates, 0 best, 10
    worst). HHI_WGI = sum of share^2 x WGI_scaled over the suppliers WGI scores (0-10, as in
    :func:`risk.metrics.concentration`); ``wgi_coverage`` is the share of imports scored.
    Every supplier in BACI is a named country or group, so, unlike the USGS-based HHI, this
    is not a lower bound.
    """
    from .vocab import band_set, hhi_band

    s = shares[shares > 0]
    hhi = float(((100 * s) ** 2).sum())
    out = {
        "hhi": hhi,
        "hhi_band": hhi_band(hhi, bands),
        "bands": band_set(bands).id,
        "hhi_wgi": None,
        "wgi_year": wgi_year,
        "wgi_coverage": None,
    }
    if wgi_scaled is not None and len(wgi_scaled):
        w = wgi_scaled.reindex(s.index)
        ok = w.notna()
        out["hhi_wgi"] = float((s[ok] ** 2 * w[ok]).sum())
        out["wgi_coverage"] = float(s[ok].sum() / s.sum())
    return out


# ----------------------------------------------------------------------------------------------
# Every importer x mineral x year at once


def _codes(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Integer positions of ``values`` in ``categories``, through the categories only when the
    column is categorical (the trade store's are)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        pos = {c: i for i, c in enumerate(categories)}
        lut = np.array([pos.get(str(c), -1) for c in values.cat.categories] + [-1], dtype=np.int64)
        return lut[values.cat.codes.to_numpy()]
    return pd.Categorical(values.astype(str), categories=categories).codes.astype(np.int64)


def _uniques(values: pd.Series) -> set[str]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return {str(c) for c in values.cat.remove_unused_categories().cat.categories}
    return set(values.astype(str).unique())


def exposure_all(
    flows: pd.DataFrame,
    origins: Iterable[str] = ("CHN",),
    *,
    by: str = "value",
    groups: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Direct, indirect and total share of each origin for EVERY importer x mineral x year.

    One pass on integer ids: flows are summed over HS codes into dense (year, mineral, country)
    arrays with ``numpy.bincount``; c_X is then one array per origin, and each importer's
    indirect share is a weighted bincount of s_X * c_X over its supplier rows. Returns columns
    year, mineral, importer, origin, imports (thousand USD or tonnes), direct, indirect, total,
    source; one row per (year, mineral, importer with imports, origin).
    """
    col = _measure(by)
    groups = dict(groups or {})
    f = flows[flows[col].notna()]
    years = np.sort(f["year"].unique())
    minerals = sorted(_uniques(f["mineral"]))
    countries = sorted(_uniques(f["exporter"]) | _uniques(f["importer"]))
    importers = countries + sorted(groups)
    ny, ng, nc, nm = len(years), len(minerals), len(countries), len(importers)
    y = np.searchsorted(years, f["year"].to_numpy())
    g = _codes(f["mineral"], minerals)
    x = _codes(f["exporter"], countries)
    m = _codes(f["importer"], countries)
    v = f[col].to_numpy(dtype="float64")

    # supplier rows (year, mineral, exporter, importer), HS codes summed
    key = ((y * ng + g) * nc + x) * nm + m
    uk, inv = np.unique(key, return_inverse=True)
    val = np.bincount(inv, weights=v)
    r_m = uk % nm
    rest = uk // nm
    r_x = rest % nc
    r_yg = rest // nc
    # add group importers: members' imports from outside the group
    for gi, (_, members) in enumerate(sorted(groups.items())):
        member = np.zeros(nc, dtype=bool)
        member[[countries.index(c) for c in members if c in countries]] = True
        sel = member[r_m] & ~member[r_x]
        gk = r_yg[sel] * nc + r_x[sel]
        guk, ginv = np.unique(gk, return_inverse=True)
        r_m = np.r_[r_m, np.full(len(guk), nc + gi)]
        r_x = np.r_[r_x, guk % nc]
        r_yg = np.r_[r_yg, guk // nc]
        val = np.r_[val, np.bincount(ginv, weights=val[sel])]
    is_country_m = r_m < nc

    cell = r_yg * nc  # + country -> index into dense (year, mineral, country) arrays
    size = ny * ng * nc
    imports_x = np.bincount((cell + np.where(is_country_m, r_m, 0))[is_country_m], weights=val[is_country_m], minlength=size)
    exports_x = np.bincount((cell + r_x)[is_country_m], weights=val[is_country_m], minlength=size)
    denom = np.maximum(imports_x, exports_x)
    total_m = np.bincount(r_yg * nm + r_m, weights=val, minlength=ny * ng * nm)
    share = val / total_m[r_yg * nm + r_m]

    out = []
    for origin in origins:
        if origin not in countries:
            continue
        o = countries.index(origin)
        from_o = is_country_m & (r_x == o)
        imp_o = np.bincount((cell + np.where(is_country_m, r_m, 0))[from_o], weights=val[from_o], minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(denom > 0, imp_o / denom, 0.0)
        # third countries: X != O (X == M cannot happen: no trade with oneself, and group
        # members are not suppliers of their group)
        third = r_x != o
        contrib = np.where(third, share * c[cell + r_x], 0.0)
        direct = np.where(r_x == o, share, 0.0)
        mk = r_yg * nm + r_m
        uk_m, minv = np.unique(mk, return_inverse=True)
        d = np.bincount(minv, weights=direct)
        ind = np.bincount(minv, weights=contrib)
        yg, mm = uk_m // nm, uk_m % nm
        out.append(
            pd.DataFrame(
                {
                    "year": years[yg // ng].astype(int),
                    "mineral": np.asarray(minerals, dtype=object)[yg % ng],
                    "importer": np.asarray(importers, dtype=object)[mm],
                    "origin": origin,
                    "imports": total_m[uk_m],
                    "direct": d,
                    "indirect": ind,
                    "total": d + ind,
                }
            )
        )
    cols = ["year", "mineral", "importer", "origin", "imports", "direct", "indirect", "total"]
    res = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)
    res["source"] = SOURCE
    return res


def exposure_loop(
    flows: pd.DataFrame,
    origins: Iterable[str] = ("CHN",),
    *,
    by: str = "value",
    groups: Mapping[str, Iterable[str]] | None = None,
    importers: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The same numbers as :func:`exposure_all`, one importer at a time with pandas groupbys
    and merges (a separate code path): the cross-check for tests and the baseline for the
    benchmark. Not for production use."""
    col = _measure(by)
    groups = dict(groups or {})
    f = flows[flows[col].notna()]
    f = f.assign(mineral=f["mineral"].astype(str), exporter=f["exporter"].astype(str), importer=f["importer"].astype(str))
    pairs = f.groupby(["year", "mineral", "exporter", "importer"], as_index=False)[col].sum()
    imp = pairs.groupby(["year", "mineral", "importer"])[col].sum().rename("I")
    exp = pairs.groupby(["year", "mineral", "exporter"])[col].sum().rename("E")
    ie = pd.concat([imp.rename_axis(["year", "mineral", "country"]), exp.rename_axis(["year", "mineral", "country"])], axis=1).fillna(0)
    denom = np.maximum(ie["I"], ie["E"]).rename("denom")
    if importers is None:
        importers = sorted(set(pairs["importer"])) + sorted(groups)
    rows = []
    for m in importers:
        members = set(groups.get(m, [m]))
        outside = members if m in groups else set()  # a group's members do not supply it
        mine = pairs[pairs["importer"].isin(members) & ~pairs["exporter"].isin(outside)]
        if mine.empty:
            continue
        s = mine.groupby(["year", "mineral", "exporter"], as_index=False)[col].sum()
        tot = s.groupby(["year", "mineral"])[col].transform("sum")
        s["s"] = s[col] / tot
        for origin in origins:
            from_o = pairs[pairs["exporter"] == origin].groupby(["year", "mineral", "importer"])[col].sum().rename("IO")
            from_o.index.names = ["year", "mineral", "country"]
            c = (from_o / denom.reindex(from_o.index)).rename("c")
            t = s.merge(c.reset_index().rename(columns={"country": "exporter"}), on=["year", "mineral", "exporter"], how="left")
            t["c"] = t["c"].fillna(0.0)
            t["direct"] = np.where(t["exporter"] == origin, t["s"], 0.0)
            t["indirect"] = np.where(t["exporter"] != origin, t["s"] * t["c"], 0.0)
            r = t.groupby(["year", "mineral"], as_index=False).agg(
                imports=(col, "sum"), direct=("direct", "sum"), indirect=("indirect", "sum")
            )
            r["importer"] = m
            r["origin"] = origin
            rows.append(r)
    res = pd.concat(rows, ignore_index=True)
    res["total"] = res["direct"] + res["indirect"]
    res["source"] = SOURCE
    return res[["year", "mineral", "importer", "origin", "imports", "direct", "indirect", "total", "source"]]


# ----------------------------------------------------------------------------------------------
# Year by year, and beside USGS


def yearly_import_sources(
    flows: pd.DataFrame, importer: str, mineral: str, *, groups: Mapping[str, Iterable[str]] | None = None
) -> pd.DataFrame:
    """One row per (year, exporter) of ``importer``'s imports of ``mineral``: value_kusd,
    quantity_t and share_value (of that year's imports by value). Empty if it imports none."""
    f = flows[flows["mineral"] == mineral]
    cols = ["year", "importer", "exporter", "mineral", "value_kusd", "quantity_t", "share_value", "source"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    f = f.assign(value_q_kusd=np.where(f["quantity_t"].notna(), f["value_kusd"], 0.0))
    g = f.groupby(["year", "mineral", "exporter", "importer"], observed=True, sort=True)
    agg = g.agg(value_kusd=("value_kusd", "sum"), quantity_t=("quantity_t", "sum"), value_q_kusd=("value_q_kusd", "sum")).reset_index()
    for c in ("mineral", "exporter", "importer"):
        agg[c] = agg[c].astype(str)
    if groups and importer in groups:
        agg = with_groups(agg, {importer: groups[importer]})
    d = agg[agg["importer"] == importer].copy()
    if d.empty:
        return pd.DataFrame(columns=cols)
    d["share_value"] = d["value_kusd"] / d.groupby("year")["value_kusd"].transform("sum")
    d["source"] = SOURCE
    return d[cols].sort_values(["year", "value_kusd"], ascending=[True, False], ignore_index=True)


def usgs_beside_baci(us: pd.DataFrame, agg: pd.DataFrame, minerals: Iterable[str], year_from: int, year_to: int) -> pd.DataFrame:
    """USGS's U.S. import sources (its headline series, shares of U.S. imports) beside BACI's
    shares by value for the same span: per mineral, USGS's top source with both shares, and
    China's share in both. Differences are in share points (BACI minus USGS)."""
    rows = []
    prim = us[(us["measure"] == "import_sources") & us["primary"]].dropna(subset=["value"])
    for m in minerals:
        u = prim[prim["mineral"] == m]
        b = agg[(agg["importer"] == "USA") & (agg["mineral"] == m)]
        if u.empty or b.empty or b["value_kusd"].sum() <= 0:
            continue
        bs = b.groupby("exporter")["value_kusd"].sum() / b["value_kusd"].sum()
        us_share = u.set_index("country")["value"] / 100.0
        top = us_share[~us_share.index.isin(["OTH", "WLD"])].sort_values(ascending=False)
        if top.empty:
            continue
        t = top.index[0]
        rows.append(
            {
                "mineral": m,
                "usgs_top_source": t,
                "usgs_top_share": float(top.iloc[0]),
                "baci_share_of_usgs_top": float(bs.get(t, 0.0)),
                "baci_top_source": str(bs.idxmax()),
                "baci_top_share": float(bs.max()),
                "usgs_china_share": float(us_share.get("CHN", 0.0)),
                "baci_china_share": float(bs.get("CHN", 0.0)),
                "china_difference": float(bs.get("CHN", 0.0) - us_share.get("CHN", 0.0)),
                "usgs_period": str(u["period"].dropna().iloc[0]) if u["period"].notna().any() else "",
                "baci_period": f"{year_from}–{year_to}",
                "sources": [str(u["source"].iloc[0]), SOURCE],
            }
        )
    return pd.DataFrame(rows)
