"""Server capacity without browsers: simulated sessions that speak Streamlit's own websocket protocol.

Each simulated session does what the browser's frontend does, without drawing anything:

1. ``GET /scenario_lab?...`` (the page) and ``GET /_stcore/health``; the health response sets the
   ``_streamlit_xsrf`` cookie (XSRF protection is on in .streamlit/config.toml).
2. Opens the websocket ``/_stcore/stream`` with the subprotocol header
   ``Sec-WebSocket-Protocol: streamlit, <xsrf cookie value>`` (the second entry is the XSRF token
   the server compares with the cookie; a third entry would be a session id to reconnect to), the
   cookie, and an ``Origin`` header.
3. Sends a ``BackMsg`` ``rerun_script`` with a ``ClientState``: ``query_string`` (without the
   ``?``), ``page_name`` (the URL path, ``scenario_lab``; ``st.navigation`` matches it against its
   pages' url paths), later also ``page_script_hash`` (from the ``navigation`` ForwardMsg) and
   ``widget_states``, and ``cached_message_hashes`` (see below).
4. Reads ``ForwardMsg`` protobufs (binary frames) until ``script_finished`` with status
   ``FINISHED_SUCCESSFULLY``. On a server's very first session the app reruns once
   (``FINISHED_EARLY_FOR_RERUN``, see ui/deeplink.py), and a new ``new_session`` message starts
   the next run. The deltas of the run carry every element: sliders (``new_element.slider``:
   widget ``id``, ``value``, ``min``/``max``/``step``), metrics, charts and download buttons.
   The lab's nine sliders are one element, a box (``new_element.bidi_component`` named
   ``minerals_risk.slider_box``, ui/sliders.py) whose JSON data lists each slider's steps and the
   step it shows.
5. A slider move is another ``rerun_script`` whose ``widget_states`` hold every slider's value
   (``double_array_value``; for the box, one ``json_value`` with every slider's value in it), one
   of them changed, and the URL's current query string (the app rewrites the URL on every move;
   the server says so in ``page_info_changed``). Widgets the client leaves out keep their values
   on the server.

Like the browser, a client remembers cacheable messages by their ``hash`` and lists the hashes it
holds in ``cached_message_hashes``; the server then sends a reference (``ref_hash``) in place of
a message the client already has (an unchanged chart, for example).

The latency of a move is the time from sending the ``rerun_script`` to that run's
``script_finished`` (and, reported beside it, to the run's last delta). Errors: an exception
element in a run, a run that does not finish within ``--timeout`` seconds, a disconnect, a
status other than success, a reference to a message the client does not hold, a failed export.

Levels (default 1, 10, 50, 100 sessions) add sessions to those already open; the clock of a level
starts once all its sessions have finished their first run. During a level every session moves a
slider every ``--interval`` seconds (2 s; the next move waits for the previous run to finish, so
a slow server gets fewer moves) for ``--seconds``. The server's RSS (its process tree, so a
kaleido Chromium counts) and CPU time are read from /proc.

Run: .venv/bin/python benchmarks/ws_load.py [--levels 1,10,50,100] [--seconds 60]
     [--export-every 0] [--url http://127.0.0.1:PORT] [--out results.json]
Without --url it starts ``streamlit run app.py`` on a free loopback port and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from _util import ROOT, emit, machine, today

sys.path.insert(0, str(ROOT))

import websockets
import websockets.exceptions  # the package loads its submodules lazily: the error path needs this one
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from ui.common import DOWNLOAD_MENU, read_figures
from ui.sliders import COMPONENT as SLIDER_BOX
from ui.text_box import COMPONENT as TEXT_BOX

PATH = "/scenario_lab"
QUERY = "scenario=china_export_ban&mineral=gallium"
#: the slider each session moves (a label ending): the first restriction's fraction (the ban to
#: the U.S.), which changes every headline number and all three charts; the minimal app's slider
#: is "pass through" (--slider)
MOVE_LABEL = ": fraction"
XSRF_COOKIE = "_streamlit_xsrf"


class LoadError(Exception):
    """A protocol-level failure seen by a simulated session."""


# ----------------------------------------------------------------------------------------------
# A small HTTP/1.1 client (loopback only): GET with cookies, enough for the page, the health
# check and media files. No dependency beyond asyncio.


async def http_get(base: str, path: str, cookies: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    """``GET base+path``: (status, headers with lower-case names, body). Set-Cookie values go into ``cookies``."""
    u = urlsplit(base)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"loopback only: {base}")

    async def go():
        reader, writer = await asyncio.open_connection(u.hostname, u.port or 80)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
            head = f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\nAccept-Encoding: identity\r\n"
            if cookie:
                head += f"Cookie: {cookie}\r\n"
            writer.write((head + "\r\n").encode("latin-1"))
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        return raw

    raw = await asyncio.wait_for(go(), timeout)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k, v = k.strip().lower(), v.strip()
        if k == "set-cookie" and cookies is not None:
            name, _, rest = v.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            n = int(size_line.split(b";")[0] or b"0", 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2 :]
        body = out
    return status, headers, body


# ----------------------------------------------------------------------------------------------
# One simulated browser session


@dataclass
class Slider:
    id: str
    label: str
    value: list[float]
    min: float
    max: float
    step: float
    fragment_id: str = ""  # the st.fragment the slider is in: a move reruns only that, as in a browser
    box: str = ""  # the ui.sliders box holding it (the box's widget id; ``key`` is the slider's key)
    key: str = ""


@dataclass
class Run:
    """What one script run sent; times are seconds after the rerun_script was sent."""

    status: int | None = None
    t_last_delta: float | None = None
    t_finished: float | None = None
    deltas: int = 0
    bytes: int = 0
    refs: int = 0
    exceptions: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    sliders: dict[str, Slider] = field(default_factory=dict)
    downloads: dict[str, str] = field(default_factory=dict)  # label -> deferred file id (first of each)
    menus: dict[str, str] = field(default_factory=dict)  # a closed menu's label -> its widget id (first of each)


class StreamlitClient:
    """One Streamlit session over the websocket, as the frontend drives it."""

    def __init__(self, base: str, path: str = PATH, query: str = QUERY, timeout: float = 30, use_cache: bool = True):
        self.base = base.rstrip("/")
        self.path = path
        self.query = query
        self.timeout = timeout
        self.use_cache = use_cache
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.session_id = ""
        self.page_script_hash = ""
        self.sliders: dict[str, Slider] = {}
        self.downloads: dict[str, str] = {}  # label -> deferred file id, as the page shows them now
        self.menus: dict[str, str] = {}  # label -> widget id of the page's menus (st.popover on_change=rerun)
        self.move_fragment = ""  # the fragment of the slider the next move changes
        self.moved_key = ""  # and, in a ui.sliders box, its key
        self.box_moves = 0
        self.cache: dict[str, ForwardMsg] = {}
        self.last: Run | None = None
        self._pending: dict[str, asyncio.Future] = {}

    async def connect(self) -> None:
        status, _, _ = await http_get(self.base, f"{self.path}?{self.query}", self.cookies, self.timeout)
        if status != 200:
            raise LoadError(f"GET {self.path}: HTTP {status}")
        status, _, _ = await http_get(self.base, "/_stcore/health", self.cookies, self.timeout)
        if status != 200:
            raise LoadError(f"GET /_stcore/health: HTTP {status}")
        xsrf = self.cookies.get(XSRF_COOKIE)
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers={"Origin": self.base, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())},
            max_size=None,
            open_timeout=self.timeout,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _client_state(self, msg: BackMsg, widget_values: dict[str, list[float] | bool] | None) -> None:
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.path.strip("/")
        cs.page_script_hash = self.page_script_hash
        if self.use_cache:
            cs.cached_message_hashes.extend(self.cache)
        if widget_values is not None and self.move_fragment:
            cs.fragment_id = self.move_fragment  # what the frontend sends for a widget inside a fragment
        boxes: dict[str, dict] = {}
        for wid, value in (widget_values or {}).items():
            known = self.sliders.get(wid)
            if isinstance(value, bool):  # a menu opened or closed
                w = cs.widget_states.widgets.add()
                w.id = wid
                w.bool_value = value
                continue
            if known is not None and known.box:
                boxes.setdefault(known.box, {})[known.key] = value[0]
                continue
            w = cs.widget_states.widgets.add()
            w.id = wid
            w.double_array_value.data.extend(value)
        for box, values in boxes.items():
            # what the box's script sends: every slider's value, the one moved, a move counter
            self.box_moves += 1
            w = cs.widget_states.widgets.add()
            w.id = box
            w.json_value = json.dumps({"values": {"values": values, "moved": self.moved_key, "n": self.box_moves}})

    async def _recv(self, deadline: float) -> tuple[ForwardMsg, int, bool]:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError
        data = await asyncio.wait_for(self.ws.recv(), left)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.ref_hash:
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise LoadError(f"reference to a message this client does not hold ({msg.ref_hash[:8]})")
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            return full, len(data), True
        if self.use_cache and msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        return msg, len(data), False

    async def rerun(self, widget_values: dict[str, list[float]] | None = None) -> Run:
        """Send a rerun_script and read until its run has finished."""
        back = BackMsg()
        self._client_state(back, widget_values)
        t0 = time.perf_counter()
        deadline = t0 + self.timeout
        await self.ws.send(back.SerializeToString())
        run = Run()
        while True:
            try:
                msg, n, is_ref = await self._recv(deadline)
            except TimeoutError:
                raise LoadError(f"no script_finished within {self.timeout:.0f} s") from None
            run.bytes += n
            run.refs += is_ref
            kind = msg.WhichOneof("type")
            now = time.perf_counter() - t0
            if kind == "new_session":
                # a new run starts (after a rerun the app asked for): forget the previous one's elements
                run.sliders, run.metrics, run.downloads, run.menus = {}, {}, {}, {}
                self.session_id = msg.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":
                self.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "backend_operation_response":
                fut = self._pending.pop(msg.backend_operation_response.request_id, None)
                if fut and not fut.done():
                    fut.set_result(msg.backend_operation_response)
            elif kind == "delta":
                run.deltas += 1
                run.t_last_delta = now
                self._read_delta(msg, run)
            elif kind == "script_finished":
                st = msg.script_finished
                if st == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app reran itself (st.rerun); the next run follows
                run.status, run.t_finished = st, now
                break
        if run.status not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            raise LoadError(f"script finished with status {run.status}")
        if run.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            # a fragment run re-sends only its own elements: the lab's download row is outside it
            self.sliders = {**self.sliders, **run.sliders}
            self.downloads = {**self.downloads, **run.downloads}
            self.menus = {**self.menus, **run.menus}
        else:
            self.sliders = run.sliders or self.sliders
            self.downloads = run.downloads
            self.menus = run.menus
        self.last = run
        return run

    def _read_delta(self, msg: ForwardMsg, run: Run) -> None:
        d = msg.delta
        d_fragment = d.fragment_id
        if d.WhichOneof("type") == "add_block" and d.add_block.WhichOneof("type") == "popover":
            pop = d.add_block.popover
            if pop.id and pop.label not in run.menus:
                run.menus[pop.label] = pop.id
            return
        if d.WhichOneof("type") != "new_element":
            return
        el = d.new_element
        kind = el.WhichOneof("type")
        if kind == "bidi_component" and el.bidi_component.component_name == SLIDER_BOX:
            # a box of sliders (ui.sliders): each row's value is the step the server shows
            b = el.bidi_component
            data = json.loads(b.json)
            for row in data["sliders"]:
                vals = data["grids"][row["grid"]]["values"]
                step = vals[1] - vals[0] if len(vals) > 1 else 0
                sid = f"{b.id}|{row['key']}"
                run.sliders[sid] = Slider(sid, row["label"], [vals[row["index"]]], vals[0], vals[-1], step, d_fragment, b.id, row["key"])
        elif kind == "slider":
            s = el.slider
            # as the frontend does: a value the server sets wins; otherwise the widget keeps the
            # value it has in this client; a widget seen for the first time starts at its default
            known = self.sliders.get(s.id)
            value = list(s.value) if s.set_value else (known.value if known else list(s.default))
            run.sliders[s.id] = Slider(s.id, s.label, value, s.min, s.max, s.step, d_fragment)
        elif kind == "bidi_component" and el.bidi_component.component_name == TEXT_BOX:
            # the lab's headline figures, one element of HTML (ui.text_box)
            for label, fig in read_figures(json.loads(el.bidi_component.json)["html"]).items():
                run.metrics[label] = fig["value"]
        elif kind == "metric":
            run.metrics[el.metric.label] = el.metric.body
        elif kind == "exception":
            run.exceptions.append(f"{el.exception.type}: {el.exception.message[:200]}")
        elif kind == "download_button":
            b = el.download_button
            if b.deferred_file_id and b.label not in run.downloads:
                run.downloads[b.label] = b.deferred_file_id

    def move(self, label_end: str = MOVE_LABEL, rng: random.Random | None = None) -> dict[str, list[float]]:
        """Widget values for a move of the first slider whose label ends with ``label_end``:
        one step up, or down at the top (every other slider as it is). With ``rng``, a random
        slider of that slider's fragment goes to a random step of its range instead, so that
        the moves rarely repeat a setting (the server's result caches then mostly miss)."""
        s = next((s for s in self.sliders.values() if s.label.endswith(label_end)), None)
        if s is None:
            raise LoadError(f"no slider labelled ... {label_end!r} in the last run")
        self.move_fragment = s.fragment_id
        if rng is not None:
            s = rng.choice([x for x in self.sliders.values() if x.fragment_id == s.fragment_id])
        self.moved_key = s.key
        step = s.step or 0.01
        if rng is None:
            v = s.value[0]
            s.value = [round(v + step if v + step <= s.max + 1e-9 else v - step, 10)]
        else:
            grid = [round(s.min + i * step, 10) for i in range(max(1, round((s.max - s.min) / step)) + 1)]
            s.value = [rng.choice([g for g in grid if abs(g - s.value[0]) > 1e-9])]
        return {k: list(x.value) for k, x in self.sliders.items()}

    async def open_menu(self, label: str = DOWNLOAD_MENU) -> Run:
        """Open the page's first menu labelled ``label`` (a chart's "Download chart"), as a click on
        it does: the server reruns and sends the menu's content (the chart's download buttons). It
        stays open on the server until closed, so later runs keep sending them."""
        wid = self.menus.get(label)
        if wid is None:
            raise LoadError(f"no menu {label!r} on the page")
        self.move_fragment = ""  # the lab's menu is outside its fragment: a click reruns the page
        return await self.rerun({wid: True})

    async def export(self, label: str = "PNG") -> tuple[float, int]:
        """Click a deferred download button (the first labelled ``label``): the server builds the
        file (a PNG through kaleido), answers with its URL, and the client fetches it."""
        file_id = self.downloads.get(label)
        if not file_id and DOWNLOAD_MENU in self.menus:
            await self.open_menu()
            file_id = self.downloads.get(label)
        if not file_id:
            raise LoadError(f"no deferred download button {label!r}")
        req = BackMsg()
        rid = str(uuid.uuid4())
        req.backend_operation_request.request_id = rid
        req.backend_operation_request.session_id = self.session_id
        req.backend_operation_request.deferred_file.file_id = file_id
        fut = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        t0 = time.perf_counter()
        await self.ws.send(req.SerializeToString())
        deadline = t0 + self.timeout
        while not fut.done():  # nothing else is in flight for this session: read until the answer
            msg, _, _ = await self._recv(deadline)
            if msg.WhichOneof("type") == "backend_operation_response":
                f = self._pending.pop(msg.backend_operation_response.request_id, None)
                if f:
                    f.set_result(msg.backend_operation_response)
        resp = fut.result()
        if resp.error_msg:
            raise LoadError(f"export failed: {resp.error_msg}")
        status, _, body = await http_get(self.base, resp.deferred_file.url, self.cookies, self.timeout)
        if status != 200 or not body:
            raise LoadError(f"export download: HTTP {status}, {len(body)} bytes")
        return time.perf_counter() - t0, len(body)


# ----------------------------------------------------------------------------------------------
# Server measurements from /proc


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


def _mem_kb(p: int, key: str) -> int:
    path = f"/proc/{p}/smaps_rollup" if key == "Pss:" else f"/proc/{p}/status"
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Summed RSS of the process tree (counts pages shared by Chromium's processes once per process)."""
    return sum(_mem_kb(p, "VmRSS:") for p in _tree(pid)) / 1024


def pss_mb(pid: int) -> float:
    """Summed PSS of the process tree: shared pages divided among their users (no double count)."""
    return sum(_mem_kb(p, "Pss:") for p in _tree(pid)) / 1024


def procs(pid: int) -> list[tuple[int, str, float]]:
    """(pid, name, RSS MB) of every process in the tree."""
    out = []
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        out.append((p, name, round(_mem_kb(p, "VmRSS:") / 1024)))
    return out


def cpu_s(pid: int) -> tuple[float, float]:
    """(CPU seconds of the process itself, of its live children) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    own = kids = 0.0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            s = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
        if p == pid:
            own = s
        else:
            kids += s
    return own, kids


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


class Sampler:
    """Peak RSS of the servers' process trees while a level runs."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.peak = 0.0
        self.peak_pss = 0.0
        self._task = None

    async def _loop(self):
        while True:
            self.peak = max(self.peak, sum(rss_mb(p) for p in self.pids))
            self.peak_pss = max(self.peak_pss, sum(pss_mb(p) for p in self.pids))
            await asyncio.sleep(1.0)

    def __enter__(self):
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *exc):
        self._task.cancel()


# ----------------------------------------------------------------------------------------------
# The load


@dataclass
class LevelStats:
    lat: list[float] = field(default_factory=list)  # send -> script_finished, s
    lat_delta: list[float] = field(default_factory=list)  # send -> last delta, s
    errors: list[str] = field(default_factory=list)
    bytes: int = 0
    refs: int = 0
    late: int = 0  # moves that could not start on time (the previous run was still going)
    exports: list[float] = field(default_factory=list)


def pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


async def open_session(base: str, a, errors: list[str]) -> StreamlitClient | None:
    c = StreamlitClient(base, a.path, a.query, timeout=a.timeout, use_cache=not a.no_cache)
    try:
        await c.connect()
        run = await c.rerun()
        if run.exceptions:
            errors.append(f"open: exception element: {run.exceptions[0]}")
        if not c.sliders:
            raise LoadError("the first run showed no sliders")
        return c
    except (LoadError, OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
        errors.append(f"open: {type(exc).__name__}: {str(exc)[:160]}")
        await c.close()
        return None


async def drive(c: StreamlitClient, idx: int, stop_at: float, a, st: LevelStats) -> bool:
    """Move a slider every a.interval seconds until stop_at. False if the session broke."""
    await asyncio.sleep(random.uniform(0, a.interval))  # spread the sessions over the interval
    moves = 0
    rng = random.Random(idx) if a.moves == "random" else None
    next_at = time.perf_counter()
    try:
        while time.perf_counter() < stop_at:
            now = time.perf_counter()
            if now < next_at:
                await asyncio.sleep(next_at - now)
            elif now - next_at > 0.05 and moves:
                st.late += 1
            next_at = time.perf_counter() + a.interval
            run = await c.rerun(c.move(a.slider, rng))
            moves += 1
            st.lat.append(run.t_finished)
            st.lat_delta.append(run.t_last_delta or run.t_finished)
            st.bytes += run.bytes
            st.refs += run.refs
            if run.exceptions:
                st.errors.append(f"session {idx}: exception element: {run.exceptions[0]}")
            if a.export_every and moves % a.export_every == 0:
                secs, _ = await c.export("PNG")
                st.exports.append(secs)
        return True
    except (LoadError, OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
        st.errors.append(f"session {idx}: {type(exc).__name__}: {str(exc)[:160]}")
        return False


def summarise(st: LevelStats, seconds: float, n: int, cpu: dict, rss: dict) -> dict:
    ms = lambda x: None if x is None else round(1000 * x)  # noqa: E731
    return {
        "sessions": n,
        "seconds": round(seconds, 1),
        "moves": len(st.lat),
        "moves_per_s": round(len(st.lat) / seconds, 2) if seconds else None,
        "median_ms": ms(statistics.median(st.lat)) if st.lat else None,
        "p95_ms": ms(pct(st.lat, 0.95)),
        "max_ms": ms(max(st.lat)) if st.lat else None,
        "last_delta_median_ms": ms(statistics.median(st.lat_delta)) if st.lat_delta else None,
        "last_delta_p95_ms": ms(pct(st.lat_delta, 0.95)),
        "late_moves": st.late,
        "errors": len(st.errors),
        "error_examples": st.errors[:5],
        "kb_per_move": round(st.bytes / 1024 / len(st.lat), 1) if st.lat else None,
        "refs_per_move": round(st.refs / len(st.lat), 1) if st.lat else None,
        "exports": len(st.exports),
        "export_median_ms": ms(statistics.median(st.exports)) if st.exports else None,
        "export_p95_ms": ms(pct(st.exports, 0.95)),
        **cpu,
        **rss,
    }


async def run_levels(bases: list[str], server_pids: list[int], a) -> dict:
    """Open sessions level by level (round-robin over ``bases``) and drive them."""
    clients: list[StreamlitClient] = []
    out: dict = {"levels": []}
    idle = sum(rss_mb(p) for p in server_pids)
    out["rss_mb_idle"] = round(idle)
    sem = asyncio.Semaphore(a.open_concurrency)

    async def opened(i):
        async with sem:
            return await open_session(bases[i % len(bases)], a, open_errors)

    for n in a.levels:
        open_errors: list[str] = []
        t_open = time.perf_counter()
        new = await asyncio.gather(*(opened(i) for i in range(len(clients), n)))
        clients += [c for c in new if c is not None]
        open_s = time.perf_counter() - t_open
        st = LevelStats(errors=list(open_errors))
        cpu0 = [cpu_s(p) for p in server_pids]
        m0 = machine_busy()
        me0 = sum(os.times()[:2])
        t0 = time.perf_counter()
        with Sampler(server_pids) as sampler:
            ok = await asyncio.gather(*(drive(c, i, t0 + a.seconds, a, st) for i, c in enumerate(clients)))
            wall = time.perf_counter() - t0
        cpu1 = [cpu_s(p) for p in server_pids]
        m1 = machine_busy()
        me1 = sum(os.times()[:2])
        cores = os.cpu_count() or 1
        server_cpu = sum(b[0] - a_[0] for a_, b in zip(cpu0, cpu1, strict=True))
        kids_cpu = sum(b[1] - a_[1] for a_, b in zip(cpu0, cpu1, strict=True))
        machine_pct = 100 * (m1[0] - m0[0]) / max(1, m1[1] - m0[1]) * cores  # in % of one core
        cpu = {
            "server_cpu_pct": round(100 * server_cpu / wall),  # % of one core (100 = one core busy)
            "server_cpu_pct_each": [round(100 * (b[0] - a_[0]) / wall) for a_, b in zip(cpu0, cpu1, strict=True)],
            "server_children_cpu_pct": round(100 * kids_cpu / wall),
            "loadgen_cpu_pct": round(100 * (me1 - me0) / wall),
            "machine_cpu_pct": round(machine_pct),  # all processes, % of one core (max 100 x cores)
            "open_s": round(open_s, 1),
            "sessions_open": len(clients),
        }
        per = [rss_mb(p) for p in server_pids]
        rss = {
            "rss_mb_end": round(sum(per)),
            "rss_mb_peak": round(max(sampler.peak, sum(per))),
            "pss_mb_peak": round(sampler.peak_pss),
            "processes": [x for p in server_pids for x in procs(p)] if a.export_every else len([x for p in server_pids for x in _tree(p)]),
        }
        if len(per) > 1:
            rss["rss_mb_per_server"] = [round(x) for x in per]
        row = summarise(st, wall, n, cpu, rss)
        out["levels"].append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        # a broken session is closed and replaced at the next level
        for c, good in zip(list(clients), ok, strict=True):
            if not good:
                await c.close()
                clients.remove(c)
    for c in clients:
        await c.close()
    return out


def table(levels: list[dict]) -> str:
    rows = [
        "| sessions | moves | moves/s | median | p95 | errors | server CPU (% of a core) | loadgen CPU | machine CPU | RSS peak | PSS peak | open time |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in levels:
        rows.append(
            f"| {r['sessions']} | {r['moves']} | {r['moves_per_s']} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['errors']} | "
            f"{r['server_cpu_pct']}% | {r['loadgen_cpu_pct']}% | {r['machine_cpu_pct']}% | {r['rss_mb_peak']} MB | {r['pss_mb_peak']} MB | {r['open_s']} s |"
        )
    return "\n".join(rows)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", default="1,10,50,100", help="session counts, comma-separated (sessions are added)")
    ap.add_argument("--seconds", type=float, default=60, help="length of each level's moving phase")
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between one session's slider moves")
    ap.add_argument("--timeout", type=float, default=30, help="a run that has not finished after this many seconds is an error")
    ap.add_argument("--export-every", type=int, default=0, help="also export the first chart as PNG every N moves (0: never)")
    ap.add_argument("--open-concurrency", type=int, default=10, help="sessions opened at the same time")
    ap.add_argument("--no-cache", action="store_true", help="do not tell the server which messages the client holds")
    ap.add_argument("--app", default="app.py", help="the script to serve (benchmarks/minimal_app.py is the baseline)")
    ap.add_argument("--path", default=PATH, help="the page's URL path")
    ap.add_argument("--query", default=QUERY, help="the page's query string (without ?)")
    ap.add_argument("--slider", default=MOVE_LABEL, help="the moved slider: the end of its label")
    ap.add_argument(
        "--moves",
        choices=("step", "random"),
        default="step",
        help="step: that slider one step up and back (settings repeat, caches hit); random: a random slider of its fragment to a random value",
    )
    ap.add_argument("--url", help="drive a running server (or proxy) instead of starting one; loopback only")
    ap.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS and CPU")
    ap.add_argument("--out", help="also write the JSON results to this file")
    a = ap.parse_args(argv)
    a.levels = [int(x) for x in a.levels.split(",")]
    return a


def main(argv=None) -> None:
    a = parse_args(argv)
    from tests.browser.conftest import free_port, start_server

    proc = None
    if a.url:
        base, pids = a.url, [a.pid] if a.pid else []
    else:
        port = free_port()
        proc = start_server(ROOT / a.app, port)
        base, pids = f"http://127.0.0.1:{port}", [proc.pid]
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    out = {"date": today(), "machine": machine(), "load_average_before": load_before, "args": vars(a)}
    try:
        out |= asyncio.run(run_levels([base], pids, a))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
    print(table(out["levels"]), file=sys.stderr)
    emit(out, a.out)


if __name__ == "__main__":
    main()
