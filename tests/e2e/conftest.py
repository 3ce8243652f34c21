"""End-to-end harness: the real `companion-server` on a loopback port, Debian's Chromium
driven by Playwright (never a downloaded browser), and the real `companion` client."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import clockshim
from tests.conftest import require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
EMAIL = "coord@example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cli(*args: str, input: str | None = None, home: Path) -> subprocess.CompletedProcess:
    """Run the real `companion-server` with its data under ``home``."""
    env = dict(os.environ, COMPANION_SERVER_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())", *args],
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=60,
    )


def server_json(*args: str, home: Path, input: str | None = None) -> dict:
    done = server_cli(*args, "--json", input=input, home=home)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@dataclass
class LiveServer:
    url: str
    home: Path
    process: subprocess.Popen

    def cli(self, *args: str) -> dict:
        return server_json(*args, home=self.home)


def start_server(home: Path, *args: str, clock: Path | None = None) -> LiveServer:
    """Serve on a free loopback port; wait for /healthz (bounded). With ``clock``, the
    server's clock is moved by the offset in that file (``tests.clockshim``)."""
    port = free_port()
    env = dict(os.environ, COMPANION_SERVER_HOME=str(home))
    if clock is not None:
        env[clockshim.ENV] = str(clock)
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            *clockshim.server_command(),
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((home / "server.log").read_text())
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(url, home, proc)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not answer /healthz within 20 s")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@pytest.fixture
def program_home(tmp_path: Path) -> Path:
    """A server data dir with Evening IOP and its coordinator."""
    home = tmp_path / "server"
    server_json("create-program", "Evening IOP", "--timezone", "America/New_York", home=home)
    server_json("create-coordinator", EMAIL, home=home, input=PASSWORD + "\n")
    return home


@pytest.fixture
def live_server(program_home: Path) -> Iterator[LiveServer]:
    server = start_server(program_home, "serve")
    yield server
    stop_server(server)


def sign_in_page(page: Any, url: str, email: str, password: str, *, start: str = "/signin",
                 lands: str = "/inbox") -> None:  # fmt: skip
    """Sign in through the dashboard's form in a browser page, from ``start``, and wait to
    land on ``lands``."""
    page.goto(url + start)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + lands)


def _playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright; skipped locally (failed in CI) when missing."""
    require_tool(_playwright_available(), "playwright is not installed")
    require_tool(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
        "chromium is not installed (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
