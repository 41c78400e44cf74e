"""The URL holds the view: widgets seeded from the link, written back when they change.

``linked`` wraps a selection widget (selectbox, radio): on a new link (opened, or back/forward)
the widget takes the link's value, or the default with a notice naming the unknown value (never
a silent fallback); when the user changes the widget the link follows. Values at their default
stay out of the link, so links stay short.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st


def _plain(text: str) -> str:
    from ui.common import plain

    return plain(text)


def linked(widget: Callable, label: str, options: Sequence, *, key: str, param: str, default=None, format_func=str, **kw):
    """``widget(label, options, key=key, ...)`` whose value lives in the link as ``?param=``."""
    options = list(options)
    default = options[0] if default is None or default not in options else default
    raw = st.query_params.get(param)
    seen = f"_link_{key}"
    if key not in st.session_state or st.session_state.get(seen) != raw or st.session_state[key] not in options:
        value = default
        if raw is not None:
            match = next((o for o in options if str(o) == raw), None)
            if match is None and raw == st.session_state.get(seen):
                pass  # our own value from before the options changed (another mineral): no notice
            elif match is None:
                st.warning(_plain(f"Unknown {param} {raw[:60]!r} in the link; showing {format_func(default)}."))
            else:
                value = match
        st.session_state[key] = value
    value = widget(label, options, key=key, format_func=format_func, **kw)
    if value == default:
        st.query_params.pop(param, None)
        st.session_state[seen] = None
    else:
        st.query_params[param] = str(value)
        st.session_state[seen] = str(value)
    return value


def link_box() -> None:
    """The address of this view, with a copy button (st.code has one), for pasting into a note."""
    from urllib.parse import urlencode

    base = str(st.context.url).split("?", 1)[0]
    qs = urlencode({k: st.query_params.get(k) for k in st.query_params})
    with st.expander("Link to this view"):
        st.code(base + (f"?{qs}" if qs else ""), language=None)
        st.caption("Copy it with the button at the right of the box: opened in any browser it shows this view.")
