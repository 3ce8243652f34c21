"""With the real program server on a loopback port: the coordinator offers a make-up for a
missed session; after the app syncs, the Replies tab shows the offer, and accepting it puts
the make-up session into the week view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, TabbedContent

from companion.actions import notify as notify_actions
from companion.actions import schedule
from companion.actions.profile import Profile
from companion.domain.journal import Barrier
from companion.tui.widgets.week import WeekView
from sync.client import enroll, sync_now
from tests.sync.harness import ProgramServer
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio
OFFER = {
    "start": "2026-11-28T15:00:00Z",  # Saturday 10:00-11:00 New York, this week
    "end": "2026-11-28T16:00:00Z",
    "join_url": "https://meet.example.org/makeup",
    "title": "Make-up group",
}


@pytest.fixture
def program(tmp_path: Path) -> Iterator[ProgramServer]:
    server = ProgramServer(tmp_path / "server")
    server.setup()  # Evening IOP: Process Group Mon/Wed/Fri 18:00 New York
    yield server
    server.stop()


def missed_wednesday(profile: Profile, program: ProgramServer) -> str:
    """Enrol, tell the coordinator about Wednesday's group (missed, make-up wanted), and
    deliver it; the coordinator offers a make-up in reply. Returns the notice id."""
    _, code = program.add_client("Jordan R.")
    enroll(profile, program.url, code, "test laptop")
    start = datetime(2026, 11, 25, tzinfo=profile.tz())
    wednesday = next(
        v.occurrence
        for v in schedule.occurrences(profile, start, start.replace(day=26))
        if v.occurrence.title == "Process Group"
    )
    notice = notify_actions.notify(profile, wednesday.id, Barrier.TECHNICAL, "Wifi died", True)
    assert sync_now(profile, timeout=5).delivered == 1
    program.coordinator(
        "POST",
        f"/v1/coordinator/notices/{notice.id}/reply",
        json={"text": "Sorry to hear. Join the Saturday group instead?", "makeup": OFFER},
    )
    return notice.id


async def test_accept_offered_makeup_adds_it_to_the_week(
    profile: Profile, program: ProgramServer, app_for
) -> None:
    missed_wednesday(profile, program)
    assert notify_actions.replies(profile) == []  # not synced yet: the app fetches it
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)  # the start-up sync brings the reply
        assert "online" in text_of(app, "#hdr-sync")
        assert "Your coordinator replied: see Today or Notify." in [
            n.message for n in app._notifications
        ]
        coordinator = text_of(app, "#coordinator-body")
        assert "Join the Saturday group instead?" in coordinator
        assert "offers a make-up Sat 28 Nov 10:00" in coordinator

        await pilot.press("n")
        await settle(pilot)
        await pilot.click("#--content-tab-replies")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(TabbedContent).active == "replies"
        table = screen.query_one("#replies-table", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1:] == [
            "Process Group",
            "Sorry to hear. Join the Saturday group instead?",
            "offered Sat 28 Nov 10:00 (a)",
        ]
        await pilot.press("a")
        await settle(pilot)
        assert "Sat 28 Nov 10:00-11:00 · Make-up group" in str(app.screen.query_one("#slot-1").render())
        await pilot.press("1")
        await settle(pilot)
        assert "Added the make-up session Make-up group to your schedule." in [
            n.message for n in app._notifications
        ]
        assert str(table.get_row_at(0)[-1]) == "accepted · Sat 28 Nov 10:00"

        await pilot.press("s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        saturday = [v for v in week.items if v.occurrence.title == "Make-up group"]
        assert len(saturday) == 1
        assert f"{saturday[0].occurrence.local_start(profile.tz()):%a %H:%M}" == "Sat 10:00"
        assert saturday[0].occurrence.join_url == OFFER["join_url"]
        assert "Make-up group" in str(app.screen.query_one("#day-5").render())
    made_up = [s for s in schedule.list_series(profile) if s.title == "Make-up group"]
    assert len(made_up) == 1
    [reply] = notify_actions.replies(profile)
    assert reply.makeup is not None and reply.makeup.accepted_uid == made_up[0].uid
