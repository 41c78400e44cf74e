"""Where a control move's time goes, in the browser: key press -> message sent -> the server's first
and last message of the rerun -> the first chart's title changed (a MutationObserver's time stamp).

The pages and controls of ui_latency.py; the minimal app for the same kind of control is served
beside them, and the moves alternate between the servers (minimal, page, minimal, page...) so that
a machine's changing speed falls on both alike. Times are the page's own performance.now(), so
Playwright's round trips are not in them. ``--gaps`` prints each message's arrival in a move:
a burst then a pause is the browser busy drawing (its message events wait), an even trickle is the
server.

``--variant NAME=VALUE`` serves each page a third time with that environment variable set, its
moves alternating with the other two (an A/B of a change behind a flag, e.g.
``LAB_NO_WORK_AHEAD=1``).

Run: .venv/bin/python benchmarks/ui_breakdown.py [--moves 20] [--only lab] [--gaps] [--variant NAME=VALUE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from _util import ROOT, machine, today
from ui_latency import MINIMAL, PAGES, TITLE, _control, _move, _press

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_ARGS, free_port, start_server, wait_for_app
from tests.conftest import chromium_path

PROBE = """
(() => {
  window.__t = {send: [], recv: [], key: [], title: [], commit: []};
  // React calls this hook on every commit, production builds too (it is how React DevTools attach)
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, isDisabled: false, renderers: new Map(),
    inject(r) { this.renderers.set(this.renderers.size + 1, r); return this.renderers.size; },
    onCommitFiberRoot() { window.__t.commit.push(performance.now()); },
    onCommitFiberUnmount() {}, onPostCommitFiberRoot() {}, checkDCE() {},
  };
  const Orig = window.WebSocket;
  window.WebSocket = function (...a) {
    const ws = new Orig(...a);
    const send = ws.send.bind(ws);
    ws.send = (d) => { window.__t.send.push(performance.now()); return send(d); };
    ws.addEventListener('message', () => window.__t.recv.push(performance.now()));
    return ws;
  };
  window.WebSocket.prototype = Orig.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  document.addEventListener('keydown', () => window.__t.key.push(performance.now()), true);
  let last = null;
  new MutationObserver(() => {
    const e = document.querySelector('__TITLE__');
    const s = e && e.textContent;
    if (s !== last) { last = s; window.__t.title.push(performance.now()); }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
""".replace("__TITLE__", TITLE)
CHANGED = f"(b) => {{ const e = document.querySelector('{TITLE}'); return e && e.textContent != b; }}"
FIELDS = ("send", "first_msg", "last_msg", "title", "msgs", "commits", "commits_to_title")


def open_page(browser, script, path: str, kind: str, label: str, env: dict | None = None):
    port = free_port()
    proc = start_server(script, port, env=env)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_init_script(PROBE)
    page = ctx.new_page()
    page.goto(f"http://127.0.0.1:{port}/{path}")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0", timeout=120_000)
    wait_for_app(page)
    return proc, ctx, page, _control(page, kind, label)


def one_move(page, kind: str, control, i: int) -> dict | None:
    page.bring_to_front()
    before = page.locator(TITLE).first.text_content()
    _move(page, kind, control, i if kind != "slider" else 0)
    time.sleep(0.2)
    page.evaluate("() => { for (const k in window.__t) window.__t[k] = []; }")
    _press(page, kind, i if kind != "slider" else 0)
    page.wait_for_function(CHANGED, arg=before, timeout=60_000)
    wait_for_app(page)
    time.sleep(0.25)  # the run's last messages
    t = page.evaluate("() => window.__t")
    k = t["key"][-1]
    sends = [s for s in t["send"] if s >= k]
    recv = [r for r in t["recv"] if sends and r >= sends[0]]
    title = [x for x in t["title"] if x >= k]
    commits = [c for c in t["commit"] if c >= k]
    if not (sends and recv and title):
        return None
    return {
        "send": sends[0] - k,
        "first_msg": recv[0] - k,
        "last_msg": recv[-1] - k,
        "title": title[0] - k,
        "msgs": len(recv),
        "commits": len(commits),
        "commits_to_title": sum(c <= title[0] for c in commits),
        "arrivals": [round(r - k) for r in recv],
        "commit_times": [round(c - k) for c in commits],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=24)
    ap.add_argument("--only", default="lab", help="comma-separated pages: " + ", ".join(PAGES))
    ap.add_argument("--gaps", action="store_true", help="print each message's arrival (ms after the key) in the last move")
    ap.add_argument("--variant", help="NAME=VALUE: serve each page once more with this environment variable set")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    names = [n for n in a.only.split(",") if n]
    out = {"date": today(), "machine": machine(), "moves": a.moves}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for n in names:
            script, path, kind, label = PAGES[n]
            sides = {
                f"minimal ({kind})": ((ROOT / "benchmarks" / "minimal_app.py", "", kind, MINIMAL[kind]), {}),
                n: ((ROOT / script, path, kind, label), {}),
            }
            if a.variant:
                sides[f"{n} {a.variant}"] = ((ROOT / script, path, kind, label), dict([a.variant.split("=", 1)]))
            opened = {s: open_page(b, *args, env=env) for s, (args, env) in sides.items()}
            rows = {s: [] for s in sides}
            try:
                for i in range(a.moves):
                    for s, (_, _, page, control) in opened.items():
                        r = one_move(page, kind, control, i)
                        if r:
                            rows[s].append(r)
            finally:
                for proc, ctx, _, _ in opened.values():
                    ctx.close()
                    proc.terminate()
                    proc.wait(10)
            for s, rs in rows.items():
                out[s] = {f: round(statistics.median(r[f] for r in rs), 1) for f in FIELDS} | {"n": len(rs)}
                if a.gaps and rs:
                    out[s]["arrivals_last_move"] = rs[-1]["arrivals"]
                    out[s]["commits_last_move"] = rs[-1]["commit_times"]
            for s in sides:
                if s != f"minimal ({kind})":
                    out[s]["title_ratio"] = round(out[s]["title"] / out[f"minimal ({kind})"]["title"], 2)
            print(json.dumps(out), file=sys.stderr, flush=True)
        b.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
