"""Chart download buttons (PNG, SVG, PDF through kaleido) used by pages.common.render_chart.

Files are built only when the button is clicked (``data=`` is a callable). Where Chromium is
missing the buttons are replaced by a note on how to install it; the plotly toolbar's own PNG
download keeps working.
"""

from __future__ import annotations

import streamlit as st

from risk import export


@st.cache_resource
def _chromium() -> str | None:
    return export.chromium_path()


def _maker(fig, fmt):
    def make() -> bytes:
        return export.render_chart(fig, fmt)

    return make


MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart_buttons(fig, meta, key: str, cols) -> None:
    if _chromium() is None:
        cols[0].caption(export.CHROMIUM_HELP + " The chart toolbar's camera icon still saves a PNG.")
        return
    for col, fmt in zip(cols, ("png", "svg", "pdf"), strict=True):
        col.download_button(
            fmt.upper(),
            data=_maker(fig, fmt),
            file_name=export.chart_filename(meta, fmt),
            mime=MIME[fmt],
            key=f"{fmt}-{key}",
            help=f"{fmt.upper()} as shown, with title and source" + (" (2x resolution)" if fmt == "png" else ""),
            on_click="ignore",
        )
