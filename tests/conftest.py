from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

os.environ.setdefault("RISK_CACHE_DIR", str(ROOT / ".pytest_cache" / "risk-cache"))

# Property tests: random locally (to find new cases), derandomized under CI (reproducible runs).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def ds():
    from risk.dataset import load_dataset

    return load_dataset(DATA)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A copy of data/ without the raw files (to break on purpose)."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("raw"))
    return dest


def chromium_path() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


def require_chromium():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI (apt-get install -y chromium)")
        pytest.skip("chromium not installed: sudo apt-get install -y chromium (or set BROWSER_PATH)")
    return path
