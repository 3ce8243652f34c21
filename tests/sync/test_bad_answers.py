"""A server (or something in front of it) answering badly: the client says so clearly,
keeps the notice queued, and delivers it exactly once when answers are good again."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from companion.actions.notify import notify
from companion.actions.profile import Profile
from companion.domain.notices import NoticeState
from companion.store import repo_outbox
from sync.client import sync_now
from tests.conftest import run_cli
from tests.sync.conftest import Enrolled, enrol
from tests.sync.harness import FaultProxy, ProgramServer


@pytest.fixture
def behind_proxy(profile: Profile, program: ProgramServer) -> Iterator[tuple[Enrolled, FaultProxy]]:
    proxy = FaultProxy(program.url, slow_s=1.5)
    yield enrol(profile, program, proxy.url), proxy
    proxy.close()


BAD = [
    ("html_error", r"the server had an error \(502 Bad Gateway\)"),
    ("truncate", r"the server's answer was cut short or is not valid JSON"),
    ("wrong_type", r"the server answered with text/html instead of JSON \(is the URL .*\)"),
    ("slow", r"http://127\.0\.0\.1:\d+ did not answer within 0\.5 s"),
]


def test_bad_answers_lose_nothing(behind_proxy: tuple[Enrolled, FaultProxy]) -> None:
    e, proxy = behind_proxy
    notice = notify(e.profile, e.occurrence_id("2026-11-25"), "technical", "Wifi died")
    for fault, message in BAD:
        proxy.fault = fault
        result = sync_now(e.profile, timeout=0.5)
        assert result.state == "failed", fault
        assert result.delivered == 0
        assert re.fullmatch(message, result.message), result.message
        assert result.queued == 1
        entry = repo_outbox.get(e.profile.store.conn, notice.id)
        assert entry is not None and entry.state is NoticeState.QUEUED
        assert entry.last_error == result.message
    proxy.fault = "html_error"
    shown = run_cli("sync", "--timeout", "1")
    assert shown.returncode == 1 and "Traceback" not in shown.stdout + shown.stderr
    assert shown.stdout.splitlines() == [
        "Sync failed: the server had an error (502 Bad Gateway).",
        "1 notice stays queued; nothing is lost.",
    ]
    time.sleep(1.6)  # let the slow proxy's late forwards reach the server
    proxy.fault = "pass"
    result = sync_now(e.profile, timeout=5)
    assert (result.state, result.delivered, result.queued) == ("ok", 1, 0)
    # Truncated, mistyped and late answers came after the server had stored the notice:
    # the resends were recognised by its id, so the server holds it once.
    assert [n["id"] for n in e.server_notices()] == [notice.id]


def test_429_honours_retry_after(behind_proxy: tuple[Enrolled, FaultProxy]) -> None:
    e, proxy = behind_proxy
    notify(e.profile, e.occurrence_id("2026-11-27"), "work")
    proxy.fault, proxy.busy_left = "busy", 1
    started = time.monotonic()
    result = sync_now(e.profile, timeout=5)
    assert (result.state, result.delivered) == ("ok", 1)
    assert time.monotonic() - started >= 1.0, "Retry-After: 1 was not waited for"
    assert len(e.server_notices()) == 1


def test_refusal_is_permanent_with_the_servers_reason(
    behind_proxy: tuple[Enrolled, FaultProxy],
) -> None:
    e, proxy = behind_proxy
    notice = notify(e.profile, e.occurrence_id("2026-11-27"), "work")
    proxy.fault = "refuse"
    result = sync_now(e.profile, timeout=5)
    assert (result.state, result.failed, result.queued) == ("ok", 1, 0)
    assert proxy.posts() == 1, "a 4xx must not be retried"
    entry = repo_outbox.get(e.profile.store.conn, notice.id)
    assert entry is not None and entry.state is NoticeState.FAILED
    assert entry.last_error == "refused by the server (422): this session is not in your program"
    listed = run_cli("outbox")
    assert "failed" in listed.stdout and "this session is not in your program" in listed.stdout
    proxy.fault = "pass"
    assert sync_now(e.profile, timeout=5).delivered == 0  # stays failed until the client acts
    fixed = run_cli("outbox", "--retry", notice.id[:8], "--message", "Shift moved")
    assert fixed.returncode == 0 and "delivered" in fixed.stdout, fixed.stdout + fixed.stderr
    [held] = e.server_notices()
    assert held["message"] == "Shift moved"


def test_a_long_retry_after_is_kept_for_the_next_sync(
    behind_proxy: tuple[Enrolled, FaultProxy],
) -> None:
    e, proxy = behind_proxy
    notify(e.profile, e.occurrence_id("2026-11-27"), "work")
    proxy.fault, proxy.busy_left = "busy", 100
    result = sync_now(e.profile, timeout=0.5)
    assert result.state == "failed" and result.message == "the server is busy (429)"
    asked = len(proxy.log)
    waiting = sync_now(e.profile, timeout=0.5)
    assert waiting.state == "failed" and "asked to wait" in waiting.message
    assert len(proxy.log) == asked, "the client called while told to wait"
    time.sleep(1.1)
    proxy.fault = "pass"
    assert sync_now(e.profile, timeout=5).delivered == 1
