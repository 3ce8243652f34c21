"""The Textual internals `companion.tui.internals` leans on, checked against the installed
Textual: an upgrade that changes one fails here, loudly, instead of slowing the app in
silence. And what they buy: screens built ahead once Today shows, and no restyling of the
whole app on the way to the first paint."""

from __future__ import annotations

import inspect

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

from companion.actions.profile import Profile
from companion.tui import internals
from companion.tui.app import PREBUILT, CompanionApp
from companion.tui.screens.base import MainScreen
from tests.tui.conftest import settle

pytestmark = pytest.mark.anyio


def test_the_textual_internals_are_what_internals_expects() -> None:
    app = App()
    assert isinstance(app._screen_stacks, dict)
    assert list(inspect.signature(App._init_mode).parameters) == ["self", "mode"]
    assert isinstance(app._css_update_count, int)
    assert Screen()._css_update_count == -1  # a new screen: not styled by the app yet


async def wait_built(app: CompanionApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if all(internals.mode_is_built(app, m) for m in PREBUILT):
            return
        await pilot.pause(0.05)


async def test_every_screen_is_built_ahead_and_the_first_visit_reuses_it(
    demo_profile: Profile, app_for
) -> None:  # type: ignore[no-untyped-def]
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_built(app, pilot)
        assert [m for m in PREBUILT if not internals.mode_is_built(app, m)] == []
        built = {m: app._screen_stacks[m][0] for m in PREBUILT}
        assert app.screen.__class__.__name__ == "TodayScreen"  # still on Today, untouched
        for key, mode in (("s", "schedule"), ("j", "journal"), ("c", "catchup")):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is built[mode]  # shown, not built again
        assert "Week of" in str(built["schedule"].query_one("#week-label").render())


async def test_no_screen_restyles_the_app_once_built(
    demo_profile: Profile, app_for, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Textual re-parses the whole stylesheet, dropping its cache, when a mode's screen
    lags the app's CSS; ours bring no CSS of their own, so only the first screen's start
    does (once), not the screens built ahead, nor a switch to one."""
    reparsed = []
    real = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparsed.append(1), real(self)))
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_built(app, pilot)
        assert len(reparsed) == 1
        for key in ("s", "j", "t"):
            await pilot.press(key)
            await settle(pilot)
        assert len(reparsed) == 1
        app.theme = "textual-light"  # a theme change still restyles each screen
        await settle(pilot)
        assert len(reparsed) > 1
        for key in ("s", "j", "c", ","):  # the screens built ahead: restyled on the way in
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert app.screen._css_update_count == app._css_update_count
            assert app.screen.styles.background == app.current_theme.to_color_system().background
