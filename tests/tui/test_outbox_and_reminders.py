"""The outbox tab (discarding a queued or refused notice, after a yes/no question) and
reminders, which pop up while the app is open, once each."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import DataTable, TabbedContent

from companion.actions import notify as notify_actions
from companion.actions import schedule
from companion.actions.profile import Profile
from companion.domain.journal import Barrier
from companion.store import repo_outbox
from companion.tui.app import CompanionApp, make_app
from companion.tui.dialogs.confirm import ConfirmDialog
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio


def group_on(profile: Profile, day: int) -> str:
    """The id of the demo's Process Group on ``day`` November 2026."""
    start = datetime(2026, 11, day, tzinfo=profile.tz())
    views = schedule.occurrences(profile, start, start + timedelta(days=1))
    return next(v.occurrence.id for v in views if v.occurrence.title == "Process Group")


async def test_discard_queued_and_refused_notices(demo_profile: Profile, app_for) -> None:
    notify_actions.notify(demo_profile, group_on(demo_profile, 27), Barrier.WORK_SCHOOL)
    monday = notify_actions.notify(demo_profile, group_on(demo_profile, 30), Barrier.HEALTH)
    with demo_profile.store.transaction() as conn:
        repo_outbox.mark_failed(conn, monday.id, "refused: that session was cancelled")
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "1 queued" in text_of(app, "#hdr-sync") and "1 failed" in text_of(app, "#hdr-sync")
        await pilot.press("n")
        await settle(pilot)
        await pilot.click("#--content-tab-outbox")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(TabbedContent).active == "outbox"
        table = screen.query_one("#outbox-table", DataTable)
        rows = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert rows == ["refused by the server", "queued: goes out when online"]  # newest first

        await pilot.press("d")  # the refused one, under the cursor
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert app.screen is screen and table.row_count == 2
        assert len(notify_actions.outbox(demo_profile)) == 2

        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][1:] == [
            "Fri 27 Nov 18:00",
            "advance",
            "work/school",
            "queued: goes out when online",
        ]
        assert "failed" not in text_of(app, "#hdr-sync")
        assert "Discarded the queued notice; it will not be sent." in [
            n.message for n in app._notifications
        ]

        table.focus()
        await pilot.press("d", "y")  # the queued one, answered from the keyboard
        await settle(pilot)
        assert table.row_count == 0
        assert "queued" not in text_of(app, "#hdr-sync")
        assert "Outbox (0)" in str(screen.query_one(TabbedContent).get_tab("outbox").label)
    assert notify_actions.outbox(demo_profile) == []


class MovingClock:
    """A clock the test moves forward by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def reminders(app: CompanionApp) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Reminder"]


async def wait_for_reminders(app: CompanionApp, pilot, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    for _ in range(50):  # at most 5 s
        if len(reminders(app)) >= count:
            break
        await pilot.pause(0.1)
    return reminders(app)


async def test_reminder_pops_up_once_while_open(
    demo_profile: Profile, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Friday's Process Group starts 18:00 New York (23:00 UTC) with reminders 24 h and 30
    # min before: the first falls due Thursday 23:00 UTC, 48 minutes after the frozen now.
    monkeypatch.setattr(CompanionApp, "REMINDER_CHECK_S", 0.1)
    clock = MovingClock(now + timedelta(minutes=47))
    app = make_app(demo_profile, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)  # several checks: nothing is due yet
        assert reminders(app) == []
        clock.at = now + timedelta(minutes=49)
        shown = await wait_for_reminders(app, pilot, 1)
        assert shown == [
            "Process Group starts in 23 h 59 min, at Fri 18:00. "
            "Join: https://meet.example.org/evening-group"
        ]
        await pilot.pause(0.6)  # several more checks: it does not come again
        assert len(reminders(app)) == 1
        clock.at = now + timedelta(hours=24, minutes=19)  # Friday 17:31 New York
        shown = await wait_for_reminders(app, pilot, 2)
        assert shown[1].startswith("Process Group starts in 29 min, at Fri 18:00")
        await pilot.pause(0.6)
        assert len(reminders(app)) == 2
