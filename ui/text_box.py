"""Text the server has already turned into HTML, set by the browser as it is: one element, no
markdown.

``st.markdown`` parses its text as markdown in the browser on every rerun, and HTML in it goes
through a second parser (rehype-raw): the lab's notes, stage line, six headline figures and
briefing sentence were four such elements (``st.info``, ``st.caption``, two ``st.markdown``),
parsed again before the chart was drawn on every slider move. As this one element the new chart
showed 12-20 ms sooner (benchmarks/README, "The lab's text as one element"). This element (a Streamlit components-v2 component, no iframe, in the page's own DOM:
the text is page text for find-in-page, screen readers and tests) sets its HTML only when it
changed. Callers escape every text they put in (:func:`html.escape`); nothing here is markdown.
"""

from __future__ import annotations

import streamlit as st

COMPONENT = "minerals_risk.text"  # tests find the element by this name

CSS = """
.mr-text { font-family: inherit; color: inherit; }
.mr-text .mr-caption { font-size: .875rem; color: rgba(49, 51, 63, .6); margin: 0 0 1rem; line-height: 1.5; }
.mr-text .mr-line { margin: 0 0 1rem; line-height: 1.6; }
.mr-text .mr-rider { display: block; font-size: .875rem; color: rgba(49, 51, 63, .6); }
.mr-text .mr-notes { background: rgba(28, 131, 225, .1); color: rgb(0, 66, 128); border-radius: .5rem; padding: 1rem;
  margin: 0 0 1rem; line-height: 1.6; }
.mr-text .mr-notes ul { margin: 0; padding-left: 1.25rem; }
.mr-text .mr-figure:focus-visible { outline: 2px solid #ff4b4b; outline-offset: 2px; border-radius: 2px; }
.mr-text .mr-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"""

JS = """
export default function ({ parentElement, data }) {
  let box = parentElement.querySelector(".mr-text");
  if (!box) {
    box = document.createElement("div");
    box.className = "mr-text";
    parentElement.appendChild(box);
  }
  if (box._html !== data.html) { box._html = data.html; box.innerHTML = data.html; }
}
"""

_component = st.components.v2.component(COMPONENT, js=JS, css=CSS, isolate_styles=False)


def text_box(html_text: str, *, key: str) -> None:
    """Show ``html_text`` (already escaped HTML) as one element."""
    _component(key=key, data={"html": html_text})
