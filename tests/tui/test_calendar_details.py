"""What the app shows of a program's calendar beside the times (issue 12): day notes in the
week view and the day's detail, the passcode and the program's own text in a session's
detail with our before-session list apart, and an import that says what did not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.actions.ics import import_file
from companion.actions.profile import Profile
from companion.tui.dialogs.details import DetailsDialog
from companion.tui.widgets.week import WeekView
from tests.ics.corpus import CORPUS
from tests.tui.conftest import settle, text_of
from tests.tui.test_schedule_flows import open_import

pytestmark = pytest.mark.anyio


async def test_a_day_note_shows_on_its_day_and_never_as_a_session(
    profile: Profile, app_for
) -> None:
    import_file(profile, CORPUS / "microsoft365.ics")
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        thursday = str(app.screen.query_one("#day-3").render())
        assert "◆ No group –" in thursday and "Thanksgiving" in thursday
        assert all("Thanksgiving" not in v.occurrence.title for v in week.items)
        # the note's day has no session to select: a click on the note shows it
        await pilot.click("#day-3", offset=(3, 1))
        await settle(pilot)
        panel = text_of(app, "#selection")
        assert "note Thu 26: No group – Thanksgiving" in panel
        assert "Harborview IOP is closed – no group sessions." in panel


async def test_session_detail_passcode_and_the_program_text(profile: Profile, app_for) -> None:
    import_file(profile, CORPUS / "microsoft365.ics")
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        assert week.selected is not None
        week.cursor = next(n for n, v in enumerate(week.items) if not v.occurrence.cancelled)
        await settle(pilot)
        panel = text_of(app, "#selection")
        assert "join: https://teams.microsoft.com/l/meetup-join/" in panel
        assert "Meeting ID: 283 551 906 417 · Passcode: Xy7Ab9Q2" in panel
        assert "where: Microsoft Teams Meeting" in panel
        assert "Need help?" not in panel  # the panel shows the text, not its links
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DetailsDialog)
        shown = text_of(app, "#details-text")
        assert "From your program" in shown
        # the program's text, verbatim, and our list apart under its own heading
        assert "Please bring your diary card and your workbook (pages 40–52)." in shown
        assert "Microsoft Teams Need help?<https://aka.ms/JoinTeamsMeeting?omkt=en-US>" in shown
        assert shown.index("From your program") < shown.index("Before the session")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DetailsDialog)
        await pilot.press("t")
        await settle(pilot)
        assert "Passcode: Xy7Ab9Q2" in text_of(app, "#next-session")


async def test_reimporting_says_what_did_not_change(profile: Profile, app_for) -> None:
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "s")
        await settle(pilot)
        path: Path = CORPUS / "microsoft365.ics"
        await open_import(pilot, path)
        await open_import(pilot, path)
        messages = [n.message for n in app._notifications]
        assert "Imported 2 series and 1 day note into your schedule." in messages, messages
        assert "Nothing new to import: 3 unchanged." in messages, messages
