"""The browser suite's fixtures: the real server on a free port, Debian's Chromium, fresh pages.

One server for the whole session (starting it and importing the sample takes most of the
suite's first seconds), with a fresh data folder, so the first page seen is a first start.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .driver import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, SIZES

# Settings a developer may have exported that would point the server at other data.
_FOREIGN_SETTINGS = (
    "TOWNSHIP_DATABASE_URL",
    "TOWNSHIP_NO_SAMPLE",
    "TOWNSHIP_EDITORS_FILE",
    "TOWNSHIP_CATALOGUE",
    "TOWNSHIP_REPORT_TEMPLATE",
)


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop the server by its PID: politely first, then for good."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_healthy(process: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"streamlit not healthy after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextmanager
def running_server(
    data_dir: Path, log: Path, settings: dict[str, str] | None = None
) -> Iterator[Server]:
    """`streamlit run app.py` on a free local port with this data folder (and settings)."""
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_SETTINGS}
    env["TOWNSHIP_DATA_DIR"] = str(data_dir)
    env.update(settings or {})
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(process, url, log)
            yield Server(url, data_dir, log)
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[Server]:
    """`streamlit run app.py` on a free local port with an empty data folder."""
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    with running_server(data_dir, artifacts / "server.log") as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a browser Playwright downloads)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/install-system-deps` first")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser, size: str):
    width, height = SIZES[size]
    phone = size == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(60_000)
    return context


@pytest.fixture
def new_page(browser) -> Iterator[Callable[[str], object]]:
    """A fresh browser context (its own Streamlit session) at desktop or phone size."""
    contexts = []

    def make(size: str = "desktop"):
        contexts.append(_context(browser, size))
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def tab(browser) -> Iterator[Callable[[str], object]]:
    """One browser tab per size, kept for the session: going from page to page in it is a new
    Streamlit session each time, but the browser keeps the app's scripts cached (as a
    leader's browser does), so touring every page costs seconds, not minutes."""
    tabs = {}

    def get(size: str):
        if size not in tabs:
            tabs[size] = _context(browser, size).new_page()
        return tabs[size]

    yield get
    for page in tabs.values():
        page.context.close()


@pytest.fixture
def desktop(new_page):
    return new_page("desktop")


@pytest.fixture
def phone(new_page):
    return new_page("phone")
