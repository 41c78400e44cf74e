"""Command-line handlers for the trade layer: ``import-baci``, ``trade`` and ``exposure``.

Registered by :func:`add_commands` from :func:`risk.cli.build_parser`. Only argparse is
imported at start-up; pandas and pyarrow are imported when a trade command runs, and the store
is read only for the minerals asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

BACI_NOTE = "CEPII BACI HS92 (cepii_baci_hs92), values in thousand current USD (FOB), quantities in tonnes gross weight"


def add_commands(sub) -> None:
    s = sub.add_parser("import-baci", help="import the CEPII BACI minerals slice (folder or .csv.gz) into data/trade/")
    s.add_argument("path", type=Path, help="data/raw/baci_hs92 or its .csv.gz (country_codes.csv must sit beside it)")
    s.set_defaults(func=cmd_import_baci)

    s = sub.add_parser("trade", help="an importer's sources of one mineral over a span of years (BACI), one row per exporter")
    _common(s)
    s.add_argument("--format", choices=["json", "csv", "table"], default="table")
    s.set_defaults(func=cmd_trade)

    s = sub.add_parser("exposure", help="direct, indirect (via third countries) and total share of an origin in an importer's supply")
    _common(s)
    s.add_argument("--origin", default="CHN", help="ISO3 of the origin (default CHN)")
    s.add_argument("--format", choices=["json", "table"], default="table")
    s.set_defaults(func=cmd_exposure)


def _common(s) -> None:
    s.add_argument("--importer", default="USA", help="ISO3 code or EU27 (default USA)")
    s.add_argument(
        "--mineral", required=True, help="a mapped mineral slug (rare_earths ...)" + ("; or all" if s.prog.endswith("exposure") else "")
    )
    s.add_argument("--from", dest="year_from", type=int, help="first year (default: three years before --to)")
    s.add_argument("--to", dest="year_to", type=int, help="last year (default: the latest year in the data)")
    s.add_argument("--by", choices=["value", "quantity"], default="value", help="shares by value (default) or by quantity")


def cmd_import_baci(a) -> int:
    from .importers.baci import STORE, import_baci

    files = import_baci(a.path, a.data_dir, a.data_dir / "trade_products.yaml")
    size = len(files[STORE])
    print(f"Imported CEPII BACI HS92 into {a.data_dir}/{STORE} ({size / 1e6:.1f} MB)")
    return 0


class _Query:
    """The validated query: mapping, store (only the minerals needed), years, importer."""

    def __init__(self, a, minerals: list[str] | None, origin: str | None = None):
        from .importers.baci import load_mapping, load_store, store_years

        self.mapping = load_mapping(a.data_dir / "trade_products.yaml")
        self.groups = {g: list(x.members) for g, x in self.mapping.groups.items()}
        known = self.mapping.minerals
        for m in minerals or []:
            if m not in known:
                raise ValueError(f"--mineral {m!r}: not a mineral in data/trade_products.yaml; use one of {', '.join(known)}")
        first, last = store_years(a.data_dir)
        self.year_to = a.year_to if a.year_to is not None else last
        self.year_from = a.year_from if a.year_from is not None else max(first, self.year_to - 3)
        if self.year_from > self.year_to:
            raise ValueError(f"--from {self.year_from} is after --to {self.year_to}")
        if self.year_from < first or self.year_to > last:
            raise ValueError(f"years {self.year_from}-{self.year_to}: the trade data (cepii_baci_hs92) cover {first}-{last}")
        self.flows = load_store(a.data_dir, minerals=minerals, years=(self.year_from, self.year_to))
        self.importer = _code(a.importer)
        importers = set(self.flows["importer"].cat.categories.astype(str))
        if self.importer not in importers and self.importer not in self.groups:
            raise ValueError(
                f"--importer {a.importer!r}: not an importer in the trade data (cepii_baci_hs92); use an ISO3 code such as USA, JPN, or EU27"
            )
        if origin is not None:
            self.origin = _code(origin)
            if self.origin not in set(self.flows["exporter"].cat.categories.astype(str)):
                raise ValueError(f"--origin {origin!r}: not an exporter in the trade data (cepii_baci_hs92); use an ISO3 code such as CHN")
        from .trade import span_flows, with_groups

        self.agg = with_groups(span_flows(self.flows, self.year_from, self.year_to), self.groups)

    def no_data_reason(self, mineral: str) -> str:
        """Why a mineral has no imports in the span: a code's years, or simply no trade."""
        prods = [self.mapping.products[h] for h in self.mapping.codes(mineral)]
        last = max((p.last_year or 9999) for p in prods)
        span = f"{self.year_from}-{self.year_to}"
        if last < self.year_from:
            codes = ", ".join(p.hs for p in prods)
            return f"no BACI data for {mineral} in {span}: HS {codes} is only valid to {last} (see data/trade_products.yaml)"
        return f"no imports of {mineral} by {self.importer} in {span} in the trade data (cepii_baci_hs92)"


def _code(text: str) -> str:
    t = text.strip().upper().replace("-", "")
    return "EU27" if t in ("EU", "EU27") else t


def cmd_trade(a) -> int:
    from .trade import TradeQueryError, import_sources

    q = _Query(a, [a.mineral])
    try:
        df = import_sources(q.agg, q.importer, a.mineral, q.year_from, q.year_to, names=q.mapping.country_name)
    except TradeQueryError:
        raise ValueError(q.no_data_reason(a.mineral)) from None
    if a.by == "quantity":
        df = df.sort_values(["quantity_t", "exporter"], ascending=[False, True], na_position="last", ignore_index=True)
    if a.format == "table":
        _print_trade_table(df, q, a)
    else:
        from .cli import _print_frame

        _print_frame(df, a.format, list_cols=())
    return 0


def _print_trade_table(df, q: _Query, a) -> None:
    import pandas as pd

    t = df.copy()
    t["value_kusd"] = t["value_kusd"].map(lambda v: f"{v:,.0f}")
    t["quantity_t"] = t["quantity_t"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    for c in ("share_value", "share_quantity"):
        t[c] = t[c].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    name = q.mapping.country_name(q.importer)
    print(f"{name} ({q.importer}) imports of {a.mineral}, {q.year_from}-{q.year_to}, by exporter (sorted by {a.by})")
    with pd.option_context("display.max_rows", None, "display.width", 250):
        print(t.drop(columns=["importer", "mineral", "from", "to", "source"]).to_string(index=False))
    total_v = df["value_kusd"].sum()
    print(f"Total: {total_v:,.0f} thousand USD; {df['quantity_t'].sum():,.0f} t. Source: {BACI_NOTE}.")


def cmd_exposure(a) -> int:
    from .trade import TradeQueryError, exposure, sourcing_concentration

    minerals = None if a.mineral == "all" else [a.mineral]
    q = _Query(a, minerals, origin=a.origin)
    wgi, wgi_year, wgi_source = _wgi(a.data_dir)
    results, skipped = [], []
    by_mineral = dict(tuple(q.agg.groupby("mineral", sort=True)))  # one split, not 40 filters
    for m in minerals or q.mapping.minerals:
        agg = by_mineral.get(m, q.agg.iloc[:0])
        try:
            r = exposure(agg, q.importer, q.origin, m, q.year_from, q.year_to, by=a.by, groups=q.groups)
        except TradeQueryError:
            if minerals:
                raise ValueError(q.no_data_reason(m)) from None
            skipped.append(m)
            continue
        col = "value_kusd" if a.by == "value" else "quantity_t"
        f = agg[(agg["importer"] == q.importer) & agg[col].notna()]
        shares = f.groupby("exporter")[col].sum() / r["imports"]
        conc = sourcing_concentration(shares, wgi, wgi_year)
        r |= {
            "hhi_sourcing": conc["hhi"],
            "hhi_sourcing_band": conc["hhi_band"],
            "hhi_wgi_sourcing": conc["hhi_wgi"],
            "wgi_year": conc["wgi_year"],
            "wgi_coverage": conc["wgi_coverage"],
            "wgi_source": wgi_source,
        }
        results.append(r)
    if not results:
        raise ValueError(f"no imports by {q.importer} of any mapped mineral in {q.year_from}-{q.year_to}")
    if a.format == "json":
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        _print_exposure_table(results, q, a, skipped)
    return 0


def _wgi(data_dir: Path):
    """WGI_scaled by country: risk.metrics.wgi_scores on the dataset's validated WGI table.

    Only data/wgi/wgi2023.csv is read (through the WGI importer's own reader and checks), not the
    whole dataset, so that a first run after a clone stays fast. A table with problems gives no
    governance weights (the HHI_WGI fields are then null), never a guess.
    """
    from .importers.wgi import WGI_FILE, read_wgi_table
    from .metrics import wgi_scores
    from .yamlio import load_yaml_file

    path = data_dir / WGI_FILE
    if not path.exists():
        return None, None, None
    ids = {s.get("id") for s in (load_yaml_file(data_dir / "sources.yaml").get("sources") or []) if isinstance(s, dict)}
    wgi, problems = read_wgi_table(path, ids)
    if problems or wgi.empty:
        return None, None, None
    scores, year = wgi_scores(wgi)
    return scores, year, str(wgi["source"].iloc[0])


def _print_exposure_table(results: list[dict], q: _Query, a, skipped: list[str]) -> None:
    import pandas as pd

    name = q.mapping.country_name(q.importer)
    oname = q.mapping.country_name(q.origin)
    print(f"{oname}-origin share of {name} ({q.importer}) imports, {q.year_from}-{q.year_to}, by {a.by}: direct + via third countries")
    rows = []
    for r in results:
        top = ", ".join(f"{v['country']} {100 * v['share']:.1f}% x {100 * v['look_through']:.0f}%" for v in r["via"][:3])
        rows.append(
            {
                "mineral": r["mineral"],
                "imports": f"{r['imports']:,.0f}",
                "direct": f"{100 * r['direct']:.1f}%",
                "indirect": f"{100 * r['indirect']:.1f}%",
                "total": f"{100 * r['total']:.1f}%",
                "indirect_high": f"{100 * r['indirect_high']:.1f}%",
                "hhi": f"{r['hhi_sourcing']:,.0f}",
                "hhi_wgi": "" if r["hhi_wgi_sourcing"] is None else f"{r['hhi_wgi_sourcing']:.2f}",
                "via (share x look-through)": top,
            }
        )
    with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_colwidth", 90):
        print(pd.DataFrame(rows).to_string(index=False))
    unit = "thousand USD" if a.by == "value" else "t"
    wy = results[0]["wgi_year"]
    print(
        f"imports in {unit}; indirect = sum of s_X x c_X over third countries, c_X = I_X,{q.origin} / max(I_X, E_X); "
        f"indirect_high uses c_X = min(1, I_X,{q.origin} / E_X). HHI 0-10,000 of the importer's sourcing; "
        f"HHI_WGI = sum of share^2 x WGI_scaled (WGI {wy}, wb_wgi_2023)."
    )
    if skipped:
        print(f"No imports in {q.year_from}-{q.year_to}: {', '.join(skipped)}")
    print(f"Source: {BACI_NOTE}.")
