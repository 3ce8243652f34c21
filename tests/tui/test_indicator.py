"""The header's online indicator follows the last real request to the server: "online"
only while the last one got through recently, "offline" or "sync failed" when it did not,
and a round that made no request (another sync held the lock) changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.paths import Paths
from companion.tui.app import make_app
from companion.tui.messages import SyncState
from companion.tui.sync import OutboxStatus, RoundResult, merged, with_status
from companion.tui.widgets.header import indicator_text
from tests.e2e.conftest import LiveServer, stop_server
from tests.tui.conftest import settle, text_of
from tests.tui.test_outbox_and_reminders import MovingClock

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
TZ = ZoneInfo("America/New_York")
ENROLLED = OutboxStatus(enrolled=True)


def plain(markup: str) -> str:
    from textual.content import Content

    return Content.from_markup(markup).plain


def test_the_link_is_the_last_request_outcome() -> None:
    state = merged(SyncState(), RoundResult(ENROLLED, link="online", at=NOW))
    assert state.online and plain(indicator_text(state, NOW, TZ)) == "● online"
    state = merged(state, RoundResult(ENROLLED, link="offline", message="no answer"))
    assert state.online is False and plain(indicator_text(state, NOW, TZ)) == "○ offline"
    assert state.last_sync == NOW  # when it last got through, kept for Settings
    state = merged(state, RoundResult(ENROLLED, link="error", message="refused"))
    assert plain(indicator_text(state, NOW, TZ)) == "✗ sync failed"
    assert state.message == "refused"


def test_a_round_without_a_request_keeps_the_link() -> None:
    state = merged(SyncState(), RoundResult(ENROLLED, link="offline", at=NOW))
    busy = merged(state, RoundResult(OutboxStatus(True, queued=2)))  # another sync ran
    assert busy.link == "offline" and busy.queued == 2


def test_outbox_counts_never_bring_back_an_old_link() -> None:
    """A count refresh started while the server was up finishes after a failed sync:
    it updates the counts of the state as it is now, and keeps "offline"."""
    state = merged(SyncState(), RoundResult(ENROLLED, link="offline"))
    assert with_status(state, OutboxStatus(True, queued=1)).link == "offline"
    assert with_status(state, OutboxStatus(False)) == SyncState()  # left the program


def test_online_ages_into_the_time_of_the_last_sync() -> None:
    state = merged(SyncState(), RoundResult(ENROLLED, link="online", at=NOW))
    assert plain(indicator_text(state, NOW + timedelta(seconds=59), TZ)) == "● online"
    later = plain(indicator_text(state, NOW + timedelta(minutes=3), TZ))
    assert later == "● synced 17:12"
    assert plain(indicator_text(SyncState(), NOW, TZ)) == "○ local only"
    assert plain(indicator_text(SyncState(enrolled=True), NOW, TZ)) == "◌ not synced yet"


@pytest.mark.anyio
async def test_header_goes_offline_when_the_server_stops(
    server: LiveServer, tmp_path: Path
) -> None:
    from sync.client import enroll

    code = server.cli("add-client", "Jordan R.")["code"]
    home = tmp_path / "client"
    now = datetime.now(UTC).replace(microsecond=0)
    clock = MovingClock(now)
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(now))
    enroll(profile, server.url, code, "laptop")
    app = make_app(profile, clock=clock)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.sync_state.online
            assert text_of(app, "#hdr-sync") == "● online"
            stop_server(server)
            clock.at = now + timedelta(minutes=2)  # no request since: no claim of "online"
            app.screen.query_one("AppHeader").tick()  # type: ignore[attr-defined]
            await settle(pilot)
            assert text_of(app, "#hdr-sync").startswith("● synced ")
            app.action_sync_now()  # the next round (the timer's, or ctrl+r) fails
            await settle(pilot)
            assert app.sync_state.online is False
            assert text_of(app, "#hdr-sync") == "○ offline"
    finally:
        profile.close()
