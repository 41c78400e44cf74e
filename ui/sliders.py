"""A box of sliders drawn by the browser itself: one element for many sliders.

Each ``st.slider`` is an element that a rerun sends again and React draws again, with its label's
markdown, its help icon and its styles, whether its value changed or not. In the lab, this box in
place of nine of them cut the browser's script time per move by 15% and the time to the new chart
by 18% (benchmarks/README, "The browser's CPU per move"). The box is one element (a Streamlit
components-v2 component, no iframe): native ``<input type="range">`` controls with their labels,
the value in the parameter's unit beside each, the help under a (?) tooltip and as the control's
description; a rerun updates what changed in place.

The values live where ``st.slider``'s did, in ``st.session_state[key]`` for each slider's key: a
move sets the moved slider's key and calls ``on_change(*args)`` before the rerun, as
``st.slider``'s callback did; the page sets a key to move a slider itself (a link, a reset).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import streamlit as st

COMPONENT = "minerals_risk.slider_box"  # tests and the load generator find the box by this name


@dataclass(frozen=True)
class SliderSpec:
    """One slider: its key in session state, label, range and step, the value's words (``show``),
    help, and the callback a move calls with ``args``."""

    key: str
    label: str
    min: float
    max: float
    step: float
    show: Callable[[float], str]
    help: str = ""
    integer: bool = False
    words_key: Hashable = None  # sliders with the same key share their steps' words (kept per process)
    on_change: Callable | None = None
    args: tuple = field(default=())

    def steps(self) -> list[float]:
        n = round((self.max - self.min) / self.step)
        vals = [self.min + i * self.step for i in range(n + 1)]
        digits = max(0, -math.floor(math.log10(self.step))) + 2 if self.step < 1 else 0
        return [round(v) if self.integer else round(v, digits) for v in vals]


CSS = """
.mr-sliders { display: flex; flex-direction: column; gap: 1rem; font-family: inherit; color: inherit; }
.mr-slider .head { display: flex; align-items: baseline; gap: .35rem; font-size: .875rem; line-height: 1.4; }
.mr-slider label { flex: 1 1 auto; }
.mr-slider .help { flex: 0 0 auto; cursor: help; border: 1px solid currentColor; border-radius: 50%; width: 1.1em;
  height: 1.1em; font-size: .7rem; line-height: 1.1em; text-align: center; opacity: .6; }
.mr-slider output { flex: 0 0 auto; font-variant-numeric: tabular-nums; color: #ff4b4b; font-size: .875rem; }
.mr-slider input[type=range] { -webkit-appearance: none; appearance: none; width: 100%; height: 1.25rem;
  margin: .25rem 0 0; background: transparent; cursor: pointer; }
.mr-slider input[type=range]::-webkit-slider-runnable-track { height: 4px; border-radius: 2px;
  background: linear-gradient(to right, #ff4b4b var(--p, 0%), #e3e5ea var(--p, 0%)); }
.mr-slider input[type=range]::-webkit-slider-thumb { -webkit-appearance: none; width: 14px; height: 14px;
  margin-top: -5px; border: none; border-radius: 50%; background: #ff4b4b; }
.mr-slider input[type=range]::-moz-range-track { height: 4px; border-radius: 2px; background: #e3e5ea; }
.mr-slider input[type=range]::-moz-range-progress { height: 4px; border-radius: 2px; background: #ff4b4b; }
.mr-slider input[type=range]::-moz-range-thumb { width: 14px; height: 14px; border: none; border-radius: 50%; background: #ff4b4b; }
.mr-slider input[type=range]:focus-visible { outline: 2px solid #ff4b4b; outline-offset: 2px; border-radius: 2px; }
.mr-slider .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"""

# The box keeps its rows across reruns and changes only what changed; a move sends every value
# (a move the server has not answered yet keeps the control where the user put it).
JS = """
export default function ({ parentElement, data, setStateValue, key }) {
  let box = parentElement.querySelector(".mr-sliders");
  if (!box) {
    box = document.createElement("div");
    box.className = "mr-sliders";
    parentElement.appendChild(box);
    box._rows = new Map();
    box._sent = 0;
  }
  const rows = box._rows;
  // the value's words beside the label (and for screen readers), the track filled up to the thumb
  const showValue = (r) => {
    const t = r.spec.words[+r.input.value];
    if (r.out.textContent !== t) { r.out.textContent = t; r.input.setAttribute("aria-valuetext", t); }
    r.input.style.setProperty("--p", `${(100 * +r.input.value) / Math.max(1, +r.input.max)}%`);
  };
  const send = (moved) => {
    const values = {};
    for (const [k, r] of rows) values[k] = r.spec.values[+r.input.value];
    box._sent += 1;
    setStateValue("values", { values, moved, n: box._sent });
  };
  const seen = new Set();
  data.sliders.forEach((row, i) => {
    const s = Object.assign({}, row, data.grids[row.grid]);
    let r = rows.get(s.key);
    if (!r) {
      const id = `${key}-${i}`;
      const row = document.createElement("div");
      row.className = "mr-slider";
      row.innerHTML = `<div class="head"><label for="${id}"></label><span class="help" aria-hidden="true">?</span>` +
        `<output for="${id}"></output></div><input type="range" id="${id}" min="0" step="1" aria-describedby="${id}-help">` +
        `<span class="sr" id="${id}-help"></span>`;
      r = { row, label: row.querySelector("label"), help: row.querySelector(".help"), out: row.querySelector("output"),
            input: row.querySelector("input"), desc: row.querySelector(".sr"), spec: s };
      r.input.addEventListener("input", () => showValue(r));
      r.input.addEventListener("change", () => send(r.spec.key));
      r.help.hidden = true;  // until a help text arrives
      rows.set(s.key, r);
    }
    r.spec = s;
    if (r.label.textContent !== s.label) r.label.textContent = s.label;
    if (r.help.title !== s.help) { r.help.title = s.help; r.desc.textContent = s.help; r.help.hidden = !s.help; }
    if (r.input.max !== String(s.values.length - 1)) r.input.max = String(s.values.length - 1);
    // the server's value, unless a move it has not seen yet is on its way
    if (data.n >= box._sent && r.input.value !== String(s.index)) r.input.value = String(s.index);
    showValue(r);
    if (box.children[i] !== r.row) box.insertBefore(r.row, box.children[i] || null);
    seen.add(s.key);
  });
  for (const [k, r] of rows) if (!seen.has(k)) { r.row.remove(); rows.delete(k); }
}
"""

# in the page's own DOM (no shadow root): the labels are page text, for find-in-page and for tests
_component = st.components.v2.component(COMPONENT, css=CSS, js=JS, isolate_styles=False)
_WORDS: dict = {}  # words_key -> (the steps, their words)


def _grid(s: SliderSpec) -> tuple[list[float], list[str]]:
    if s.words_key is not None and s.words_key in _WORDS:
        return _WORDS[s.words_key]
    grid = s.steps()
    out = grid, [s.show(x) for x in grid]
    if s.words_key is not None and len(_WORDS) < 256:
        _WORDS[s.words_key] = out
    return out


def next_step(s: SliderSpec, before: float, now: float) -> float | None:
    """The value one step on from ``now`` in the direction a move took it from ``before`` (the value
    a keyboard press or a drag sends next), or None: no move, or the end of the range."""
    if before == now:
        return None
    grid = _grid(s)[0]
    if now > before:
        return next((x for x in grid if x > now + 1e-9), None)
    return next((x for x in reversed(grid) if x < now - 1e-9), None)


def box_values(specs: Sequence[SliderSpec]) -> dict[str, float]:
    """Each slider's value by its key, as :func:`slider_box` will show it (from session state, or
    the slider's minimum when unset): a page may use them before it draws the box (a move's
    callback has set them before the run)."""
    out = {}
    for s in specs:
        v = st.session_state.get(s.key)
        v = s.min if v is None else v
        out[s.key] = int(v) if s.integer else float(v)
    return out


def slider_box(specs: Sequence[SliderSpec], *, key: str, container=None) -> dict[str, float]:
    """Draw ``specs`` as one box; return each slider's value by its key (from session state, or
    the slider's minimum when unset)."""
    by_key = {s.key: s for s in specs}

    def _moved() -> None:
        payload = (st.session_state.get(key) or {}).get("values")  # the box's state, a dict
        if not isinstance(payload, dict):
            return
        st.session_state[f"{key}:n"] = int(payload.get("n") or 0)
        for k, v in (payload.get("values") or {}).items():
            s = by_key.get(k)
            if s is None or v is None:
                continue
            v = int(v) if s.integer else float(v)
            if st.session_state.get(k) != v:
                st.session_state[k] = v
                if s.on_change:
                    s.on_change(*s.args)

    values, rows, grids, grid_of = box_values(specs), [], [], {}
    for s in specs:
        v = values[s.key]
        grid, words = _grid(s)
        shared = s.words_key if s.words_key is not None else ("own", s.key)
        at = next((i for i, x in enumerate(grid) if abs(x - v) < 1e-9), None)
        if at is None:
            # a value off the steps (a link's 0.33): the slider shows it as it is, between its
            # neighbours, and a move goes on from there in steps
            at = sum(x < v for x in grid)
            grid, words = [*grid[:at], values[s.key], *grid[at:]], [*words[:at], s.show(values[s.key]), *words[at:]]
            shared = ("own", s.key)
        # sliders with the same steps and words share one copy of them (four of the lab's nine)
        g = grid_of.setdefault(shared, len(grids))
        if g == len(grids):
            grids.append({"values": grid, "words": words})
        rows.append({"key": s.key, "label": s.label, "help": s.help, "grid": g, "index": at})
    where = container if container is not None else st
    with where:
        data = {"sliders": rows, "grids": grids, "n": st.session_state.get(f"{key}:n", 0)}
        _component(key=key, data=data, on_values_change=_moved)
    return values
