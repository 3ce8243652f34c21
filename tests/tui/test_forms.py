"""Every form and dialog opens with a field focused, and typing into it stays in it.

Each test types ``https://program.example``: it holds s, x, t, j, c, n, e, a, m, o, p, r, g
and ``:``/``.``, most of which are one-key shortcuts somewhere in the app. The text must
land in the field and the screen (or dialog) must stay where it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import Input, Select, TextArea

from companion.actions import schedule
from companion.actions.profile import Profile
from companion.tui.app import CompanionApp
from companion.tui.dialogs.add_item import AddItemDialog
from companion.tui.dialogs.files import ExportDialog, ImportDialog
from companion.tui.dialogs.reflection_form import ReflectionForm
from companion.tui.dialogs.series_form import SeriesForm
from companion.tui.screens.welcome import WelcomeScreen
from companion.tui.widgets.tick import TickBox
from tests.tui.conftest import press_settled, settle

pytestmark = pytest.mark.anyio
URL = "https://program.example"


def focused_input(app: CompanionApp) -> Input:
    focused = app.focused
    assert isinstance(focused, Input), f"the focus is on {focused!r}, not a field"
    return focused


async def type_url(pilot, expect_screen: type) -> None:  # type: ignore[no-untyped-def]
    """Type the URL and check nothing but the field noticed."""
    await pilot.press(*URL)
    await settle(pilot)
    assert isinstance(pilot.app.screen, expect_screen), pilot.app.screen


async def test_enrol_from_welcome_types_into_the_server_field(profile: Profile, app_for) -> None:
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("e")
        await settle(pilot)
        field = focused_input(app)
        assert field.id == "url-input"
        from companion.tui.screens.settings import SettingsScreen

        await type_url(pilot, SettingsScreen)
        assert field.value == URL
        assert app.current_mode == "settings"


async def test_settings_fields_keep_what_is_typed(demo_profile: Profile, app_for) -> None:
    from companion.tui.screens.settings import SettingsScreen

    app = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        assert focused_input(app).id == "url-input"
        await type_url(pilot, SettingsScreen)
        assert app.screen.query_one("#url-input", Input).value == URL
        # Tab on to "Your name" and type there too.
        for _ in range(20):
            await pilot.press("tab")
            if app.focused is not None and app.focused.id == "client_name-input":
                break
        await type_url(pilot, SettingsScreen)
        assert app.screen.query_one("#client_name-input", Input).value == URL
        # On the check box, typed characters do nothing either (space still ticks it).
        box = app.screen.query_one("#discreet", TickBox)
        box.focus()
        before = box.value
        await type_url(pilot, SettingsScreen)
        assert box.value is before and app.current_mode == "settings"
        await pilot.press("space")
        assert box.value is not before


async def test_notify_form_keeps_typed_keys(demo_profile: Profile, app_for) -> None:
    from companion.tui.screens.notify import NotifyScreen

    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NotifyScreen)
        assert isinstance(app.focused, Select)  # the first field still to fill: the reason
        # Typed on the drop-down: neither the app's keys (s, t, j…) nor the form's own
        # (a accepts a make-up, d discards a notice) run.
        await type_url(pilot, NotifyScreen)
        assert app.current_mode == "notify"
        assert screen.query_one("TabbedContent").active == "tell"
        await pilot.click("#message-input")
        await type_url(pilot, NotifyScreen)
        assert screen.query_one("#message-input", Input).value == URL


async def test_notify_opened_from_the_mode_focuses_the_session(
    demo_profile: Profile, app_for
) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.switch_mode("notify")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "session"


async def test_add_and_edit_series_forms_keep_typed_keys(profile: Profile, app_for) -> None:
    start = datetime(2026, 11, 27, 10, 0)
    schedule.add_series(
        profile, title="Walk", kind="other", start=start, duration=timedelta(hours=1)
    )
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, SeriesForm)
        assert focused_input(app).id == "title-input"
        await type_url(pilot, SeriesForm)
        assert app.screen.query_one("#title-input", Input).value == URL
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")  # edit the selected series (Walk, the only one)
        await settle(pilot)
        assert isinstance(app.screen, SeriesForm)
        field = focused_input(app)
        assert field.value == "Walk"
        await type_url(pilot, SeriesForm)
        assert field.value == URL  # the title was selected on focus: typing replaced it


async def test_checklist_item_dialog_keeps_typed_keys(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, AddItemDialog)
        assert focused_input(app).id == "text-input"
        await type_url(pilot, AddItemDialog)
        assert app.screen.query_one("#text-input", Input).value == URL


async def test_file_dialogs_keep_typed_keys(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_settled(pilot, "s", "x")
        assert isinstance(app.screen, ExportDialog)
        field = focused_input(app)
        assert field.value.endswith("companion.ics")  # the suggestion, selected
        await type_url(pilot, ExportDialog)
        assert field.value == URL
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportDialog)
        await type_url(pilot, ImportDialog)
        assert focused_input(app).value == URL


async def test_reflection_form_keeps_typed_keys(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReflectionForm)
        assert isinstance(app.focused, TextArea)
        await type_url(pilot, ReflectionForm)
        assert form.query_one("#what", TextArea).text == URL
        form.query_one("#plan", Input).focus()
        await type_url(pilot, ReflectionForm)
        assert form.query_one("#plan", Input).value == URL


async def test_exporting_the_calendar_leaves_the_folder_as_it_was(
    demo_profile: Profile, app_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The file is private (0600); the folder it goes in is the user's, often their home,
    and keeps its mode (it was once tightened to 0700)."""
    import os
    import stat

    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    target = folder / "mine.ics"
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_settled(pilot, "s", "x")
        assert isinstance(app.screen, ExportDialog)
        focused_input(app).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert b"BEGIN:VCALENDAR" in target.read_bytes()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755
