"""Issue 16 in the app: the "Need help now?" panel is one key (``!``) away on every
screen and over dialogs where no text is being typed; it lists the program's contacts
first; after a low-mood reflection the app offers it once (a day), gently."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from textual.widgets import Input, Select, Static, TextArea

from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.domain.help_now import CrisisContact
from companion.store import repo_help
from companion.tui.app import CompanionApp, make_app
from companion.tui.dialogs.confirm import ConfirmDialog
from companion.tui.dialogs.help_now import HelpNowDialog, HelpOfferDialog
from companion.tui.dialogs.reflection_form import ReflectionForm
from companion.tui.screens.welcome import WelcomeScreen
from companion.tui.widgets.keys import KeysBar
from tests.tui.conftest import settle

pytestmark = pytest.mark.anyio
LIFELINE = "988 Suicide & Crisis Lifeline — call or text 988 (US)"
ELSEWHERE = "Outside the US: call your local emergency number"


def panel_text(app: CompanionApp) -> str:
    assert isinstance(app.screen, HelpNowDialog), type(app.screen).__name__
    return str(app.screen.query_one("#help-now-text", Static).render())


async def open_and_close(pilot, app: CompanionApp, under: type) -> None:  # type: ignore[no-untyped-def]
    """``!`` opens the panel over ``under``; Escape closes it, back where it was."""
    assert isinstance(app.screen, under), type(app.screen).__name__
    await pilot.press("exclamation_mark")
    await settle(pilot)
    text = panel_text(app)
    assert LIFELINE in text and ELSEWHERE in text
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, under), type(app.screen).__name__


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_panel_from_every_screen(demo_profile: Profile, app_for, size) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_profile)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key, mode in (("t", "today"), ("s", "schedule"), ("j", "journal"),
                          ("c", "catchup"), ("n", "notify")):  # fmt: skip
            await pilot.press(key)
            await settle(pilot)
            screen = type(app.screen)
            assert app.current_mode == mode
            footer = str(app.screen.query_one(KeysBar).render())
            assert "! Help now" in footer, (mode, footer)
            await open_and_close(pilot, app, screen)
        # Settings opens with the focus in a text field: there "!" is a character...
        await app.switch_mode("settings")  # (from Notify's form, "," would be typed)
        await settle(pilot)
        typing = app.screen.focused
        assert isinstance(typing, Input)
        before = typing.value
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert typing.value == before + "!" and not isinstance(app.screen, HelpNowDialog)
        # ... and the command palette reaches the panel from inside it: ctrl+p, Enter
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"need help", "enter")
        await settle(pilot)
        assert LIFELINE in panel_text(app)
        await pilot.press("escape")
        await settle(pilot)
        app.screen.set_focus(None)  # out of the field: one key again
        await open_and_close(pilot, app, type(app.screen))


async def test_the_panel_from_the_welcome_screen(profile: Profile, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_close(pilot, app, WelcomeScreen)


async def test_the_panel_over_dialogs(demo_profile: Profile, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ConfirmDialog("Remove it?"))
        await settle(pilot)
        await open_and_close(pilot, app, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        # the reflection form: "!" is typed in its text areas, opens the panel elsewhere
        await pilot.press("j", "w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReflectionForm)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert form.query_one("#what", TextArea).text == "!"
        form.query_one("#barriers").focus()
        await settle(pilot)
        await open_and_close(pilot, app, ReflectionForm)
        assert form.query_one("#what", TextArea).text == "!"  # nothing lost
        # "!" in the panel closes it too (it never stacks a second one)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpNowDialog)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert app.screen is form
        assert not any(isinstance(s, HelpNowDialog) for s in app.screen_stack)


async def test_the_programs_contacts_come_first(demo_profile: Profile, app_for, now) -> None:  # type: ignore[no-untyped-def]
    own = CrisisContact("After-hours line", phone="+1 212 555 0100", note="17:00-23:00")
    with demo_profile.store.transaction() as conn:
        repo_help.set_program_contacts(conn, [own], now)
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        lines = [line.strip() for line in panel_text(app).splitlines() if line.strip()]
        assert lines[1:6] == [
            "Evening IOP",
            "After-hours line — call +1 212 555 0100 (17:00-23:00)",
            "Any time",
            LIFELINE,
            ELSEWHERE,
        ]


async def write(pilot, app: CompanionApp, mood: int, barriers: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Write a reflection through the form with ``mood``, ticking the first ``barriers``."""
    await pilot.press("j", "w")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, ReflectionForm)
    form.query_one("#what", TextArea).text = "A hard evening."
    form.query_one("#mood", Select).value = mood
    ticks = form.query_one("#barriers")
    for i in range(barriers):
        ticks.select(ticks.get_option_at_index(i).value)  # type: ignore[attr-defined]
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_the_low_mood_offer_shows_once(demo_profile: Profile, now: datetime) -> None:
    app = make_app(demo_profile, clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await write(pilot, app, mood=4)
        assert not isinstance(app.screen, HelpOfferDialog)  # a good day: nothing
        await write(pilot, app, mood=1)
        offer = app.screen
        assert isinstance(offer, HelpOfferDialog)
        assert "Would it help to see who you can reach right now?" in str(
            offer.query_one(Static).render()
        )
        await pilot.press("exclamation_mark")  # yes: the panel
        await settle(pilot)
        assert LIFELINE in panel_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await write(pilot, app, mood=1)
        assert app.current_mode == "journal" and not app.screen.is_modal  # not twice
    # the same day in a new session of the app: still not again (it is remembered)
    again = make_app(demo_profile, clock=fixed_clock(now + timedelta(hours=2)))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await write(pilot, again, mood=1)
        assert not again.screen.is_modal
    # the next day, the emotional/symptoms barrier and a low mood: offered, "not now"
    tomorrow = make_app(demo_profile, clock=fixed_clock(now + timedelta(days=1)))
    async with tomorrow.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await write(pilot, tomorrow, mood=2, barriers=5)  # the fifth is emotional/symptoms
        assert isinstance(tomorrow.screen, HelpOfferDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert tomorrow.current_mode == "journal" and not tomorrow.screen.is_modal


async def test_the_help_screen_lists_it(demo_profile: Profile, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        from rich.console import Console

        table = app.screen.query_one("HelpPanel BindingsTable").render_bindings_table()  # type: ignore[attr-defined]
        console = Console(width=60, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(table)
        shown = console.export_text()
        assert "! Help now" in " ".join(shown.split()), shown
        assert app.screen.active_bindings["exclamation_mark"].binding.description == "Help now"
