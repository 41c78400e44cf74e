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


def linked_tabs(tabs: dict[str, str], *, key: str, param: str = "tab", open_first: str | None = None, absent: dict[str, str] | None = None):
    """``st.tabs`` of ``tabs`` (id -> label) whose open tab lives in the link as ``?param=id`` (the
    first tab: no parameter) and whose content is sent only for the open tab
    (``on_change="rerun"``): every element on a page costs each move a re-render in the browser
    (benchmarks/README). ``open_first``: the tab a link without ``param`` opens (a link naming
    something in that tab, such as an importer). ``absent``: tabs this view does not have (id ->
    why), so that a link naming one says why rather than calling it unknown. Returns the open
    tab's id and its container."""
    ids = list(tabs)
    labels = [tabs[i] for i in ids]
    raw = st.query_params.get(param)
    seen = f"_link_{key}"
    if key not in st.session_state or st.session_state.get(seen) != raw or st.session_state[key] not in labels:
        want = ids[0]
        if raw is None:
            want = open_first if open_first in tabs else ids[0]
        elif raw in tabs:
            want = raw
        elif raw != st.session_state.get(seen):  # not our own value from before the tabs changed (another mineral)
            why = (absent or {}).get(raw)
            st.warning(_plain(f"{why}; showing {labels[0]}." if why else f"Unknown {param} {raw[:60]!r} in the link; showing {labels[0]}."))
        st.session_state[key] = tabs[want]
    containers = st.tabs(labels, key=key, on_change="rerun")
    opened = next((i for i, c in zip(ids, containers, strict=True) if c.open), ids[0])
    if opened == ids[0]:
        st.query_params.pop(param, None)
        st.session_state[seen] = None
    else:
        st.query_params[param] = opened
        st.session_state[seen] = opened
    return opened, containers[ids.index(opened)]


_LINK_CSS = """
.mr-link { display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
.mr-link code { flex: 1 1 20rem; overflow-wrap: anywhere; font-size: .85rem; padding: .5rem .75rem;
  background: #f0f2f6; border-radius: .5rem; }
.mr-link button { font: inherit; font-size: .875rem; padding: .35rem .9rem; border: 1px solid #d0d3da;
  border-radius: .5rem; background: #fff; cursor: pointer; }
.mr-link button:focus-visible { outline: 2px solid #ff4b4b; outline-offset: 2px; }
.mr-link .done { font-size: .8rem; color: #555; }
"""

# The address as the browser has it now: the pages write the URL from fragments too (a change of
# year reruns only its section), so a link drawn by the server in the page's last full run would
# be out of date. The box reads location.href, and again whenever the app writes the URL.
_LINK_JS = """
export default function ({ parentElement }) {
  let box = parentElement.querySelector(".mr-link");
  if (!box) {
    box = document.createElement("div");
    box.className = "mr-link";
    box.innerHTML = '<code class="url"></code><button type="button">Copy link</button>' +
      '<span class="done" role="status" aria-live="polite"></span>';
    parentElement.appendChild(box);
  }
  if (box._unwire) return box._unwire;  // a rerun: already showing and listening
  const code = box.querySelector(".url"), button = box.querySelector("button"), done = box.querySelector(".done");
  const show = () => { if (code.textContent !== location.href) code.textContent = location.href; };
  if (!window.__mrUrlEvents) {
    window.__mrUrlEvents = true;
    for (const f of ["pushState", "replaceState"]) {
      const orig = history[f];
      history[f] = function (...args) { const r = orig.apply(this, args); window.dispatchEvent(new Event("mr-url")); return r; };
    }
  }
  const copy = async () => {
    show();
    try {
      await navigator.clipboard.writeText(location.href);
      done.textContent = "Copied";
    } catch (e) {  // no clipboard outside a secure context: select it for Ctrl+C
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      done.textContent = "Selected: press Ctrl+C to copy";
    }
    setTimeout(() => { done.textContent = ""; }, 3000);
  };
  show();
  window.addEventListener("mr-url", show);
  window.addEventListener("popstate", show);
  button.addEventListener("click", copy);
  box._unwire = () => {
    window.removeEventListener("mr-url", show);
    window.removeEventListener("popstate", show);
    button.removeEventListener("click", copy);
    box._unwire = null;
  };
  return box._unwire;
}
"""
LINK_COMPONENT = "minerals_risk.link_box"
_link = st.components.v2.component(LINK_COMPONENT, css=_LINK_CSS, js=_LINK_JS, isolate_styles=False)


def link_box() -> None:
    """The address of this view as the browser shows it, with a copy button, for pasting into a note."""
    with st.expander("Link to this view"):
        _link(key="link_box")
        st.caption("Opened in any browser, the link shows this view.")
