"""A real Streamlit server on a free localhost port, and Playwright driving the system Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_chromium

ARTIFACTS = ROOT / "test-artifacts"
from risk.export import CHROMIUM_ARGS  # noqa: E402  (the same flags as the PDF export)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: Path, port: int, cwd: Path = ROOT, env: dict | None = None) -> subprocess.Popen:
    """``env``: variables set for this server on top of this process's environment."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{script.stem}-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        env=env,
        # a file, never a pipe: nobody reads a pipe while the tests run, and a server that
        # logs more than the pipe's 64 KB buffer would block on its next write and hang
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in 60 s")


@pytest.fixture(scope="session")
def server():
    require_chromium()
    port = free_port()
    proc = start_server(ROOT / "serve.py", port)  # what `make run` serves: app.py with the warm-up
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


#: Generous timeouts: CI machines are shared and a loaded 2-core machine can take tens of
#: seconds to serve a page; a real failure still fails, only later.
NAV_TIMEOUT_MS = 120_000
ACTION_TIMEOUT_MS = 60_000


def new_context(browser, **kw):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, **kw)
    ctx.set_default_navigation_timeout(NAV_TIMEOUT_MS)
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    return ctx


@pytest.fixture
def page(browser):
    ctx = new_context(browser)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def wait_for_app(page, timeout=ACTION_TIMEOUT_MS):
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') ||"
        " !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout,
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
