"""Helpers shared by the pages: cached data and the source line. Streamlit lives here, not in risk/."""

from __future__ import annotations

import streamlit as st

from risk import dataset as ds_mod


@st.cache_resource(show_spinner="Loading the bundled data…")
def dataset() -> ds_mod.Dataset:
    """The validated bundled dataset, shared read-only by every session."""
    return ds_mod.load_dataset()


def source_line(source_ids, ds: ds_mod.Dataset | None = None) -> str:
    ds = ds or dataset()
    parts = []
    for sid in dict.fromkeys(source_ids):
        s = ds.sources.get(sid)
        if s is None:
            continue
        ref = f"doi:{s.doi}" if s.doi else s.url
        parts.append(f"{s.publisher}, {s.title} ({s.edition.split(' (')[0]}), {ref}, {s.licence}")
    return "Source: " + "; ".join(parts) if parts else ""


def caption_sources(source_ids) -> None:
    line = source_line(source_ids)
    if line:
        st.caption(line)
