"""Whose X-Forwarded-For and X-Forwarded-Proto the server believes: nobody's by default
(not loopback's either), only the proxies of ``--forwarded-allow-ips``. The rate limits
and the log key on the address so decided.

Loopback has a whole /8 on Linux: the server listens on 127.0.0.1, a "proxy" connects
from 127.0.0.2 and a stranger from 127.0.0.3, so trusted and untrusted peers reach one
server.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from sync.server.settings import Settings
from tests.conftest import FROZEN_NOW
from tests.server.conftest import Clock, Server
from tests.server.served import serve

PROXY, STRANGER = "127.0.0.2", "127.0.0.3"
WRONG = {"code": "AAAA-BBBB-CCCC", "device_name": "laptop"}


def peer(server: Server, source: str) -> httpx.Client:
    """An HTTP client whose connections come from ``source``."""
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=server.url, transport=transport, timeout=10)


@contextmanager
def running(engine: Engine, settings: Settings) -> Iterator[Server]:
    srv = Server(engine, settings, Clock(FROZEN_NOW)).start()
    try:
        yield srv
    finally:
        srv.stop()


def forged(i: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{i}"}


def test_forged_forwarded_for_from_loopback_is_ignored(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="companion.server")
    statuses = [
        server.http.post("/v1/enroll", json=WRONG, headers=forged(i)).status_code for i in range(25)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429] * 15
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "refused from 127.0.0.1" in logged and "rate-limited for 127.0.0.1" in logged
    assert "203.0.113." not in logged


def test_forged_forwarded_for_does_not_reset_the_login_limit(server: Server) -> None:
    statuses = [
        server.http.post(
            "/v1/coordinator/login",
            json={"email": f"nobody{i}@example.org", "password": "wrong password"},
            headers=forged(i),
        ).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_a_trusted_proxy_names_the_client_and_a_stranger_does_not(
    engine: Engine, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="companion.server")
    settings = Settings(db_url=db_url, forwarded_allow_ips=PROXY)
    with running(engine, settings) as srv, peer(srv, PROXY) as proxy, peer(
        srv, STRANGER
    ) as stranger:  # fmt: skip
        # Through the proxy, each forwarded address is a different client: none is limited.
        assert {proxy.post("/v1/enroll", json=WRONG, headers=forged(i)).status_code
                for i in range(12)} == {400}  # fmt: skip
        # One forwarded client guessing on is stopped after ten, whatever the proxy relays.
        one = [proxy.post("/v1/enroll", json=WRONG, headers=forged(99)).status_code
               for _ in range(11)]  # fmt: skip
        assert one[:10] == [400] * 10 and one[10] == 429
        # A peer that is not the proxy cannot pose as one: its own address counts.
        own = [stranger.post("/v1/enroll", json=WRONG, headers=forged(i)).status_code
               for i in range(25)]  # fmt: skip
        assert own[:10] == [400] * 10 and set(own[10:]) == {429}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "rate-limited for 203.0.113.99" in logged
    assert f"rate-limited for {STRANGER}" in logged
    assert f"refused from {PROXY}" not in logged  # the proxy's own address is never the key


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(engine: Engine, db_url: str) -> None:
    https = {"X-Forwarded-Proto": "https"}
    settings = Settings(db_url=db_url, forwarded_allow_ips=PROXY)
    with running(engine, settings) as srv, peer(srv, PROXY) as proxy, peer(
        srv, STRANGER
    ) as stranger:  # fmt: skip
        srv.program()
        for client, scheme in ((stranger, "http"), (proxy, "https")):
            _, code = srv.code("Alex", "Evening IOP")
            body = {"code": code, "device_name": "laptop"}
            r = client.post("/v1/enroll", json=body, headers=https)
            assert r.status_code == 200, r.text
            assert r.json()["feed_url"].startswith(f"{scheme}://"), scheme
            cookie = client.get("/signin", headers=https).headers["set-cookie"]
            secure = "secure" in {p.strip().lower() for p in cookie.split(";")}
            assert secure is (scheme == "https")


def test_serve_refuses_a_mistyped_proxy_address(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    r = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "serve", "--db", db,
         "--forwarded-allow-ips", "127.0.0.1,proxy.local"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "companion-server: error: --forwarded-allow-ips: 'proxy.local' is not an IP address "
        "or network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)"
    ]


@pytest.mark.slow
def test_serve_workers_trust_only_the_configured_proxy(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with serve(log, "--db", db_url, "--workers", "2", "--forwarded-allow-ips", PROXY) as s:
        assert s.started["forwarded_allow_ips"] == [PROXY]
        url = s.url
        transport = httpx.HTTPTransport(local_address=STRANGER)
        with httpx.Client(base_url=url, transport=transport, timeout=10) as stranger:
            own = [stranger.post("/v1/enroll", json=WRONG, headers=forged(i)).status_code
                   for i in range(12)]  # fmt: skip
        transport = httpx.HTTPTransport(local_address=PROXY)
        with httpx.Client(base_url=url, transport=transport, timeout=10) as proxy:
            relayed = proxy.post("/v1/enroll", json=WRONG, headers=forged(7)).status_code
    assert own[:10] == [400] * 10 and own[10:] == [429, 429]
    assert relayed == 400
    text = log.read_text()
    assert f"rate-limited for {STRANGER}" in text and "refused from 203.0.113.7" in text
    assert "refused from 203.0.113.0" not in text
