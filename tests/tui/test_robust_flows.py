"""Issue 11 in the app, with Pilot: "not marked" in the list view, a sub-daily repeat refused
in the form with its reason, a store holding one from an older version still opens, the
"Queued" message when not enrolled, the enrol confirmation over the demo, and an import
file that is not a calendar named as what it is."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Select

from companion.actions import schedule
from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.domain.journal import Barrier
from companion.paths import Paths
from companion.store import repo_demo
from companion.tui.app import make_app
from companion.tui.dialogs.confirm import ConfirmDialog
from companion.tui.dialogs.files import ImportDialog
from companion.tui.dialogs.series_form import SeriesForm
from tests.e2e.conftest import LiveServer
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def until(pilot, done, rounds: int = 200) -> None:  # type: ignore[no-untyped-def]
    """Pause until ``done()``: ``settle`` would wait for ever on a worker that is waiting
    for a dialog's answer."""
    for _ in range(rounds):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there")


async def test_the_list_view_calls_a_past_unmarked_session_not_marked(
    profile: Profile, app_for
) -> None:
    """The list view said "upcoming" for Mon 16 Nov when looked at on 1 Dec."""
    schedule.add_series(profile, title="Peer support", kind="group",
                        start=datetime(2026, 11, 16, 18, 0), duration=timedelta(hours=1),
                        rrule="FREQ=WEEKLY;BYDAY=MO", tzid="UTC")  # fmt: skip
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("v", "left_square_bracket")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][-1] == "not marked"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert [str(c) for c in table.get_row_at(0)][-1] == "upcoming"  # Mon 30 Nov


async def test_the_series_form_refuses_a_sub_daily_repeat_with_the_reason(
    profile: Profile, app_for
) -> None:
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "s")
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SeriesForm)
        await pilot.press(*"Every second")
        form.query_one("#repeat-input").value = "FREQ=SECONDLY"
        await settle(pilot)
        error = str(form.query_one("#repeat .field-error").render())
        assert error == (
            "sessions cannot repeat more often than daily (FREQ=SECONDLY); use one series "
            "per session time"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SeriesForm)  # still open, nothing saved
    assert schedule.list_series(profile) == []


async def test_the_app_opens_a_store_holding_a_sub_daily_series(
    demo_profile: Profile, paths: Paths, app_for
) -> None:
    """The app sat on "Loading…" for ever with such a series in the store."""
    conn = sqlite3.connect(paths.database)
    conn.execute(
        "INSERT INTO series (uid, title, kind, tzid, start_local, duration_s, rrule, created, "
        "updated) VALUES ('old@x', 'Old check-in', 'group', 'UTC', '2026-11-01T10:00:00', "
        "600, 'FREQ=SECONDLY', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TodayScreen"
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Loading" not in shown and "Coping Skills workshop" in shown
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ScheduleScreen"


async def test_queued_says_it_waits_for_enrolment(demo_profile: Profile, app_for) -> None:
    """It said "it goes out as soon as you are online", which it never would."""
    monday = next(
        v.occurrence
        for v in schedule.occurrences(demo_profile, demo_profile.now(),
                                      demo_profile.now().replace(day=30, hour=23))
        if v.occurrence.title == "Process Group"
    )  # fmt: skip
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.action_notify_about(monday.id)
        await settle(pilot)
        app.screen.query_one("#barrier", Select).value = Barrier.WORK_SCHOOL
        await pilot.press("ctrl+s")
        await settle(pilot)
    shown = notifications(app)
    assert "Queued: it goes out once you enrol with your program (Settings, ,)." in shown
    assert not any("as soon as you are online" in m for m in shown)


async def test_import_names_a_folder_as_a_folder(profile: Profile, app_for, tmp_path) -> None:
    """A folder given to import said "no such file"."""
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "s")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        dialog.query_one("#path-input").value = str(tmp_path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImportDialog)
        error = str(dialog.query_one("#path .field-error").render())
        assert error == f"{tmp_path} is a folder; choose an .ics file in it"
        dialog.query_one("#path-input").value = "/dev/zero"
        await settle(pilot)
        assert str(dialog.query_one("#path .field-error").render()) == (
            "/dev/zero is a device, not a file"
        )


async def test_enrolling_over_the_demo_asks_and_then_removes_it(
    server: LiveServer, tmp_path: Path
) -> None:
    """Enrolling a demo profile delivered the demo's queued notice to the real program."""
    from companion.actions.demo import load_demo
    from companion.actions.notify import notify

    now = datetime.now(UTC).replace(microsecond=0)  # the server stamps its own time
    home = tmp_path / "client"
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(now))
    load_demo(profile)
    upcoming = next(
        v.occurrence
        for v in schedule.occurrences(profile, now, now + timedelta(days=8))
        if not v.occurrence.cancelled and v.occurrence.start > now
    )
    notify(profile, upcoming.id, "work")
    code = server.cli("add-client", "Jordan R.")["code"]
    app = make_app(profile)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("comma")
            await settle(pilot)
            app.screen.query_one("#url-input").value = server.url
            app.screen.query_one("#code-input").value = code
            await pilot.click("#enrol")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            assert dialog.question.startswith("This profile holds the demo program (3 series,")
            assert "1 queued notice). Joining a program removes all of it; its notices are " in (
                dialog.question
            )
            await pilot.press("n")
            await settle(pilot)
            assert "Nothing changed; the code is still unused." in notifications(app)
            assert repo_demo.counts(profile.store.conn) is not None
            app.screen.query_one("#code-input").value = code
            await pilot.click("#enrol")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("y")
            await settle(pilot)
            assert app.sync_state.enrolled
            shown = notifications(app)
            assert any(m.startswith("Enrolled with Evening IOP. Removed the demo program: 3 "
                                    "series") for m in shown), shown  # fmt: skip
            assert not any(m.startswith("Delivered") for m in shown), shown
            assert "online" in text_of(app, "#hdr-sync")
        assert repo_demo.counts(profile.store.conn) is None
        assert schedule.list_series(profile) == []  # the program has no series yet
    finally:
        profile.close()
