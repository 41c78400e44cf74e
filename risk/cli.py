"""Command line: ``python -m risk <command>``.

Commands print a clear one-line error (no traceback) and exit 1 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import DATA_DIR
from .yamlio import DataFileError

RAW = {
    "usgs2026": "raw/usgs_mcs2026/MCS2026_Commodities_Data.csv",
    "usgs2025": "raw/usgs_mcs2025/MCS2025_World_Data.csv",
    "iea": "raw/iea/IEA_Critical_Minerals_Dataset_2025-05.xlsx",
    "wgi": "raw/wgi/WGIData.csv",
    "critical2022": "raw/usgs_critical_minerals_2022/MCS2025_T4_Critical_Minerals_End_Use.csv",
    "baci": "raw/baci_hs92",
}


def import_all(data_dir: Path, raw_dir: Path | None = None) -> dict[str, str | bytes]:
    """Regenerate every generated file under ``data_dir`` from the raw files (text, or bytes for the trade store)."""
    from .importers.baci import import_baci
    from .importers.critical_list import import_critical_list_file
    from .importers.iea import import_iea_file
    from .importers.usgs_mcs import import_edition
    from .importers.wgi import import_wgi_file

    raw_dir = raw_dir or data_dir
    files: dict[str, str] = {}
    files |= import_edition(raw_dir / RAW["usgs2026"], "2026", data_dir, raw_dir)
    files |= import_edition(raw_dir / RAW["usgs2025"], "2025", data_dir, raw_dir)
    files |= import_iea_file(raw_dir / RAW["iea"], data_dir, corrections_dir=raw_dir)
    files |= import_wgi_file(raw_dir / RAW["wgi"], data_dir)
    files |= import_critical_list_file(raw_dir / RAW["critical2022"], data_dir)
    files |= import_baci(raw_dir / RAW["baci"], data_dir, raw_dir / "trade_products.yaml")
    return files


def _cmd_import_usgs(a) -> int:
    from .importers.usgs_mcs import import_edition

    files = import_edition(a.path, a.edition, a.data_dir)
    print(f"Imported MCS {a.edition}: wrote {len(files)} files under {a.data_dir}/usgs/")
    return 0


def _cmd_import_iea(a) -> int:
    from .importers.iea import import_iea_file

    files = import_iea_file(a.path, a.data_dir, a.edition)
    print(f"Imported IEA {a.edition}: wrote {len(files)} files under {a.data_dir}/iea/")
    return 0


def _cmd_import_wgi(a) -> int:
    from .importers.wgi import import_wgi_file

    files = import_wgi_file(a.path, a.data_dir)
    print(f"Imported WGI into {', '.join(str(a.data_dir / f) for f in files)}")
    return 0


def _cmd_import_critical(a) -> int:
    from .importers.critical_list import import_critical_list_file

    import_critical_list_file(a.path, a.data_dir)
    print(f"Imported the 2022 critical minerals list into {a.data_dir}/critical_lists.yaml")
    return 0


def _cmd_import_all(a) -> int:
    files = import_all(a.data_dir)
    print(f"Regenerated {len(files)} files under {a.data_dir} from {a.data_dir}/raw/")
    return 0


def _cmd_repair(a) -> int:
    from .yamlio import recover_interrupted

    done = recover_interrupted(a.data_dir)
    for line in done:
        print(line)
    print(f"Repaired {a.data_dir}: {len(done)} change(s)" if done else f"Nothing to repair under {a.data_dir}")
    return 0


def _cmd_validate(a) -> int:
    from .dataset import load_dataset, validation_report

    ds = load_dataset(a.data_dir, strict=False, use_cache=False)
    if a.format == "json":
        print(
            json.dumps(
                {"summary": ds.summary(), "problems": [str(p) for p in ds.problems], "warnings": [str(w) for w in ds.warnings]}, indent=2
            )
        )
    else:
        print(validation_report(ds))
        print("OK" if ds.ok else f"FAILED: {len(ds.problems)} problem(s)")
    return 0 if ds.ok else 1


def _edition(text: str | None) -> str | None:
    from .vocab import edition

    return edition(text)


def _records(df) -> list[dict]:
    import math

    import pandas as pd

    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and math.isnan(v):
                v = None
            if v is pd.NA:
                v = None
            clean[k] = v
        out.append(clean)
    return out


def _print_frame(df, fmt: str, list_cols=("sources",)) -> None:
    if fmt == "json":
        recs = _records(df)
        for r in recs:
            for c in list_cols:
                if isinstance(r.get(c), str):
                    r[c] = r[c].split(";")
        print(json.dumps(recs, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        from .export_data import escape_frame

        print(escape_frame(df).to_csv(index=False), end="")
    else:
        import pandas as pd

        from .fields import labels

        df = df.rename(columns=labels(df.columns))  # headers from the field metadata
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250, "display.max_colwidth", 80):
            print(df.to_string(index=False, float_format=lambda x: f"{x:,.4g}"))


def _cmd_metrics(a) -> int:
    from .dataset import load_dataset
    from .metrics import metrics_table

    ds = load_dataset(a.data_dir)
    if a.mineral and a.mineral not in set(ds.minerals["mineral"]):
        raise ValueError(f"unknown mineral {a.mineral!r}; see `python -m risk validate` or data/usgs/mcs2026/ for the slugs")
    table = metrics_table(ds, mineral=a.mineral, stage=a.stage, year=a.year, edition=_edition(a.edition), bands=a.bands)
    if table.empty:
        raise ValueError("no series match these filters")
    if a.format == "table":
        from .metrics import SUMMARY_COLUMNS

        table = table[[*SUMMARY_COLUMNS, "nir_flag", "dependency_flag"]]
    _print_frame(table, a.format)
    return 0


def _cmd_claims(a) -> int:
    from .dataset import load_dataset
    from .metrics import check_claims

    table = check_claims(load_dataset(a.data_dir))
    if a.format == "table":
        table = table[["claim", "edition", "claimed", "table_value", "difference", "verdict", "explanation", "sources"]]
    _print_frame(table, a.format)
    return 0


def _cmd_events(a) -> int:
    from .events import cmd_events

    return cmd_events(a)


def _cmd_event_claims(a) -> int:
    from .events import cmd_event_claims

    return cmd_event_claims(a)


def _cmd_chains(a) -> int:
    from .chains import cmd_chains

    return cmd_chains(a)


def _cmd_prices(a) -> int:
    from .dataset import load_dataset
    from .metrics import prices

    ds = load_dataset(a.data_dir)
    if a.mineral and a.mineral not in set(ds.minerals["mineral"]):
        raise ValueError(f"unknown mineral {a.mineral!r}; see `python -m risk validate` for the slugs")
    table = prices(ds, a.mineral)
    if table.empty:
        raise ValueError(f"no USGS price series for {a.mineral} in MCS 2026")
    _print_frame(table, a.format, list_cols=())
    return 0


def _parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: use PATH=VALUE, for example shocks.0.fraction=0.5")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


SCENARIO_TABLE_COLUMNS = [
    "mineral",
    "consumer",
    "stage",
    "unit",
    "consumption",
    "loss_volume",
    "shortfall",
    "shortfall_low",
    "shortfall_high",
    "shortfall_net",
    "deal_volume",
    "deal_offset_share",
    "replacement_multiple",
]


def _scenario_overrides(sc, a):
    """--consumer and --stage: changes to the scenario's view of the baseline."""
    upd = {}
    if getattr(a, "consumer", None):
        upd["baseline.consumer"] = a.consumer.strip().upper().replace("-", "")
    if getattr(a, "stage", None):
        upd["baseline.stage"] = a.stage.strip().lower()
    if not upd:
        return sc
    from .scenarios import with_values

    return with_values(sc, upd, where="--consumer/--stage")


def _cmd_scenario(a) -> int:
    from .dataset import load_dataset
    from .scenarios import ScenarioError, load_scenario, run_scenario, save_scenario, with_values

    sc = load_scenario(a.scenario)
    sets = _parse_sets(a.set)
    if sets:
        sc = with_values(sc, sets)
    sc = _scenario_overrides(sc, a)
    if a.minerals:
        keep = [m.strip() for m in a.minerals.split(",") if m.strip()]
        unknown = [m for m in keep if m not in sc.baseline.minerals]
        if unknown:
            raise ValueError(f"--minerals: {', '.join(unknown)} not in the scenario ({', '.join(sc.baseline.minerals)})")
        sc = sc.model_copy(update={"baseline": sc.baseline.model_copy(update={"minerals": keep})})
    if a.save:
        save_scenario(sc, a.save)
        print(f"saved {a.save}", file=sys.stderr)
    try:
        results = run_scenario(load_dataset(a.data_dir), sc)
    except ScenarioError as exc:
        raise ScenarioError(f"{a.scenario}: {exc}") from None
    if a.format == "json":
        print(json.dumps([r.to_dict(with_path=True) for r in results], indent=2, ensure_ascii=False))
    else:
        import pandas as pd

        from .scenarios import results_frame

        df = results_frame(results)
        print(f"{sc.name} ({sc.id})")
        with pd.option_context("display.max_columns", None, "display.width", 250):
            print(df[SCENARIO_TABLE_COLUMNS].to_string(index=False, float_format=lambda x: f"{x:,.3g}"))
        for r in results:
            print(f"{r.mineral}: {r.sentence}")
            for k, why in r.reasons.items():
                print(f"  {k}: {why}")
            for n in r.notes:
                print(f"  note: {n}")
    return 0


def _scenario_from_args(a):
    from .scenarios import load_scenario, with_values

    sc = load_scenario(a.scenario)
    sets = _parse_sets(a.set)
    return with_values(sc, sets) if sets else sc


def _cmd_brief(a) -> int:
    from .dataset import load_dataset
    from .export import build_pack, write_pack

    sc = _scenario_from_args(a)
    minerals = [m.strip() for m in a.minerals.split(",") if m.strip()] if a.minerals else None
    _check_out(a.out, (".pptx", ".pdf"))
    pack = build_pack(load_dataset(a.data_dir), sc, minerals, paper=a.paper)
    for path in write_pack(pack, a.out, slug=f"{sc.id.replace('_', '-')}-briefing"):
        print(f"wrote {path} ({len(pack.charts)} charts)")
    return 0


CHART_KINDS = ("shares", "map", "imports", "nir", "waterfall", "suppliers", "time-path", "criticality")


def _cmd_chart(a) -> int:
    from . import charts
    from .dataset import load_dataset
    from .export import write_chart
    from .metrics import main_series, metrics_table, shares
    from .vocab import CURRENT_EDITION, NON_PRODUCTION_STAGES, edition_label

    _check_out(a.out, (".png", ".svg", ".pdf"))
    ds = load_dataset(a.data_dir)
    names = ds.minerals.set_index("mineral")["name"].to_dict()
    kind = a.kind
    if kind != "criticality":
        if not a.mineral:
            raise ValueError(f"--mineral is needed for a {kind} chart")
        if a.mineral not in names:
            raise ValueError(f"unknown mineral {a.mineral!r}")
    if kind in ("waterfall", "suppliers", "time-path"):
        from .scenarios import run_mineral

        sc = _scenario_from_args(a)
        if a.mineral not in sc.baseline.minerals:
            raise ValueError(f"--mineral {a.mineral} is not in scenario {sc.id} ({', '.join(sc.baseline.minerals)})")
        r = run_mineral(ds, sc, a.mineral)
        builder = {"waterfall": charts.waterfall, "suppliers": charts.supplier_shares, "time-path": charts.time_path}[kind]
        fig, meta = builder(r, sc, sources=ds)
    elif kind in ("shares", "map"):
        edition = _edition(a.edition) or CURRENT_EDITION
        f = ds.figures[(ds.figures["mineral"] == a.mineral) & (ds.figures["edition"] == edition)]
        if a.stage:
            f = f[f["stage"] == a.stage]
        else:
            f = f[~f["stage"].isin(NON_PRODUCTION_STAGES)]
        if f.empty:
            raise ValueError(f"no {a.stage or 'production'} figures for {a.mineral} in {edition}")
        year = a.year or int(f.loc[f["flag"] != "projection", "year"].max())
        f = f[f["year"] == year]
        first = f.iloc[0]
        f = f[(f["stage"] == first["stage"]) & (f["product"] == first["product"])]
        builder = charts.share_bar if kind == "shares" else charts.world_map
        fig, meta = builder(
            shares(f),
            mineral_name=names[a.mineral],
            stage=first["stage"],
            product=first["product"],
            year=int(year),
            unit=first["unit"],
            edition_label=edition_label(edition),
            sources=ds,
        )
    elif kind in ("imports", "nir"):
        us = ds.us[ds.us["mineral"] == a.mineral]
        if us.empty:
            raise ValueError(f"no U.S. trade figures for {a.mineral}")
        builder = charts.import_sources_bar if kind == "imports" else charts.nir_trend
        fig, meta = builder(us=us, mineral_name=names[a.mineral], sources=ds)
    else:
        year = a.year or 2025
        m = main_series(metrics_table(ds, edition=CURRENT_EDITION, year=year, bands=a.bands))
        crit = ds.minerals.set_index("mineral")["critical_2025"]
        m = m[m["mineral"].map(crit).fillna(False).astype(bool)].dropna(subset=["hhi"])
        fig, meta = charts.criticality_scatter(m, names=names, year=year, sources=ds, stage_label="main production stage", bands=a.bands)
    path = write_chart(fig, meta, a.out)
    print(f"wrote {path}")
    return 0


def _check_out(out: Path, suffixes: tuple[str, ...]) -> None:
    if out.exists() and out.is_dir():
        return
    if out.suffix.lower() not in suffixes:
        raise ValueError(f"{out}: unsupported format {out.suffix or '(none)'}; use {', '.join(suffixes)} or an existing folder")
    if not out.parent.is_dir():
        raise ValueError(f"{out}: folder {out.parent} does not exist")


def _command(sub, name: str, help: str, func, formats=("json", "csv", "table"), default: str = "table"):
    """A subcommand with its --format choices and handler; the caller adds the other arguments."""
    s = sub.add_parser(name, help=help)
    s.add_argument("--format", choices=list(formats), default=default)
    s.set_defaults(func=func)
    return s


def build_parser() -> argparse.ArgumentParser:
    from .vocab import BAND_SETS, DEFAULT_BANDS, EDITIONS, STAGE_IDS

    p = argparse.ArgumentParser(prog="python -m risk", description="Critical-minerals supply-risk toolkit.")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, help="data folder (default: the bundled data/)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("import-usgs", help="import a USGS MCS data-release CSV into data/usgs/")
    s.add_argument("path", type=Path)
    s.add_argument("--edition", required=True, choices=["2026", "2025"])
    s.set_defaults(func=_cmd_import_usgs)

    s = sub.add_parser("import-iea", help="import the IEA Critical Minerals Dataset workbook into data/iea/")
    s.add_argument("path", type=Path)
    s.add_argument("--edition", default="iea2025")
    s.set_defaults(func=_cmd_import_iea)

    s = sub.add_parser("import-wgi", help="import the World Bank WGI bulk CSV into data/wgi/")
    s.add_argument("path", type=Path)
    s.set_defaults(func=_cmd_import_wgi)

    s = sub.add_parser("import-critical-list", help="import the 2022 critical minerals list (MCS 2025 table T4)")
    s.add_argument("path", type=Path)
    s.set_defaults(func=_cmd_import_critical)

    s = sub.add_parser("import-all", help="regenerate every generated file from data/raw/")
    s.set_defaults(func=_cmd_import_all)

    s = sub.add_parser("repair", help="restore the data an interrupted import left aside and remove its staging folders")
    s.set_defaults(func=_cmd_repair)

    from .trade_cli import add_commands as add_trade_commands

    add_trade_commands(sub)  # import-baci, trade, exposure

    s = sub.add_parser("metrics", help="concentration and dependency metrics, one row per series and year")
    s.add_argument("--format", choices=["json", "csv", "table"], default="table")
    s.add_argument("--mineral")
    s.add_argument("--stage", choices=STAGE_IDS)
    s.add_argument("--year", type=int)
    s.add_argument("--edition", help=", ".join(f"{e.aliases[0]} ({e.label})" for e in EDITIONS.values()))
    s.add_argument(
        "--bands",
        choices=list(BAND_SETS),
        default=DEFAULT_BANDS,
        help="HHI band set: " + "; ".join(b.describe() for b in BAND_SETS.values()),
    )
    s.set_defaults(func=_cmd_metrics)

    s = _command(sub, "prices", "USGS salient-statistics prices (2021-2025) with units and series names", _cmd_prices)
    s.add_argument("--mineral")

    s = _command(sub, "claims", "the press claims beside the USGS/IEA figures", _cmd_claims)

    s = sub.add_parser("scenario", help="run a named scenario (or a YAML file) and print per-mineral results")
    s.add_argument("scenario", help="china_export_ban, russia_deal, ukraine_deal, china_ban_russia_deal, or a path to a YAML file")
    s.add_argument("--set", action="append", metavar="PATH=VALUE", help="change a parameter, e.g. shocks.0.fraction=0.5 (repeatable)")
    s.add_argument("--minerals", help="comma-separated subset of the scenario's minerals")
    s.add_argument("--consumer", help="the consuming country (ISO3, default USA) or EU27; other consumers use BACI import sources")
    s.add_argument(
        "--stage",
        help="supply stage for every mineral: auto (the choke point in data/scenarios/baseline.yaml), mine, refinery, primary, smelter ...",
    )
    s.add_argument("--format", choices=["json", "table"], default="table")
    s.add_argument("--save", type=Path, help="also save the (changed) scenario as YAML")
    s.set_defaults(func=_cmd_scenario)

    s = sub.add_parser("brief", help="build the briefing pack (PPTX and/or PDF) for a scenario, without a browser")
    s.add_argument("scenario", help="a named scenario or a YAML file")
    s.add_argument("--set", action="append", metavar="PATH=VALUE")
    s.add_argument("--minerals", help="comma-separated subset of the scenario's minerals")
    s.add_argument("--out", type=Path, required=True, help="brief.pptx, brief.pdf, or an existing folder for both")
    s.add_argument("--paper", choices=("letter", "a4"), default="letter", help="the PDF's page size, landscape (default: letter)")
    s.set_defaults(func=_cmd_brief)

    s = sub.add_parser("chart", help="export one chart as PNG, SVG or PDF")
    s.add_argument("kind", choices=CHART_KINDS)
    s.add_argument("--mineral")
    s.add_argument("--stage")
    s.add_argument("--year", type=int)
    s.add_argument("--edition")
    s.add_argument("--scenario", default="china_export_ban", help="for waterfall, suppliers and time-path charts")
    s.add_argument("--bands", choices=list(BAND_SETS), default=DEFAULT_BANDS, help="HHI band set for the criticality chart")
    s.add_argument("--set", action="append", metavar="PATH=VALUE")
    s.add_argument("--out", type=Path, required=True, help="file.png, file.svg, file.pdf or an existing folder (PNG)")
    s.set_defaults(func=_cmd_chart)

    s = _command(sub, "events", "export-control events and their status on a date", _cmd_events)
    s.add_argument("--as-of", help="date YYYY-MM-DD (default: the data's as-of date)")
    s.add_argument("--mineral")

    s = _command(sub, "chains", "product chains: each stage's top countries and shares, with year and source", _cmd_chains)
    s.add_argument("--mineral")
    s.add_argument("--chain", help="ndfeb_magnets, li_ion_batteries, chip_materials")

    s = _command(
        sub, "event-claims", "the article's claims on magnets, Ga/Ge supply and a U.S. ban, against events and chains", _cmd_event_claims
    )

    s = _command(
        sub,
        "validate",
        "check data/ and print a summary; exit 1 listing every problem",
        _cmd_validate,
        formats=(
            "text",
            "json",
        ),
        default="text",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
