"""Schedule flows with the mouse and with calendar files: click a session in the week view;
import an .ics (and a broken one) with ``i``."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.actions import schedule
from companion.actions.profile import Profile
from companion.tui.dialogs.files import ImportDialog
from companion.tui.screens.welcome import WelcomeScreen
from companion.tui.widgets.week import WeekView
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio
DATA = Path(__file__).resolve().parent.parent / "data"


async def test_click_selects_a_session_in_the_week_view(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        assert week.selected is not None and week.selected.occurrence.title.startswith("Coping")
        await pilot.click("#day-4", offset=(3, 2))  # Friday's Process Group, its title line
        await settle(pilot)
        assert week.selected is not None
        assert week.selected.occurrence.title == "Process Group"
        assert f"{week.selected.occurrence.local_start(demo_profile.tz()):%a}" == "Fri"
        assert week.has_focus
        assert "Process Group · Fri 27 Nov 18:00-21:00" in text_of(app, "#selection")
        await pilot.click("#day-1", offset=(3, 1))  # Tuesday's individual counselling
        await settle(pilot)
        assert week.selected.occurrence.title == "Individual counselling"
        assert "Individual counselling · Tue 24 Nov" in text_of(app, "#selection")
        await pilot.click("#day-6", offset=(3, 3))  # Sunday: empty, the selection stays
        await settle(pilot)
        assert week.selected.occurrence.title == "Individual counselling"


async def open_import(pilot, path: Path) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(app.screen, ImportDialog)
    app.screen.query_one("#path-input").value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_import_ics_shows_the_series_in_the_week_view(profile: Profile, app_for) -> None:
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("escape", "s")
        await settle(pilot)
        assert app.screen.query_one(WeekView).items == []
        await open_import(pilot, DATA / "golden_sample.ics")
        assert app.screen.__class__.__name__ == "ScheduleScreen"
        messages = [n.message for n in app._notifications]
        assert "Imported 5 series into your schedule." in messages, messages
        week = app.screen.query_one(WeekView)
        tz = profile.tz()  # UTC: a new profile without a program
        shown = sorted(f"{v.occurrence.local_start(tz):%a %H:%M} {v.occurrence.title}"
                       for v in week.items)  # fmt: skip
        assert shown == [
            "Fri 23:00 Process Group",
            "Mon 23:00 Process Group",
            "Thu 09:00 Coping Skills",
            "Tue 22:00 Individual counselling",
            "Wed 23:00 Process Group",
        ]
        assert "Process Group" in str(app.screen.query_one("#day-0").render())
        assert "Individual" in str(app.screen.query_one("#day-1").render())
        assert "Coping Skills" in str(app.screen.query_one("#day-3").render())
    assert len(schedule.list_series(profile)) == 5


async def test_broken_ics_is_one_error_and_changes_nothing(
    demo_profile: Profile, app_for, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:not a date\nSUMMARY:x\n")
    before = schedule.list_series(demo_profile)
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        shown = [v.occurrence.id for v in app.screen.query_one(WeekView).items]
        await open_import(pilot, broken)
        assert app.is_running and app.return_code is None
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1, [n.message for n in app._notifications]
        assert errors[0].message.startswith("broken.ics: ")
        assert "\n" not in errors[0].message and "Traceback" not in errors[0].message
        assert [v.occurrence.id for v in app.screen.query_one(WeekView).items] == shown
    assert schedule.list_series(demo_profile) == before
