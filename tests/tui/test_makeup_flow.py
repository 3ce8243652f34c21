"""With the real program server on a loopback port: the coordinator offers a make-up for a
missed session; after the app syncs, the Replies tab shows the offer, and accepting it puts
the make-up session into the week view. With two slots, ``a`` opens a dialog to pick either
or decline both; the choice waits in the outbox while offline and the app delivers it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, TabbedContent

from companion.actions import notify as notify_actions
from companion.actions import schedule
from companion.actions.profile import Profile
from companion.domain.journal import Barrier
from companion.store import repo_makeup
from companion.tui.app import CompanionApp
from companion.tui.dialogs.makeup import MakeupDialog
from companion.tui.screens.notify import NotifyScreen
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
SUNDAY = {
    "start": "2026-11-29T19:00:00Z",  # Sunday 14:00-15:00 New York
    "end": "2026-11-29T20:00:00Z",
    "title": "Make-up B",
}


@pytest.fixture
def program(tmp_path: Path) -> Iterator[ProgramServer]:
    server = ProgramServer(tmp_path / "server")
    server.setup()  # Evening IOP: Process Group Mon/Wed/Fri 18:00 New York
    yield server
    server.stop()


def missed_wednesday(
    profile: Profile, program: ProgramServer, slots: list[dict[str, str]] | None = None
) -> str:
    """Enrol, tell the coordinator about Wednesday's group (missed, make-up wanted), and
    deliver it; the coordinator offers a make-up in reply (OFFER; ``slots`` when given,
    none for []). Returns the notice id."""
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
    offer = {"makeup": OFFER} if slots is None else {"makeups": slots} if slots else {}
    program.coordinator(
        "POST",
        f"/v1/coordinator/notices/{notice.id}/reply",
        json={"text": "Sorry to hear. Join the Saturday group instead?", **offer},
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
        assert "Sat 28 Nov 10:00-11:00 · Make-up group" in label_of(app, "#slot-1")
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


async def open_replies(pilot: Pilot) -> DataTable:
    """From Today (after the start-up sync): Notify, then its Replies tab."""
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    await pilot.click("#--content-tab-replies")
    await settle(pilot)
    return pilot.app.screen.query_one("#replies-table", DataTable)


def label_of(app: CompanionApp, selector: str) -> str:
    """The text a Button shows."""
    return str(app.screen.query_one(selector, Button).label)


def notes(app: CompanionApp) -> list[str]:
    return [n.message for n in app._notifications]


def makeups(profile: Profile) -> list[str]:
    """The make-up sessions in the schedule, as 'title Day HH:MM'."""
    tz = profile.tz()
    return [
        f"{s.title} {s.start.astimezone(tz):%a %H:%M}"
        for s in schedule.list_series(profile)
        if s.title in ("Make-up group", "Make-up B")
    ]


async def test_pick_a_slot_offline_then_another_then_decline(
    profile: Profile, program: ProgramServer, app_for
) -> None:
    missed_wednesday(profile, program, [OFFER, SUNDAY])
    app = app_for(profile)
    conn = profile.store.conn
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_replies(pilot)
        assert str(table.get_row_at(0)[-1]) == "2 slots offered (a)"
        assert "a Make-up" in str(app.screen.query_one("KeysBar").render())
        detail = text_of(app, "#reply-detail")
        assert "offers 2 make-up slots: Sat 28 Nov 10:00, Sun 29 Nov 14:00" in detail
        program.stop()  # offline from here: the choice waits in the outbox

        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MakeupDialog)
        assert "Sat 28 Nov 10:00-11:00 · Make-up group" in label_of(app, "#slot-1")
        assert "Sun 29 Nov 14:00-15:00 · Make-up B" in label_of(app, "#slot-2")
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, NotifyScreen)
        assert "Added the make-up session Make-up B to your schedule." in notes(app)
        assert str(table.get_row_at(0)[-1]) == "slot 2 accepted · Sun 29 Nov 14:00"
        assert "make-up slot 2 Sun 29 Nov 14:00-15:00 · Make-up B accepted" in text_of(
            app, "#reply-detail"
        )
        assert "offline" in text_of(app, "#hdr-sync")  # the app tried to deliver it
        assert "1 queued" in text_of(app, "#hdr-sync")  # and says it waits
        assert repo_makeup.queued(conn) == 1
        assert makeups(profile) == ["Make-up B Sun 14:00"]

        await pilot.press("a")  # the same slot again: nothing more is queued
        await settle(pilot)
        assert "(your choice)" in label_of(app, "#slot-2")
        await pilot.press("2")
        await settle(pilot)
        assert "Slot 2 is already your choice." in notes(app)
        assert repo_makeup.queued(conn) == 1

        await pilot.press("a")  # another slot replaces it
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert str(table.get_row_at(0)[-1]) == "slot 1 accepted · Sat 28 Nov 10:00"
        assert makeups(profile) == ["Make-up group Sat 10:00"]

        await pilot.press("a")  # none suits me: the make-up leaves the schedule
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert "Declined the make-up slots" in notes(app)[-1]
        assert str(table.get_row_at(0)[-1]) == "declined"
        assert "declined the make-up slots" in text_of(app, "#reply-detail")
        assert makeups(profile) == []
        await pilot.press("s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        assert not [v for v in week.items if v.occurrence.title.startswith("Make-up")]

        program.start()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "online" in text_of(app, "#hdr-sync")
        assert repo_makeup.queued(conn) == 0  # each choice delivered, the decline last
    assert set(repo_makeup.states(conn).values()) == {"delivered"}


async def test_a_choice_is_delivered_at_once_when_online(
    profile: Profile, program: ProgramServer, app_for
) -> None:
    missed_wednesday(profile, program, [OFFER, SUNDAY])
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_replies(pilot)
        assert "a Make-up" in str(app.screen.query_one("KeysBar").render())  # fits 80 columns
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")  # cancel: nothing chosen
        await settle(pilot)
        assert isinstance(app.screen, NotifyScreen)
        assert str(table.get_row_at(0)[-1]) == "2 slots offered (a)"
        assert repo_makeup.states(profile.store.conn) == {}
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert str(table.get_row_at(0)[-1]) == "slot 2 accepted · Sun 29 Nov 14:00"
    assert list(repo_makeup.states(profile.store.conn).values()) == ["delivered"]


async def test_a_reply_without_an_offer_says_so(
    profile: Profile, program: ProgramServer, app_for
) -> None:
    missed_wednesday(profile, program, [])
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_replies(pilot)
        assert str(table.get_row_at(0)[-1]) == ""
        await pilot.press("a")
        await settle(pilot)
        assert "This reply offers no make-up session." in notes(app)
        assert isinstance(app.screen, NotifyScreen)  # no dialog
    assert repo_makeup.states(profile.store.conn) == {}
    assert makeups(profile) == []
