"""The flows a user takes, driven with Pilot against a real SQLite profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Select, TextArea

from companion.actions import catchup, schedule
from companion.actions.profile import Profile
from companion.domain.attendance import Status
from companion.domain.catchup import REFLECT
from companion.domain.journal import Barrier
from companion.tui.dialogs.reflection_form import ReflectionForm
from companion.tui.dialogs.series_form import SeriesForm
from companion.tui.screens.welcome import WelcomeScreen
from companion.tui.widgets.week import WeekView
from tests.tui.conftest import press_settled, settle, text_of

pytestmark = pytest.mark.anyio
WORKSHOP = "Coping Skills workshop"  # on now (17:00-19:00) at the frozen clock


async def test_today_shows_next_session_week_and_catchup(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TodayScreen"
        nxt = text_of(app, "#next-session")
        assert WORKSHOP in nxt and "on now · ends in 1 h 48 min" in nxt
        assert "https://meet.example.org/skills-workshop" in nxt
        week = text_of(app, "#this-week")
        assert "2 of 5 attended · policy 80%" in week
        assert "unexcused in 30 days: 2 of 3" in week
        assert "Process Group" in text_of(app, "#catchup-body")
        assert "Evening IOP" in text_of(app, "#hdr-title")


async def test_mark_missed_makes_checklist_on_catchup_and_today(
    demo_profile: Profile, app_for
) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        assert week.selected is not None and week.selected.occurrence.title == WORKSHOP
        await pilot.press("m")
        await settle(pilot)
        assert week.selected.status is Status.MISSED
        await pilot.press("c")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(WORKSHOP in p and "0 of 4" in p for p in prompts)
        assert any("watch the recording" in p for p in prompts)
        await pilot.press("t")
        await settle(pilot)
        assert WORKSHOP in text_of(app, "#catchup-body")
    titles = [c.title for c in catchup.checklists(demo_profile, open_only=True)]
    assert WORKSHOP in titles


async def test_reflection_linked_to_missed_session_ticks_reflect(
    demo_profile: Profile, app_for
) -> None:
    views = schedule.occurrences(
        demo_profile, demo_profile.now().replace(hour=0), demo_profile.now()
    )
    workshop = next(v.occurrence for v in views if v.occurrence.title == WORKSHOP)
    schedule.mark(demo_profile, workshop.id, Status.MISSED)
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("r")  # reflect on the highlighted checklist (the newest miss)
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReflectionForm)
        assert form.query_one("#session", Select).value == workshop.id
        await pilot.press(*"wifi died")
        assert form.query_one("#what", TextArea).text == "wifi died"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReflectionForm)
    checklist = next(c for c in catchup.checklists(demo_profile) if c.title == WORKSHOP)
    assert next(i for i in checklist.items if i.key == REFLECT).done


async def test_escape_leaves_reflection_unsaved(demo_profile: Profile, app_for) -> None:
    from companion.actions.journal import list_reflections

    before = len(list_reflections(demo_profile))
    app = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"not this", "escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "JournalScreen"
    assert len(list_reflections(demo_profile)) == before


async def test_notify_offline_queues_and_outbox_shows_it(demo_profile: Profile, app_for) -> None:
    from companion.actions.notify import outbox

    friday = next(
        v.occurrence
        for v in schedule.occurrences(
            demo_profile, demo_profile.now(), demo_profile.now().replace(day=28)
        )
        if v.occurrence.title == "Process Group"
    )
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.action_notify_about(friday.id)
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#session", Select).value == friday.id
        screen.query_one("#barrier", Select).value = Barrier.WORK_SCHOOL
        await pilot.click("#message-input")
        await pilot.press(*"Shift moved")
        await settle(pilot)
        preview = text_of(app, "#preview")
        assert preview.startswith("Will miss Process Group on Fri 27 Nov 18:00")  # no name
        assert "Reason: work/school." in preview and '"Shift moved"' in preview
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = screen.query_one("#outbox-table", DataTable)
        assert screen.query_one("TabbedContent").active == "outbox"
        assert table.row_count == 1
        assert "queued" in str(table.get_row_at(0)[-1])
        assert "queued" in text_of(app, "#hdr-sync")
    [entry] = outbox(demo_profile)
    assert entry.notice.state.value == "queued" and entry.notice.message == "Shift moved"
    marks = schedule.occurrences(demo_profile, friday.start, friday.end)
    assert marks[0].status is Status.EXCUSED


async def test_notify_form_checks_inline(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Choose what gets in the way" in text_of(app, "#notify-error")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TodayScreen"
    from companion.actions.notify import outbox

    assert outbox(demo_profile) == []


async def test_add_series_shows_in_week_view(profile: Profile, app_for) -> None:
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("escape")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SeriesForm)
        await pilot.press(*"Peer support")
        form.query_one("#repeat-input").value = "Mon, Fri,"
        form.query_one("#date-input").value = "2026-11-23"
        form.query_one("#duration-input").value = "forever"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SeriesForm)  # still open: the duration is wrong
        assert "bad duration" in str(form.query_one("#duration .field-error").render())
        assert "Mon, Fri" in str(form.query_one("#repeat .field-hint").render())
        form.query_one("#duration-input").value = "90m"
        await pilot.press("ctrl+s")
        await settle(pilot)
        week = app.screen.query_one(WeekView)
        assert [v.occurrence.title for v in week.items] == ["Peer support", "Peer support"]
        assert "Peer support" in str(app.screen.query_one("#day-0").render())
        assert "Peer support" in str(app.screen.query_one("#day-4").render())
    [series] = schedule.list_series(profile)
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,FR" and series.origin == "local"


async def test_export_ics_file_parses(demo_profile: Profile, app_for, tmp_path: Path) -> None:
    import icalendar

    target = tmp_path / "mine.ics"
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_settled(pilot, "s", "x")
        app.screen.query_one("#path-input").value = str(target)
        await pilot.click("#discreet")
        await pilot.press("ctrl+s")
        await settle(pilot)
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = [c for c in calendar.walk("VEVENT") if not c.get("RECURRENCE-ID")]
    assert len(events) == 3
    assert {str(e["SUMMARY"]) for e in events} == {"Appointment"}  # discreet titles
    assert target.stat().st_mode & 0o777 == 0o600


async def test_welcome_loads_demo(profile: Profile, app_for) -> None:
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TodayScreen"
        assert WORKSHOP in text_of(app, "#next-session")
    assert len(schedule.list_series(profile)) == 3


async def test_help_lists_bindings_and_theme_switches(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await settle(pilot)
        assert not app.screen.query("HelpPanel")
        app.action_toggle_dark()
        await settle(pilot)
        assert app.theme == "textual-light"
    config = json.loads(demo_profile.paths.config_file.read_text())
    assert config["theme"] == "textual-light"


async def test_errors_are_notifications_not_tracebacks(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "right_square_bracket")  # next week: nothing has started yet
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("has not started yet" in m for m in messages), messages
        assert app.is_running
