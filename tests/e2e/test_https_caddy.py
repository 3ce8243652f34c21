"""HTTPS through the real Caddy from Debian, in front of the real server: Caddy runs the
shipped ``deploy/Caddyfile`` (imported by a generated one: ``local_certs``, its own CA,
nothing leaves the machine; admin off; storage in tmp). The real client enrols and syncs
over https trusting Caddy's root CA, the dashboard signs in over HTTPS in Chromium with
Secure cookies and HSTS, a calendar consumer fetches the feed, and an oversized body
never reaches the server."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.server.storage.engine import make_engine
from tests.conftest import require_tool, run_cli
from tests.e2e.conftest import LiveServer, free_port, start_server, stop_server
from tests.e2e.test_dashboard import sign_in
from tests.server.conftest import publish

pytestmark = pytest.mark.browser
CADDY = "/usr/bin/caddy"
ROOT = Path(__file__).resolve().parents[2]
HSTS = "max-age=31536000"


@dataclass
class Proxy:
    url: str
    ca: Path
    trust: ssl.SSLContext
    log: Path


def caddyfile(where: Path, http_port: int, https_port: int) -> Path:
    path = where / "Caddyfile"
    path.write_text(
        "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n}}\n"
        f"import {ROOT / 'deploy' / 'Caddyfile'}\n"
    )
    return path


def wait_for_tls(url: str, ca: Path, proc: subprocess.Popen[bytes], log: Path) -> ssl.SSLContext:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"caddy exited {proc.returncode}: {log.read_text()}")
        if ca.exists():
            trust = ssl.create_default_context(cafile=str(ca))
            try:
                if httpx.get(url + "/healthz", verify=trust, timeout=2).status_code == 200:
                    return trust
            except (httpx.HTTPError, ssl.SSLError):
                pass
        time.sleep(0.2)
    raise AssertionError(f"caddy did not serve {url}: {log.read_text()}")


@pytest.fixture
def backend(program_home: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, int]]:
    """The server on loopback, trusting the proxy on 127.0.0.1, public at Caddy's port;
    Evening IOP has its Process Group series."""
    https_port = free_port()
    engine = make_engine(f"sqlite:///{program_home / 'server.sqlite3'}")
    publish(engine, "Evening IOP", datetime.now(UTC))
    engine.dispose()
    server = start_server(program_home, "serve", "--forwarded-allow-ips", "127.0.0.1",
                          "--public-url", f"https://localhost:{https_port}")  # fmt: skip
    yield server, https_port
    stop_server(server)


@pytest.fixture
def proxy(backend: tuple[LiveServer, int], tmp_path: Path) -> Iterator[Proxy]:
    """Debian's Caddy in front of the server, with its CA and state under tmp."""
    require_tool(Path(CADDY).exists() or shutil.which("caddy") is not None,
                 "caddy is not installed (apt-get install caddy)")  # fmt: skip
    server, https_port = backend
    where = tmp_path / "caddy"
    where.mkdir()
    config = caddyfile(where, free_port(), https_port)
    env = dict(os.environ, XDG_DATA_HOME=str(where / "data"), XDG_CONFIG_HOME=str(where / "cfg"),
               HOME=str(where), COMPANION_DOMAIN=f"localhost:{https_port}",
               COMPANION_BACKEND=server.url.removeprefix("http://"))  # fmt: skip
    log = where / "caddy.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
                                stdout=out, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    try:
        url = f"https://localhost:{https_port}"
        ca = where / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        yield Proxy(url, ca, wait_for_tls(url, ca, proc, log), log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def client(*args: str) -> Any:
    done = run_cli(*args, now=None)
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout) if "--json" in args else done.stdout


def test_the_client_enrols_and_syncs_through_caddy_and_the_feed_is_fetched(
    proxy: Proxy, backend: tuple[LiveServer, int]
) -> None:
    server, _ = backend
    code = server.cli("add-client", "Jordan R.")["code"]
    said = client("enroll", proxy.url, code, "--ca-file", str(proxy.ca))
    assert "Enrolled with Evening IOP as Jordan R." in said
    feed_url = next(line.split(": ", 1)[1] for line in said.splitlines()
                    if line.startswith("Calendar subscription: "))  # fmt: skip
    assert feed_url.startswith(proxy.url + "/v1/feeds/")

    assert client("sync", "--json")["state"] == "ok"
    group = next(s for s in client("sessions", "--json") if s["title"] == "Process Group")
    assert "Delivered to Evening IOP" in client("notify", group["id"], "--barrier", "work")

    # A calendar app trusting the same CA fetches the feed over https.
    feed = httpx.get(feed_url, verify=proxy.trust)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text
    assert feed.headers.get_list("strict-transport-security") == [HSTS]

    # A body over the server's limit never reaches it (Debian's Caddy may say 502).
    big = httpx.post(proxy.url + "/v1/notices", content=b"x" * (65 * 1024),
                     headers={"Content-Type": "application/json"}, verify=proxy.trust)  # fmt: skip
    assert big.status_code in (413, 502)


def test_the_dashboard_signs_in_over_https_with_secure_cookies_and_hsts(
    proxy: Proxy, browser: Any
) -> None:
    context = browser.new_context(ignore_https_errors=True)  # Chromium lacks Caddy's CA
    page = context.new_page()
    page.set_default_timeout(15_000)
    answers: list[Any] = []
    page.on("response", lambda answer: answers.append(answer))
    sign_in(page, proxy.url)
    assert page.title().startswith("Inbox")
    assert page.url == proxy.url + "/inbox"
    cookies = context.cookies(proxy.url)
    assert cookies and all(c["secure"] for c in cookies), cookies
    pages = [a for a in answers if a.url.startswith(proxy.url)]
    assert pages and all(a.headers.get("strict-transport-security") == HSTS for a in pages)
    context.close()
