"""The websocket load generator and the sticky proxy of benchmarks/ (no timings asserted)."""

import asyncio
import sys

import pytest

from tests.conftest import ROOT


def run(coro_fn):
    """asyncio.run in a thread of its own: the browser tests' Playwright session keeps an event
    loop running in the main thread for the rest of the test session."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result()


sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.slow


async def _http_backend(name: str):
    """A tiny HTTP server answering every request with its own name and the path."""

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ")[1].decode()
        body = f"{name} {path}".encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_proxy_forwards_and_sticks_by_cookie():
    from replicas import COOKIE, StickyProxy
    from ws_load import http_get

    async def go():
        (sa, pa), (sb, pb) = await _http_backend("A"), await _http_backend("B")
        proxy = StickyProxy({"A": ("127.0.0.1", pa), "B": ("127.0.0.1", pb)})
        port = await proxy.start()
        base = f"http://127.0.0.1:{port}"
        try:
            jar: dict = {}
            status, _, body = await http_get(base, "/x?y=1", jar)
            assert status == 200
            first = body.decode().split()[0]
            assert body.decode() == f"{first} /x?y=1"
            assert jar[COOKIE] == first
            for _ in range(3):  # the cookie brings the client back to the same replica
                _, _, again = await http_get(base, "/z", jar)
                assert again.decode().split()[0] == first
            # a pinned client goes to the other replica when its cookie says so
            other = "B" if first == "A" else "A"
            _, _, pinned = await http_get(base, "/", {COOKIE: other})
            assert pinned.decode().split()[0] == other
        finally:
            await proxy.stop()
            sa.close()
            sb.close()

    run(go)


def test_proxy_passes_websockets_through():
    import websockets
    from replicas import StickyProxy

    async def go():
        async def echo(ws):
            async for m in ws:
                await ws.send(m)

        async with websockets.serve(echo, "127.0.0.1", 0) as srv:
            port = srv.sockets[0].getsockname()[1]
            proxy = StickyProxy({"A": ("127.0.0.1", port)})
            pport = await proxy.start()
            try:
                async with websockets.connect(f"ws://127.0.0.1:{pport}/_stcore/stream") as ws:
                    await ws.send(b"\x00\x01binary")
                    assert await ws.recv() == b"\x00\x01binary"
                assert proxy.websockets["A"] == 1
            finally:
                await proxy.stop()

    run(go)


def _with_client(script, body, **client_kw) -> None:
    """Serve ``script`` on a free port, connect the load generator's client, await ``body(client)``,
    then close the client and stop the server."""
    from ws_load import StreamlitClient

    from tests.browser.conftest import free_port, start_server

    port = free_port()
    proc = start_server(script, port)

    async def go():
        c = StreamlitClient(f"http://127.0.0.1:{port}", timeout=120, **client_kw)
        await c.connect()
        try:
            await body(c)
        finally:
            await c.close()

    try:
        run(go)
    finally:
        proc.terminate()
        proc.wait(20)


def test_client_runs_the_minimal_app_and_moves_its_slider():
    """The load generator's client against a real server: first run, then a slider move."""

    async def body(c):
        first = await c.rerun()
        assert first.exceptions == []
        (slider,) = c.sliders.values()
        assert slider.label == "pass through"
        assert slider.value == [0.0]
        moved = await c.rerun(c.move("pass through"))
        assert moved.exceptions == []
        assert moved.t_finished is not None and moved.deltas >= 2  # the slider and the chart
        assert c.sliders[slider.id].value == [0.05]

    _with_client(ROOT / "benchmarks" / "minimal_app.py", body, path="/", query="")


def test_client_moves_a_slider_in_the_labs_box():
    """The client speaks the lab's box of sliders (ui.sliders) as the browser does: one widget state
    for the box with every slider's value. The ban's fraction starts at 1 (the top), so one move
    takes it a step down, and the server's next run shows 0.95 (the fragment's own run)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def body(c):
        first = await c.rerun()
        assert first.exceptions == []
        boxed = [s for s in c.sliders.values() if s.box]
        assert len(boxed) == 9 and len({s.box for s in boxed}) == 1, c.sliders
        (fraction,) = [s for s in boxed if s.key == "p:shocks.0.fraction"]
        assert fraction.value == [1.0] and (fraction.min, fraction.max) == (0, 1)
        # the six headline figures, read from the lab's text element (replicas.py compares them)
        assert len(first.metrics) == 6 and first.metrics["Shortfall, before offsets"] == "18%", first.metrics
        moved = await c.rerun(c.move(": fraction"))
        assert moved.exceptions == [] and moved.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        assert c.sliders[fraction.id].value == [0.95]
        assert moved.metrics["Shortfall, before offsets"] == "17%"  # 0.95 x 18% of U.S. gallium consumption
        assert "shocks.0.fraction=0.95" in c.query

    _with_client(ROOT / "app.py", body)


def test_client_exports_the_chart_after_a_move_in_the_fragment():
    """The lab's download row is outside its fragment, so a slider move's run does not send it
    again: the client keeps the buttons the page shows and can still click PNG (the server
    builds the waterfall through kaleido and the client fetches the file)."""
    from tests.conftest import require_chromium

    require_chromium()

    async def body(c):
        first = await c.rerun()
        # the chart's buttons are in its closed "Download chart" menu, sent when it opens
        assert not first.downloads and "Download chart" in c.menus
        opened = await c.open_menu()
        assert {"CSV", "XLSX", "PNG", "SVG", "PDF"} <= set(opened.downloads)
        moved = await c.rerun(c.move(": fraction"))
        assert not moved.downloads and "PNG" in c.downloads  # none re-sent, the page's still there
        ms, size = await c.export("PNG")
        assert size > 10_000 and ms > 0

    _with_client(ROOT / "app.py", body)
