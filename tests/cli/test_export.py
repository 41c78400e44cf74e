"""Exports: charts (PNG/SVG/PDF), the briefing pack (PPTX/PDF), CSV/XLSX escaping, the batch CLI."""

import io
import subprocess

import pandas as pd
import pytest

from risk import charts, export
from risk.cli import main
from risk.export_data import escape_cell, to_csv_bytes
from risk.scenarios import load_scenario, run_mineral
from tests.conftest import require_chromium


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


@pytest.fixture(scope="module")
def waterfall(ds):
    sc = load_scenario("china_export_ban")
    r = run_mineral(ds, sc, "gallium")
    return charts.waterfall(r, sc, sources=ds)


def pdf_text(data: bytes, tmp_path) -> tuple[int, str]:
    p = tmp_path / "x.pdf"
    p.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(p)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


# --- data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_escaped(bad):
    assert escape_cell(bad) == "'" + bad
    csv = to_csv_bytes(pd.DataFrame({"country": [bad], "value": [1]}), sources=[]).decode()
    assert f"'{bad[:1]}" in csv
    assert escape_cell("China") == "China" and escape_cell(-5) == -5


def test_csv_carries_sources(ds):
    data = to_csv_bytes(pd.DataFrame({"a": [1]}), sources=[ds.sources["usgs_mcs2026"]], title="Gallium shares").decode()
    assert data.startswith("# Gallium shares\n# Source: usgs_mcs2026: National Minerals Information Center")
    assert data.rstrip().endswith("a\n1")


def test_xlsx_has_data_sources_and_parameters(ds):
    import openpyxl

    blob = export.to_xlsx_bytes(
        {"Data": pd.DataFrame({"country": ["=cmd|'/c calc'!A0", "CHN"], "share": [0.1, 0.9]})},
        sources=[ds.sources["usgs_mcs2026"]],
        title="t",
        parameters={"shocks.0.fraction": 1.0},
    )
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    assert wb.sheetnames == ["Data", "Sources", "Parameters"]
    assert wb["Data"]["A2"].value == "'=cmd|'/c calc'!A0"
    assert wb["Data"]["A2"].data_type == "s"
    assert "Mineral Commodity Summaries 2026" in wb["Sources"]["A2"].value


# --- charts ---------------------------------------------------------------------------------


def test_png_is_large_and_named(chromium, waterfall):
    from PIL import Image

    fig, meta = waterfall
    png = export.render_chart(fig, "png")
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size[0] >= 1600
    assert export.chart_filename(meta, "png") == "gallium-china-export-ban-waterfall-2025.png"


def test_svg_and_pdf_carry_title_and_source(chromium, waterfall, tmp_path):
    fig, _meta = waterfall
    svg = export.render_chart(fig, "svg").decode()
    assert "U.S. gallium shortfall" in svg and "Mineral Commodity Summaries 2026" in svg
    pages, text = pdf_text(export.render_chart(fig, "pdf"), tmp_path)
    assert pages == 1 and "gallium shortfall" in text and "doi:10.5066/P1WKQ63T" in text


def test_map_exports_offline(chromium, ds, tmp_path):
    from risk.metrics import shares

    f = ds.figures[
        (ds.figures.mineral == "cobalt") & (ds.figures.edition == "mcs2026") & (ds.figures.stage == "mine") & (ds.figures.year == 2025)
    ]
    fig, _meta = charts.world_map(
        shares(f), mineral_name="Cobalt", stage="mine", product="", year=2025, unit="t", edition_label="USGS MCS 2026", sources=ds
    )
    svg = export.render_chart(fig, "svg").decode()
    assert svg.count("choroplethlocation") >= 10  # country shapes drawn from the bundled topology


def test_unsupported_format_and_no_partial_file(chromium, waterfall, tmp_path, monkeypatch):
    fig, meta = waterfall
    with pytest.raises(export.ExportError, match="unsupported"):
        export.write_chart(fig, meta, tmp_path / "x.gif")

    def boom(*a, **k):
        raise export.ExportError("render failed")

    monkeypatch.setattr(export, "render_chart", boom)
    with pytest.raises(export.ExportError):
        export.write_chart(fig, meta, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


# --- briefing pack --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack(ds, chromium):
    return export.build_pack(ds, load_scenario("china_ban_russia_deal"), ["gallium", "antimony"])


def test_pack_pptx(pack):
    from pptx import Presentation

    images = export.pack_images(pack)
    prs = Presentation(io.BytesIO(export.pack_pptx_bytes(pack, images)))
    slides = list(prs.slides)
    tables = sum(t is not None and not t.empty for t in (pack.controls, pack.chain))
    assert tables == 2  # gallium and antimony: Nos. 23 of 2023, 33 and 46 of 2024; the chip-materials chain
    # title, bottom line, charts, export controls, product chain, key figures, sources
    assert len(slides) == 2 + len(pack.charts) + tables + 2
    texts = ["\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides]
    assert "China export ban + Russia deal" in texts[0]
    assert texts[1].startswith("Bottom line") and all(line in texts[1] for line in pack.bottom_line)
    # v2 (issue 12): the deal is set against the U.S. loss (22,500 t), not China's world output, so
    # Russia's 32,000 t replace all of it; the MCS 2025 shares put it lower, and the text gives the range
    assert any("the deal would replace 100% of it" in t for t in texts)
    assert any("between 0% and 9%" in t for t in texts)
    assert "Key figures" in texts[-2] and "Sources" in texts[-1] and "10.5066/P1WKQ63T" in texts[-1]
    pics = [sh for s in slides[2:-2] for sh in s.shapes if sh.shape_type == 13]
    assert len(pics) == len(pack.charts)


def test_pack_pdf(pack, tmp_path):
    pages, text = pdf_text(export.pack_bytes(pack, "pdf"), tmp_path)
    assert pages == 2 + len(pack.charts) + 2 + 2
    assert "Export controls on these minerals" in text and "Announcement No. 46 of 2024" in text
    assert "Where each stage of the product chain is concentrated" in text and "Chip and optics materials" in text
    assert "Key figures" in text and "Sources" in text and "Antimony" in text and "Bottom line" in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "x.pdf")], capture_output=True, text=True, check=True).stdout
    assert "792 x 612 pts (letter)" in info  # US Letter, landscape, by default


def test_pack_pdf_on_a4(ds, chromium, tmp_path):
    a4 = export.build_pack(ds, load_scenario("china_export_ban"), ["gallium"], paper="a4")
    p = tmp_path / "a4.pdf"
    p.write_bytes(export.pack_bytes(a4, "pdf"))
    assert "(A4)" in subprocess.run(["pdfinfo", str(p)], capture_output=True, text=True, check=True).stdout
    with pytest.raises(export.ExportError, match="paper 'legal'"):
        export.build_pack(ds, load_scenario("china_export_ban"), ["gallium"], paper="legal")


def test_pack_bottom_line_reads_as_three_sentences_with_ranges(pack):
    # China ban + Russia deal, gallium and antimony (MCS 2026): antimony loses 50% of U.S.
    # consumption (NIR x China's share of U.S. imports, p = 0; 49.8-50.3%, 50% at whole percent),
    # 22,500 of 45,000 t, "about 23,000 t"; gallium 18%, about 3,400 kg, is smaller. After the deal: gallium's gap is closed at both ends of
    # its range, antimony's stays between 0% and 9% (the MCS 2025 shares), so it is named as open.
    assert len(pack.bottom_line) == 3
    first, second, third = pack.bottom_line
    assert first.startswith("The largest loss is in antimony") and "23,000 t a year" in first
    assert "between 0% and 9% of U.S. antimony consumption stays unmet" in second and "close the gap for gallium" in second
    assert third.startswith("U.S. stocks")


def test_pack_rounds_the_same_on_slides_and_in_the_table(pack):
    # a share is written one way everywhere: the supplier chart's title and the key figures agree,
    # and the slide's sentence does not repeat the chart's title
    checked = 0
    for item in pack.charts:
        if "accessible to the U.S. is lost" in item.meta.title:
            name = next(n for n in pack.key_figures["Mineral"] if n.lower() in item.meta.title.lower())
            share = pack.key_figures.set_index("Mineral").loc[name, "Accessible supply lost"]
            assert item.meta.title.lower().startswith(share.lower()), (item.meta.title, share)
            checked += 1
        assert item.finding.rstrip(".") != item.meta.title and item.meta.title not in item.finding
    assert checked == 2
    assert not any(".." in item.finding for item in pack.charts)
    assert all(src.count("Licence:") == 1 for src in pack.sources)
    assert not any("to the consumer" in p for p in pack.parameters)


def test_cli_brief_and_chart(chromium, tmp_path, capsys):
    out = tmp_path / "brief.pptx"
    assert main(["brief", "china_ban_russia_deal", "--minerals", "antimony", "--out", str(out)]) == 0
    from pptx import Presentation

    assert len(Presentation(str(out)).slides) >= 4
    assert main(["brief", "china_export_ban", "--minerals", "gallium", "--out", str(tmp_path)]) == 0
    assert {p.suffix for p in tmp_path.glob("china-export-ban-briefing.*")} == {".pptx", ".pdf"}
    assert main(["chart", "shares", "--mineral", "gallium", "--out", str(tmp_path / "g.svg")]) == 0
    assert "China accounts for 99%" in (tmp_path / "g.svg").read_text()
    capsys.readouterr()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["brief", "nope", "--out", "OUT/b.pptx"], "unknown scenario 'nope'"),
        (["brief", "china_export_ban", "--minerals", "unobtainium", "--out", "OUT/b.pptx"], "unknown mineral"),
        (["brief", "china_export_ban", "--out", "OUT/missing/b.pptx"], "does not exist"),
        (["brief", "china_export_ban", "--out", "OUT/b.docx"], "unsupported format .docx"),
        (["chart", "shares", "--mineral", "unobtainium", "--out", "OUT/x.png"], "unknown mineral"),
        (["chart", "waterfall", "--mineral", "cobalt", "--out", "OUT/x.png"], "not in scenario"),
    ],
)
def test_cli_bad_input(args, needle, tmp_path, capsys):
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_no_write_permission(tmp_path, capsys, monkeypatch):
    """A folder the user cannot write to (simulated: tests may run as root, which ignores modes)."""
    real = export.os.access
    monkeypatch.setattr(export.os, "access", lambda p, mode: False if str(p) == str(tmp_path) else real(p, mode))
    assert main(["chart", "shares", "--mineral", "gallium", "--out", str(tmp_path / "x.png")]) == 1
    assert "no permission to write" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
