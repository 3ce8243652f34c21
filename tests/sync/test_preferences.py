"""The client's discreet choice reaching the server: the real `companion` CLI against the
real program server, the device's calendar feed fetched as a calendar app would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.config import Settings, save_settings
from companion.paths import Paths
from companion.store import repo_sync
from companion.store.db import Store
from sync.preferences import pending
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.harness import FaultProxy, ProgramServer


def choose(paths: Paths, discreet: bool) -> None:
    """What the Settings screen (or editing config.json) does."""
    save_settings(paths.config_file, Settings(discreet=discreet))


def enroll_cli(program: ProgramServer, url: str | None = None) -> tuple[str, str]:
    """`companion enroll` for a new client; (its output, the feed URL it printed)."""
    _, code = program.add_client("Jordan R.")
    done = run_cli("enroll", url or program.url, code, "--device-name", "laptop")
    assert done.returncode == 0, done.stderr
    feed = next(line for line in done.stdout.splitlines() if line.startswith("Calendar"))
    return done.stdout, feed.split(": ", 1)[1]


def fetch(feed_url: str) -> bytes:
    r = httpx.get(feed_url, timeout=10)
    assert r.status_code == 200, r.text
    return r.content


def sync(*args: str) -> tuple[int, str]:
    done = run_cli("sync", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.strip()


@pytest.fixture
def proxy(program: ProgramServer) -> Iterator[FaultProxy]:
    """A proxy in front of the server that logs every request the client makes."""
    p = FaultProxy(program.url)
    yield p
    p.close()


def test_companion_sync_sends_the_choice_once_and_the_feed_follows(
    program: ProgramServer, paths: Paths, proxy: FaultProxy
) -> None:
    said, feed_url = enroll_cli(program, proxy.url)
    assert "discreet" not in said
    assert b"SUMMARY:Process Group (group therapy)" in fetch(feed_url)

    choose(paths, True)
    proxy.log.clear()
    assert sync() == (0, "Synced: your calendar feed is now discreet.")
    assert [m for m, _ in proxy.log] == ["PUT", "GET"]  # the choice, then the changes
    discreet = fetch(feed_url)
    assert b"SUMMARY:Appointment" in discreet and b"Process Group" not in discreet

    proxy.log.clear()  # acknowledged: an idle sync is one request again
    assert sync() == (0, "Up to date.")
    assert [m for m, _ in proxy.log] == ["GET"]

    choose(paths, False)
    code, out = sync("--json")
    assert code == 0 and json.loads(out)["calendar_feed"] == "titles"
    assert b"SUMMARY:Process Group (group therapy)" in fetch(feed_url)


def test_a_choice_made_before_enrolling_goes_with_the_enrolment(
    program: ProgramServer, paths: Paths
) -> None:
    choose(paths, True)
    said, feed_url = enroll_cli(program)
    assert "The subscription is discreet" in said
    assert b"SUMMARY:Appointment" in fetch(feed_url)  # before any sync
    assert sync() == (0, "Up to date.")


def test_the_programs_default_reaches_a_client_that_made_no_choice(
    program: ProgramServer, paths: Paths, home: Path
) -> None:
    program.admin("set-program", "--discreet")
    try:
        said, feed_url = enroll_cli(program)
        assert "The subscription is discreet" in said
        assert b"SUMMARY:Appointment" in fetch(feed_url)
        assert sync() == (0, "Up to date.")  # no choice of its own: nothing to send
        choose(paths, True)  # the same as the default: sent, and the feed stays discreet
        assert sync() == (0, "Synced: your calendar feed is now discreet.")
        assert b"SUMMARY:Appointment" in fetch(feed_url)
    finally:
        program.admin("set-program", "--no-discreet")


class RefusingProxy(FaultProxy):
    """An older server: no /v1/preferences (404), everything else as usual."""

    def respond(self, h: BaseHTTPRequestHandler, fault: str, body: bytes) -> None:
        if h.path.startswith("/v1/preferences"):
            return self._send(h, 404, "application/json", b'{"detail":"Not Found"}')
        return super().respond(h, fault, body)


def test_a_server_that_refuses_the_choice_is_reported_and_the_sync_goes_on(
    program: ProgramServer, paths: Paths
) -> None:
    refusing = RefusingProxy(program.url)
    try:
        enroll_cli(program, refusing.url)
        choose(paths, True)
        code, out = sync()
        assert code == 1
        assert out.startswith("Sync failed: the server did not take this device's calendar")
        assert len(out.splitlines()) == 1
        assert any(p.startswith("/v1/changes") for _, p in refusing.log)  # the pull still ran
        code, again = sync()  # still pending: it is tried again next time
        assert code == 1 and again == out
    finally:
        refusing.close()


def test_a_profile_enrolled_before_this_version_sends_its_choice_once(paths: Paths) -> None:
    """Schema v7 adds what the server acknowledged; an older enrolment starts from what
    the server has for its device (nothing: the program's default)."""
    with Store(paths.database, migrate=False) as old:
        old.migrate(target=6)
        with old.transaction() as conn:
            conn.execute(
                "INSERT INTO sync_state (id, server_url, feed_url, cursor, enrolled_at) "
                "VALUES (1, 'https://iop.example.org', 'https://iop.example.org/f.ics', '7', "
                "'2026-11-01T00:00:00Z')"
            )
    profile = Profile.open(paths, clock=fixed_clock(FROZEN_NOW))
    try:
        assert repo_sync.get_discreet(profile.store.conn) == (None, False)
        assert repo_sync.get_state(profile.store.conn).cursor == "7"  # type: ignore[union-attr]
        assert not pending(profile)
        profile.settings.discreet = True
        assert pending(profile)
    finally:
        profile.close()
