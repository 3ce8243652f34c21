"""Switching between screens that are already built: each comes back with the current
theme, the current time and the current data, without waiting for a reload."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from companion.actions.profile import Profile
from companion.tui.app import make_app
from tests.tui.conftest import settle, text_of
from tests.tui.test_outbox_and_reminders import MovingClock

pytestmark = pytest.mark.anyio


async def test_theme_change_reaches_screens_built_before(demo_profile: Profile, app_for) -> None:
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "j", "t")  # build Schedule and Journal, back to Today
        await settle(pilot)

        def header() -> object:
            return app.screen.query_one("AppHeader").styles.background

        dark = header()
        app.action_toggle_dark()
        await settle(pilot)
        light = header()
        assert light != dark
        for key in "sjt":
            await pilot.press(key)
            await settle(pilot)
            assert header() == light, key


async def test_countdown_and_clock_are_current_when_switching_back(
    demo_profile: Profile, now: datetime
) -> None:
    clock = MovingClock(now)
    app = make_app(demo_profile, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "ends in 1 h 48 min" in text_of(app, "#next-session")
        assert text_of(app, "#hdr-clock") == "Thu 26 Nov 17:12"
        await pilot.press("s")
        await settle(pilot)
        clock.at = now + timedelta(minutes=10)
        await pilot.press("t")
        await pilot.pause()
        assert "ends in 1 h 38 min" in text_of(app, "#next-session")
        assert text_of(app, "#hdr-clock") == "Thu 26 Nov 17:22"
