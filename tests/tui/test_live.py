"""A live app: the open screen follows the store when something else writes to it (the CLI
in another shell, another connection), and marking keeps the selection where it was."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from textual.widgets import DataTable

from companion.actions import journal, schedule
from companion.actions.profile import Profile
from companion.domain.attendance import Status
from companion.domain.journal import Barrier
from companion.tui.app import CompanionApp
from companion.tui.widgets.week import WeekView
from tests.conftest import run_cli
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio


def last_week(profile: Profile) -> list[schedule.OccurrenceView]:
    """The demo's sessions of the week before the frozen one (all over, none marked)."""
    monday = datetime(2026, 11, 16, tzinfo=profile.tz())
    return schedule.occurrences(profile, monday, monday + timedelta(days=7))


def status_of(profile: Profile, occurrence_id: str) -> Status:
    views = schedule.occurrences(
        profile, profile.now() - timedelta(weeks=3), profile.now() + timedelta(weeks=1)
    )
    return next(v.status for v in views if v.occurrence.id == occurrence_id)


async def until(pilot, check: Callable[[], bool], seconds: float = 8.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run (its store check ticks every second) until ``check`` holds."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the screen did not follow the store"
        await pilot.pause(0.1)


async def test_marking_in_the_list_view_keeps_the_selection(demo_profile: Profile, app_for) -> None:
    """s, [, v, to the third row, a: saved, the cursor stays, so m marks the same one."""
    views = last_week(demo_profile)
    third = views[2].occurrence
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "left_square_bracket")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.query_one("#schedule-table", DataTable)
        await pilot.press("up", "up", "up", "up", "down", "down")
        await settle(pilot)
        assert table.cursor_row == 2
        await pilot.press("a")
        await settle(pilot)
        assert status_of(demo_profile, third.id) is Status.ATTENDED
        assert table.cursor_row == 2
        assert app.screen.selected is not None
        assert app.screen.selected.occurrence.id == third.id
        assert "attended" in str(table.get_row_at(2)[-1])
        await pilot.press("m")
        await settle(pilot)
        assert table.cursor_row == 2
    assert status_of(demo_profile, third.id) is Status.MISSED
    # Nothing else was marked: the first row (where the cursor used to jump) is untouched.
    assert status_of(demo_profile, views[0].occurrence.id) is views[0].status


async def test_marking_in_the_week_view_keeps_the_selection(demo_profile: Profile, app_for) -> None:
    views = last_week(demo_profile)
    second = views[1].occurrence
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "left_square_bracket")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        assert week.selected is not None and week.selected.occurrence.id == views[-1].occurrence.id
        await pilot.press("up", "up")  # from the week's last session to its second
        await settle(pilot)
        assert week.selected is not None and week.selected.occurrence.id == second.id
        await pilot.press("a")
        await settle(pilot)
        assert week.selected is not None and week.selected.occurrence.id == second.id
        assert week.selected.status is Status.ATTENDED
        await pilot.press("m")
        await settle(pilot)
        assert week.selected.occurrence.id == second.id
        # Switching to the list and back keeps the same session too.
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.query_one("#schedule-table", DataTable)
        assert table.cursor_row == 1
        await pilot.press("up")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert week.selected is not None
        assert week.selected.occurrence.id == views[0].occurrence.id
    assert status_of(demo_profile, second.id) is Status.MISSED


async def test_today_follows_a_mark_made_with_the_cli(demo_profile: Profile, app_for) -> None:
    """The issue's reproduction: Today open, `companion mark ID attended` in another shell."""
    workshop = next(
        v.occurrence
        for v in schedule.occurrences(demo_profile, demo_profile.now(), demo_profile.now())
        if v.occurrence.title == "Coping Skills workshop"
    )
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "2 of 5 attended" in text_of(app, "#this-week")
        done = await asyncio.to_thread(run_cli, "mark", workshop.id, "attended")
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: "3 of 5 attended" in text_of(app, "#this-week"))
        assert "Thu [$success]✓" in str(app.screen.query_one("#this-week").content)


async def test_an_outside_change_keeps_the_list_selection(demo_profile: Profile, app_for) -> None:
    views = last_week(demo_profile)
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "left_square_bracket", "v")
        await settle(pilot)
        table = app.screen.query_one("#schedule-table", DataTable)
        table.move_cursor(row=1)
        await settle(pilot)
        # Another connection (here the test's own) marks a different session.
        schedule.mark(demo_profile, views[3].occurrence.id, Status.MISSED)
        await until(pilot, lambda: "missed" in str(table.get_row_at(3)[-1]))
        assert table.cursor_row == 1
        assert app.screen.selected is not None
        assert app.screen.selected.occurrence.id == views[1].occurrence.id


async def test_journal_and_header_follow_outside_changes(demo_profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        table = app.screen.query_one("#journal-list", DataTable)
        rows = table.row_count
        journal.add_reflection(demo_profile, barriers=(Barrier.TECHNICAL,), what_happened="wifi")
        await until(pilot, lambda: table.row_count == rows + 1)
        # A notice queued from elsewhere counts in the header.
        from companion.actions import notify

        friday = next(
            v.occurrence.id
            for v in schedule.occurrences(
                demo_profile, demo_profile.now(), demo_profile.now() + timedelta(days=2)
            )
            if v.occurrence.title == "Process Group"
        )
        notify.notify(demo_profile, friday, Barrier.HEALTH)
        await until(pilot, lambda: "1 queued" in text_of(app, "#hdr-sync"))


async def test_a_quiet_store_is_not_reloaded(demo_profile: Profile, app_for) -> None:
    """The check costs one PRAGMA; with nothing written, no screen loads again."""
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        loaded = screen.loaded_at
        version = app.data_version
        await pilot.pause(2.5)  # two or three store checks
        assert app.data_version == version and screen.loaded_at == loaded


async def test_today_moves_on_when_the_next_session_ends(demo_profile: Profile, now) -> None:  # type: ignore[no-untyped-def]
    """Left open past the end of the session on now, Today shows the one after it."""
    from companion.tui.app import make_app
    from tests.tui.test_outbox_and_reminders import MovingClock

    clock = MovingClock(now)
    app = make_app(demo_profile, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert text_of(app, "#next-session").startswith("Coping Skills workshop")
        clock.at = now + timedelta(hours=2)  # 19:12: the workshop ended at 19:00
        await until(pilot, lambda: text_of(app, "#next-session").startswith("Process Group"))
        assert "tomorrow 18:00-21:00" in text_of(app, "#next-session")
