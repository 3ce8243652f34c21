"""One sign-in throttle for the dashboard's form and POST /v1/coordinator/login, kept in
the database: failures per (account, address) lock that pair, per address stop that
address, and per account slow the account down for addresses it does not usually sign
in from; the real coordinator at their usual address is never locked out by a guesser
elsewhere. Across the form and the API, and across two server processes.

Peers come from different loopback addresses (127.0.0.x), as in test_proxies.py.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from sync.server import admin
from sync.server.settings import Settings
from sync.server.storage.tables import signin_attempts
from sync.server.throttle import slow_wait
from tests.conftest import FROZEN_NOW
from tests.server.conftest import Server
from tests.server.forms import browser, form_signin
from tests.server.served import serve

EMAIL, PASSWORD = "coord@example.org", "correct horse"
HOME, GUESSER, OTHER, TRAVEL = "127.0.0.1", "127.0.0.3", "127.0.0.4", "127.0.0.5"


def api(server_url: str, source: str, email: str, password: str) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=server_url, transport=transport, timeout=30) as c:
        return c.post("/v1/coordinator/login", json={"email": email, "password": password})


def form(server_url: str, source: str, email: str, password: str) -> httpx.Response:
    with browser(server_url, source) as b:
        return form_signin(b, email, password)


def signed_in(r: httpx.Response) -> bool:
    """What a person notices: the API gave a token, or the form went on to the inbox."""
    if r.request.url.path == "/signin":
        return r.status_code == 303 and r.headers["location"] == "/inbox"
    return r.status_code == 200 and "token" in r.json()


@pytest.fixture
def coordinator(server: Server) -> Server:
    admin.create_coordinator(server.engine, EMAIL, PASSWORD, server.program(), server.clock())
    return server


def test_wrong_api_logins_lock_the_form_too(coordinator: Server) -> None:
    url = coordinator.url
    answers = [api(url, HOME, EMAIL, "wrong password") for _ in range(5)]
    assert [r.status_code for r in answers] == [401, 401, 401, 401, 429]
    assert int(answers[-1].headers["retry-after"]) == 15 * 60
    # The right password, from the same address, on either door: refused.
    r = form(url, HOME, EMAIL, PASSWORD)
    assert r.status_code == 429 and "locked on this device for 15 minutes" in r.text
    assert "companion_session" not in r.headers.get("set-cookie", "")
    r = api(url, HOME, EMAIL, PASSWORD)
    assert r.status_code == 429 and "try again in 15 minutes" in r.json()["detail"]
    # The lock holds its window and then lifts.
    coordinator.clock.advance(timedelta(minutes=14, seconds=59))
    assert api(url, HOME, EMAIL, PASSWORD).status_code == 429
    coordinator.clock.advance(timedelta(seconds=2))
    assert signed_in(api(url, HOME, EMAIL, PASSWORD))


def test_wrong_form_sign_ins_lock_the_api_too(coordinator: Server) -> None:
    url = coordinator.url
    for _ in range(3):
        assert form(url, HOME, EMAIL, "wrong password").status_code == 401
    assert api(url, HOME, EMAIL, "wrong password").status_code == 401
    assert form(url, HOME, EMAIL, "wrong password").status_code == 429
    # The token the API would give is the dashboard's session: it must not be had either.
    r = api(url, HOME, EMAIL, PASSWORD)
    assert r.status_code == 429 and "token" not in r.json()


def test_45_wrong_api_logins_never_end_in_a_session(coordinator: Server) -> None:
    statuses = [api(coordinator.url, HOME, EMAIL, f"guess {i}").status_code for i in range(45)]
    assert statuses[:4] == [401] * 4 and set(statuses[4:]) == {429}
    assert api(coordinator.url, HOME, EMAIL, PASSWORD).status_code == 429
    with coordinator.engine.connect() as conn:  # refused attempts were never checked
        checked = conn.execute(select(func.count()).select_from(signin_attempts)).scalar_one()
    assert checked == 5


def test_a_guesser_elsewhere_does_not_lock_out_the_coordinator(
    coordinator: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="companion.server")
    url = coordinator.url
    assert signed_in(form(url, HOME, EMAIL, PASSWORD))  # their usual address
    # Someone who knows the email guesses from two other addresses, by both doors.
    for i in range(5):
        assert api(url, GUESSER, EMAIL, f"guess {i}").status_code in (401, 429)
        assert form(url, OTHER, EMAIL, f"guess {i}").status_code in (401, 429)
    # The guesser is locked out even when it guesses right...
    assert api(url, GUESSER, EMAIL, PASSWORD).status_code == 429
    assert form(url, OTHER, EMAIL, PASSWORD).status_code == 429
    # ...the coordinator at their usual address is not, by either door.
    assert signed_in(form(url, HOME, EMAIL, PASSWORD))
    assert signed_in(api(url, HOME, EMAIL, PASSWORD))
    # From an address the account never used, the coordinator waits, then gets in.
    r = api(url, TRAVEL, EMAIL, PASSWORD)
    assert r.status_code == 429 and r.headers["retry-after"] == "2"
    r = form(url, TRAVEL, EMAIL, PASSWORD)
    assert r.status_code == 429 and "wait 2 seconds" in r.text
    coordinator.clock.advance(timedelta(seconds=2))
    assert signed_in(form(url, TRAVEL, EMAIL, PASSWORD))
    # The lock-outs and the slow-down are security events in the log (no email in it).
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"security: sign-in locked for coordinator 1 from {GUESSER} after 5" in logged
    assert f"security: sign-in locked for coordinator 1 from {OTHER} after 5" in logged
    assert "security: sign-ins to coordinator 1 slowed after 10 failures" in logged
    assert EMAIL not in logged


def test_the_slow_down_doubles_up_to_a_minute() -> None:
    settings = Settings()
    assert [slow_wait(n, settings) for n in (9, 10, 11, 12, 14, 20, 10**6)] == [
        0, 2, 4, 8, 32, 60, 60,
    ]  # fmt: skip


def test_one_address_guessing_many_accounts_is_stopped(coordinator: Server) -> None:
    program = "Evening IOP"
    for email in ("b@example.org", "c@example.org"):
        admin.create_coordinator(coordinator.engine, email, PASSWORD, program, coordinator.clock())
    url = coordinator.url
    tries = [(EMAIL, 4), ("b@example.org", 4), ("nobody@example.org", 2)]
    for email, n in tries:
        for _ in range(n):
            assert api(url, GUESSER, email, "wrong password").status_code == 401
    r = form(url, GUESSER, "c@example.org", PASSWORD)
    assert r.status_code == 429 and "from this address" in r.text
    assert signed_in(form(url, HOME, "c@example.org", PASSWORD))


def test_a_burst_of_parallel_guesses_is_counted_one_by_one(coordinator: Server) -> None:
    statuses: list[int] = []

    def guess(i: int) -> None:
        statuses.append(api(coordinator.url, GUESSER, EMAIL, f"guess {i}").status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 30 and statuses.count(401) <= 4
    with coordinator.engine.connect() as conn:
        checked = conn.execute(select(func.count()).select_from(signin_attempts)).scalar_one()
    assert checked == 5  # argon2 ran five times, not thirty


@pytest.mark.slow
def test_two_server_processes_share_one_throttle(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    admin.create_program(engine, "Evening IOP", "America/New_York", 0.8, 3, "", FROZEN_NOW)
    admin.create_coordinator(engine, EMAIL, PASSWORD, "Evening IOP", FROZEN_NOW)
    with serve(tmp_path / "a.log", "--db", db_url) as a, serve(
        tmp_path / "b.log", "--db", db_url
    ) as b:  # fmt: skip
        assert form(a.url, GUESSER, EMAIL, "wrong password").status_code == 401
        assert api(b.url, GUESSER, EMAIL, "wrong password").status_code == 401
        assert form(b.url, GUESSER, EMAIL, "wrong password").status_code == 401
        assert api(a.url, GUESSER, EMAIL, "wrong password").status_code == 401
        assert form(b.url, GUESSER, EMAIL, "wrong password").status_code == 429
        for url in (a.url, b.url):
            assert api(url, GUESSER, EMAIL, PASSWORD).status_code == 429
            assert form(url, GUESSER, EMAIL, PASSWORD).status_code == 429
            assert signed_in(api(url, HOME, EMAIL, PASSWORD))
            assert signed_in(form(url, HOME, EMAIL, PASSWORD))
    assert "security: sign-in locked for coordinator 1" in (tmp_path / "b.log").read_text()
