"""Scale-out, tried: two Streamlit servers behind a small sticky reverse proxy, on loopback.

* Two ``streamlit run app.py`` servers (replicas A and B) on free loopback ports.
* :class:`StickyProxy`, an asyncio reverse proxy: HTTP and websocket pass-through (a websocket is
  an HTTP upgrade followed by bytes in both directions, so the proxy only pipes bytes). A client
  without a ``replica`` cookie is sent to the replica with the fewest open connections, and the
  first response on its connection sets ``replica=<name>``; a client with the cookie goes back
  to that replica. So the page, ``/_stcore/health``, the websocket ``/_stcore/stream`` and
  ``/media/...`` downloads of one browser all reach the same server. (A session's state and its
  generated download files live in that server's memory.)

What it shows:

1. **The URL holds the view.** A session on replica A opens the Scenario lab from a link, moves
   two sliders, and reads the new URL (the ``page_info_changed`` message). A new session on
   replica B opens that URL: its six headline figures (read from the lab's text element in the deltas)
   and slider values are compared with A's. The same is done through the proxy, with one client
   pinned to each replica by its cookie.
2. **Load spreads.** benchmarks/ws_load.py's sessions go through the proxy; the table shows each
   replica's session count and CPU beside a single server measured in the same run.

Run: .venv/bin/python benchmarks/replicas.py [--levels 20,40] [--seconds 30] [--out results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from _util import ROOT, emit, machine, today

sys.path.insert(0, str(ROOT))

from ws_load import QUERY, StreamlitClient, parse_args, run_levels, table

COOKIE = "replica"


class StickyProxy:
    """A reverse proxy for HTTP/1.1 and websockets, sticky by a cookie; loopback only."""

    def __init__(self, backends: dict[str, tuple[str, int]], host: str = "127.0.0.1", port: int = 0):
        for h, _ in backends.values():
            if h not in ("127.0.0.1", "localhost"):
                raise ValueError(f"loopback only: {h}")
        self.backends = backends
        self.host, self.port = host, port
        self.open = dict.fromkeys(backends, 0)  # connections open now
        self.total = dict.fromkeys(backends, 0)  # connections so far
        self.websockets = dict.fromkeys(backends, 0)  # websocket upgrades so far
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    def _choose(self, head: bytes) -> tuple[str, bool]:
        """(replica, whether the client already had the cookie)."""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    k, _, v = part.strip().partition("=")
                    if k == COOKIE and v in self.backends:
                        return v, True
        return min(self.backends, key=lambda b: (self.open[b], self.total[b])), False

    async def _handle(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(creader.readuntil(b"\r\n\r\n"), 30)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            cwriter.close()
            return
        name, had_cookie = self._choose(head)
        host, port = self.backends[name]
        try:
            breader, bwriter = await asyncio.open_connection(host, port)
        except OSError:
            cwriter.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            cwriter.close()
            return
        self.open[name] += 1
        self.total[name] += 1
        if b"\r\nupgrade: websocket" in head.lower():
            self.websockets[name] += 1
        try:
            bwriter.write(head)
            await bwriter.drain()
            up = asyncio.create_task(self._pipe(creader, bwriter))
            down = asyncio.create_task(self._pipe_response(breader, cwriter, None if had_cookie else name))
            _, pending = await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
            for t in pending:
                t.cancel()
        finally:
            self.open[name] -= 1
            for w in (bwriter, cwriter):
                w.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass

    async def _pipe_response(self, reader, writer, set_cookie: str | None) -> None:
        """Pass the backend's bytes on; add the cookie to the first response's head."""
        try:
            if set_cookie:
                head = await reader.readuntil(b"\r\n\r\n")
                status_line, _, rest = head.partition(b"\r\n")
                cookie = f"Set-Cookie: {COOKIE}={set_cookie}; Path=/; HttpOnly; SameSite=Lax\r\n".encode()
                writer.write(status_line + b"\r\n" + cookie + rest)
            await self._pipe(reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass


async def view(base: str, query: str, cookies: dict | None = None) -> dict:
    """Open the lab at ``query`` on ``base``: its headline metrics, slider values, URL."""
    c = StreamlitClient(base, query=query)
    if cookies:
        c.cookies.update(cookies)
    await c.connect()
    run = await c.rerun()
    await c.close()
    return {
        "metrics": run.metrics,
        "sliders": {s.label: s.value for s in run.sliders.values()},
        "query": c.query,
        "replica": c.cookies.get(COOKIE),
    }


async def same_view(a_base: str, b_base: str, proxy_base: str) -> dict:
    """Build a view on A (two slider moves), replay its URL on B, directly and through the proxy."""
    c = StreamlitClient(a_base, query=QUERY)
    await c.connect()
    await c.rerun()
    await c.rerun(c.move(": fraction"))  # the ban to the U.S. (v2 has no pass-through slider of that name)
    run = await c.rerun(c.move("Horizon"))
    link = c.query
    on_a = {"metrics": run.metrics, "sliders": {s.label: s.value for s in run.sliders.values()}}
    await c.close()
    on_b = await view(b_base, link)
    via = {}
    for name in ("A", "B"):
        via[name] = await view(proxy_base, link, {COOKIE: name})
    fresh = await view(proxy_base, link)  # no cookie: the proxy picks a replica and says so
    if len(on_a["metrics"]) != 6:  # an empty view would compare equal to any other
        raise RuntimeError(f"the lab's six headline figures were not found in the deltas: {on_a['metrics']}")
    same = lambda v: v["metrics"] == on_a["metrics"] and v["sliders"] == on_a["sliders"]  # noqa: E731
    return {
        "link": link,
        "metrics_on_A": on_a["metrics"],
        "same_on_B_direct": same(on_b),
        "same_via_proxy_pinned_A": same(via["A"]) and via["A"]["replica"] == "A",
        "same_via_proxy_pinned_B": same(via["B"]) and via["B"]["replica"] == "B",
        "same_via_proxy_new_client": same(fresh),
        "new_client_sent_to": fresh["replica"],
    }


async def main_async(a) -> dict:
    from tests.browser.conftest import free_port, start_server

    procs = {}
    out: dict = {"date": today(), "machine": machine()}
    with open("/proc/loadavg") as f:
        out["load_average_before"] = f.read().split()[:3]
    try:
        for name in ("A", "B"):
            port = free_port()
            procs[name] = (start_server(ROOT / "app.py", port), port)
        proxy = StickyProxy({n: ("127.0.0.1", port) for n, (_, port) in procs.items()})
        pport = await proxy.start()
        bases = {n: f"http://127.0.0.1:{port}" for n, (_, port) in procs.items()}
        proxy_base = f"http://127.0.0.1:{pport}"
        out["same_view"] = await same_view(bases["A"], bases["B"], proxy_base)
        print(json.dumps(out["same_view"]), file=sys.stderr, flush=True)
        # the same load on one server (A alone), then through the proxy over both
        out["one_server"] = await run_levels([bases["A"]], [procs["A"][0].pid], a)
        before = dict(proxy.websockets)
        out["two_replicas"] = await run_levels([proxy_base], [procs["A"][0].pid, procs["B"][0].pid], a)
        out["websockets_per_replica"] = {n: proxy.websockets[n] - before[n] for n in proxy.websockets}
        await proxy.stop()
    finally:
        for p, _ in procs.values():
            p.terminate()
        for p, _ in procs.values():
            p.wait(20)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", default="20,40")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--out")
    own, rest = ap.parse_known_args()
    a = parse_args(["--levels", own.levels, "--seconds", str(own.seconds), *rest])
    t = time.perf_counter()
    out = asyncio.run(main_async(a))
    out["wall_s"] = round(time.perf_counter() - t)
    print("one server:\n" + table(out["one_server"]["levels"]), file=sys.stderr)
    print("two replicas behind the proxy:\n" + table(out["two_replicas"]["levels"]), file=sys.stderr)
    emit(out, own.out)


if __name__ == "__main__":
    main()
