"""A protected journal in the app: the unlock dialog on the first visit (a wrong passphrase
says so and lets one try again), the locked list, writing while locked, the idle lock,
attaching one reflection to a notice, and no clear text left in the profile."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from companion.actions import journal, schedule
from companion.actions.profile import Profile
from companion.domain.journal import Barrier
from companion.tui import internals
from companion.tui.app import CompanionApp
from companion.tui.dialogs.reflection_form import ReflectionForm
from companion.tui.dialogs.unlock import UnlockDialog
from companion.tui.screens.journal import LOCKED, JournalScreen
from companion.tui.widgets.tick import TickBox
from tests.cleartext import found_in
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio
PASS = "blue kettle morning"
# The demo's newest reflection, the one the journal's detail pane shows first.
NEWEST = "Felt low all day and didn't want to talk."
WAY = "in the way: emotional/symptoms, motivation"


@pytest.fixture
def locked(demo_profile: Profile) -> Profile:
    newest = journal.list_reflections(demo_profile)[0]
    assert (newest.what_happened, newest.mood) == (NEWEST, 2)
    journal.protect(demo_profile, PASS)
    return demo_profile


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text))


async def unlock_with(pilot: Pilot, passphrase: str) -> None:
    assert isinstance(pilot.app.screen, UnlockDialog)
    await type_text(pilot, passphrase)
    await pilot.press("enter")
    await settle(pilot)


def detail(app: CompanionApp) -> str:
    return text_of(app, "#journal-detail-body")


async def test_the_first_visit_asks_a_wrong_passphrase_lets_one_try_again(
    locked: Profile, app_for
) -> None:
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.pause(1.0)  # the other screens are built ahead meanwhile
        await settle(pilot)
        assert internals.mode_is_built(app, "journal")
        assert not isinstance(app.screen, UnlockDialog)  # not at start: Today comes first
        await pilot.press("j")
        await settle(pilot)
        await unlock_with(pilot, "blue kettle evening")
        assert isinstance(app.screen, UnlockDialog)
        assert text_of(app, "#unlock-error") == "that is not the passphrase"
        assert app.journal_key is None
        await unlock_with(pilot, PASS)
        assert isinstance(app.screen, JournalScreen) and app.journal_key is not None
        assert "what happened" in detail(app) and NEWEST in detail(app)
        await pilot.press("t", "j")  # once per start: not asked again
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)


async def test_escape_leaves_it_locked_with_dates_barriers_mood_and_insights(
    locked: Profile, app_for
) -> None:
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JournalScreen) and screen.data is not None
        assert all(r.locked for r in screen.data.reflections)
        shown = detail(app)
        assert LOCKED in shown and WAY in shown and "mood 2 of 5" in shown
        assert NEWEST not in shown
        assert screen.data.insights_12 and screen.data.insights_12[0].count >= 1
        await pilot.press("i")
        await settle(pilot)
        assert "Last 12 weeks" in " ".join(str(w.render()) for w in screen.query("Static"))
        await pilot.press("i", "t", "j")  # asked once per start: Escape is an answer
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        await pilot.press("u")
        await settle(pilot)
        await unlock_with(pilot, PASS)
        assert NEWEST in detail(app)


async def test_writing_while_locked_asks_to_unlock_first(locked: Profile, app_for) -> None:
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, UnlockDialog)  # before the form: no words typed in vain
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        await pilot.press("w")
        await settle(pilot)
        await unlock_with(pilot, PASS)
        assert isinstance(app.screen, ReflectionForm)
        await type_text(pilot, "Fell asleep after work")
        await pilot.press("ctrl+s")
        await settle(pilot)
    key = journal.unlock(locked, PASS)
    newest = journal.readable_reflections(locked, key)[0]
    assert newest.what_happened == "Fell asleep after work"
    assert journal.readable_reflections(locked)[0].locked  # stored sealed


async def test_the_idle_lock_drops_the_key_and_the_text(locked: Profile, app_for) -> None:
    app: CompanionApp = app_for(locked)
    assert app.settings.journal_lock_min == 10
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await unlock_with(pilot, PASS)
        assert NEWEST in detail(app)
        app.last_input -= 9 * 60
        app.check_journal_idle()
        assert app.journal_key is not None  # 9 minutes: not yet
        before = app.last_input
        await pilot.press("down")  # a key press starts the count again
        assert app.last_input > before + 8 * 60
        app.last_input -= 10 * 60 + 1
        await pilot.pause(app.IDLE_CHECK_S + 0.5)  # the app's own timer locks it
        await settle(pilot)
        assert app.journal_key is None
        screen = app.screen
        assert isinstance(screen, JournalScreen) and screen.data is not None
        assert all(r.locked for r in screen.data.reflections)
        assert NEWEST not in detail(app) and LOCKED in detail(app)
        assert not isinstance(app.screen, UnlockDialog)  # locked, not asked while away
        await pilot.press("t", "j")  # the next visit asks again
        await settle(pilot)
        assert isinstance(app.screen, UnlockDialog)


async def test_no_idle_lock_when_the_setting_is_0(locked: Profile, app_for) -> None:
    locked.settings.journal_lock_min = 0
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await unlock_with(pilot, PASS)
        app.last_input -= 1440 * 60
        app.check_journal_idle()
        assert app.journal_key is not None
        await pilot.press("l")  # locks at once
        await settle(pilot)
        assert app.journal_key is None and LOCKED in detail(app)


async def test_attaching_a_reflection_decrypts_that_one_after_unlocking(
    locked: Profile, app_for, home: Path
) -> None:
    views = schedule.occurrences(locked, locked.now(), locked.now() + timedelta(days=2))
    friday = next(v.occurrence.id for v in views if v.occurrence.title == "Process Group")
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.action_notify_about(friday)
        await settle(pilot)
        app.screen.query_one("#barrier", Select).value = Barrier.WORK_SCHOOL
        await settle(pilot)
        box = app.screen.query_one("#attach", TickBox)
        box.value = True
        await settle(pilot)
        await unlock_with(pilot, PASS)
        assert "A reflection is attached." in text_of(app, "#preview")
        opened = getattr(app.screen, "opened")  # noqa: B009 - one reflection, in memory
        assert [r.what_happened for r in opened.values()] == [NEWEST]
        await pilot.press("ctrl+s")
        await settle(pilot)
    [entry] = [e for e in locked.store.conn.execute("SELECT payload FROM outbox")]
    assert NEWEST in entry[0]  # what the coordinator gets, until it is delivered
    others = [r for r in journal.readable_reflections(locked) if r.id not in opened]
    assert all(r.locked for r in others)


async def test_declining_to_unlock_unticks_the_attachment(locked: Profile, app_for) -> None:
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        box = app.screen.query_one("#attach", TickBox)
        box.value = True
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not box.value and app.journal_key is None


async def test_the_app_writes_no_clear_text(locked: Profile, app_for, home: Path) -> None:
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await unlock_with(pilot, PASS)
        await pilot.press("down", "down", "i", "i")
        await settle(pilot)
    assert found_in(home, NEWEST, "Felt low all day", PASS) == []


async def test_an_unprotected_journal_never_asks(demo_profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen) and NEWEST in detail(app)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ReflectionForm)


async def test_the_idle_time_is_a_setting(demo_profile: Profile, app_for) -> None:
    from textual.widgets import Input

    from companion.config import load_settings

    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        field = app.screen.query_one("#journal_lock_min-input", Input)
        assert field.value == "10 min"
        field.value = "lots"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "from 0 to 1440" in text_of(app, "#journal_lock_min .field-error")
        field.value = "0"
        await settle(pilot)
        assert "stays unlocked until you quit" in text_of(app, "#journal_lock_min .field-hint")
        field.value = "3"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert app.settings.journal_lock_min == 3
    assert load_settings(demo_profile.paths.config_file).journal_lock_min == 3


async def test_a_passphrase_changed_elsewhere_locks_the_app(locked: Profile, app_for) -> None:
    app: CompanionApp = app_for(locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await unlock_with(pilot, PASS)
        assert NEWEST in detail(app)
        journal.change_passphrase(locked, journal.unlock(locked, PASS), "seven quiet rivers")
        await pilot.pause(app.STORE_CHECK_S + 0.5)  # the app notices the other writer
        await settle(pilot)
        assert app.journal_key is None and LOCKED in detail(app)
