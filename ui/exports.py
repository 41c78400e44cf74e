"""Chart download buttons (PNG, SVG, PDF through kaleido) used by ui.common.render_chart.

Files are built only when the button is clicked (``data=`` is a callable). Where Chromium is
missing the buttons are replaced by a note on how to install it; the plotly toolbar's own PNG
download keeps working.
"""

from __future__ import annotations

import functools

import streamlit as st

from risk import export


@functools.cache  # once per process (st.cache_resource costs a lookup on each of a page's charts)
def _chromium() -> str | None:
    return export.chromium_path()


def _maker(fig, fmt):
    def make() -> bytes:
        return export.render_chart(fig() if callable(fig) else fig, fmt)

    return make


MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart_buttons(fig, meta, key: str, row) -> None:
    """PNG, SVG and PDF download buttons for a chart, rendered when clicked, in ``row`` (a container).
    ``fig`` is a figure or a function giving the one to render at click time."""
    if _chromium() is None:
        row.caption(export.CHROMIUM_HELP + " The chart toolbar's camera icon still saves a PNG.")
        return
    for fmt in ("png", "svg", "pdf"):
        row.download_button(
            fmt.upper(),
            data=_maker(fig, fmt),
            file_name=export.chart_filename(meta, fmt),
            mime=MIME[fmt],
            key=f"{fmt}-{key}",
            help=f"{fmt.upper()} as shown, with title and source" + (" (2x resolution)" if fmt == "png" else ""),
            on_click="ignore",
        )


PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def pack_buttons(
    ds, sc, minerals, cols, *, key: str, stem: str, labels=("Briefing (PPTX)", "Briefing (PDF)"), primary: bool = False
) -> bool:
    """PPTX and PDF download buttons for the briefing pack, built when clicked, and the PDF's paper
    size (Letter by default, A4 as a choice) in the third column. False without Chromium.

    ``sc`` is a Scenario, or a function giving the one to build when the button is clicked (the
    lab's sliders move without sending these buttons again)."""
    if _chromium() is None:
        st.warning(export.CHROMIUM_HELP)
        return False
    paper = (
        cols[2].segmented_control(
            "PDF paper",
            list(export.PAPERS),
            format_func=export.PAPERS.get,
            default="letter",
            key=f"{key}_paper",
            label_visibility="collapsed",
        )
        if len(cols) > 2
        else "letter"
    ) or "letter"

    def maker(fmt: str):
        def make() -> bytes:
            return export.pack_bytes(export.build_pack(ds, sc() if callable(sc) else sc, minerals, paper=paper), fmt)

        return make

    cols[0].download_button(
        labels[0],
        data=maker("pptx"),
        file_name=f"{stem}.pptx",
        mime=PPTX_MIME,
        key=f"{key}_pptx",
        on_click="ignore",
        type="primary" if primary else "secondary",
    )
    cols[1].download_button(
        labels[1], data=maker("pdf"), file_name=f"{stem}.pdf", mime="application/pdf", key=f"{key}_pdf", on_click="ignore"
    )
    return True
