"""The app's Settings tick for discreet calendars reaches the program server with the
app's own sync, and the device's subscription feed turns discreet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from textual.widgets import Checkbox

from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.paths import Paths
from companion.store import repo_sync
from companion.tui.app import make_app
from sync.client import enroll
from tests.e2e.conftest import LiveServer
from tests.tui.conftest import press_settled, settle
from tests.tui.test_sync_flow import add_weekly_group

pytestmark = pytest.mark.anyio


async def test_ticking_discreet_in_settings_makes_the_feed_discreet(
    server: LiveServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    add_weekly_group(server, datetime(2026, 11, 2, 18, 0))
    code = server.cli("add-client", "Jordan R.")["code"]
    home = tmp_path / "client"
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(now))
    try:
        done = enroll(profile, server.url, code, "laptop")
        assert b"SUMMARY:Process Group" in httpx.get(done.feed_url, timeout=10).content
        app = make_app(profile)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("comma")
            await settle(pilot)
            box = app.screen.query_one("#discreet", Checkbox)
            assert box.value is False
            box.value = True
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("ctrl+r")  # the app's own sync (it also runs every few minutes)
            await settle(pilot)
            assert app.sync_state.online and not app.sync_state.message
        assert repo_sync.get_discreet(profile.store.conn) == (True, False)
        feed = httpx.get(done.feed_url, timeout=10).content
        assert b"SUMMARY:Appointment" in feed and b"Process Group" not in feed
    finally:
        profile.close()


async def test_export_dialog_follows_the_programs_default_and_can_leave_links_out(
    server: LiveServer, tmp_path: Path
) -> None:
    """A program that chose discreet calendars: the export dialog opens ticked for it, and
    "leave out join links" writes a file with neither the link nor the session name."""
    now = datetime.now(UTC).replace(microsecond=0)
    add_weekly_group(server, datetime(2026, 11, 2, 18, 0))
    server.cli("set-program", "--program", "Evening IOP", "--discreet")
    code = server.cli("add-client", "Jordan R.")["code"]
    home = tmp_path / "client"
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(now))
    target = tmp_path / "shared.ics"
    try:
        enroll(profile, server.url, code, "laptop")
        assert profile.settings.discreet is False  # the program's choice, not the client's
        app = make_app(profile)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await press_settled(pilot, "s", "x")
            assert app.screen.query_one("#discreet", Checkbox).value is True
            assert str(app.screen.query_one("#no-links").render()).startswith("▐ ▌")
            app.screen.query_one("#path-input").value = str(target)
            await pilot.click("#no-links")
            await pilot.press("ctrl+s")
            await settle(pilot)
        data = target.read_bytes()
        assert b"SUMMARY:Appointment" in data and b"Process Group" not in data
        assert b"https://" not in data and b"URL" not in data
    finally:
        profile.close()
