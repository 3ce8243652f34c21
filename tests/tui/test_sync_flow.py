"""With the real program server on a loopback port: enrol from Settings, tell the
coordinator about a missed session, sync -> delivered, and "tell the coordinator" ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from textual.widgets import DataTable

from companion.actions import catchup
from companion.actions.notify import outbox
from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.domain.catchup import TELL
from companion.domain.journal import Barrier
from companion.domain.schedule import occurrence_id
from companion.paths import Paths
from companion.tui.app import make_app
from companion.tui.screens.welcome import WelcomeScreen
from tests.e2e.conftest import EMAIL, PASSWORD, LiveServer
from tests.tui.conftest import settle, text_of

pytestmark = pytest.mark.anyio
TZ = "America/New_York"


def add_weekly_group(server: LiveServer, first: datetime) -> str:
    """A weekly group the coordinator publishes, starting at ``first`` (local, naive)."""
    token = httpx.post(
        f"{server.url}/v1/coordinator/login",
        json={"email": EMAIL, "password": PASSWORD},
        timeout=10,
    ).json()["token"]
    uid = "group@evening-iop"
    answer = httpx.post(
        f"{server.url}/v1/coordinator/series",
        headers={"Authorization": f"Bearer {token}"},
        json={"uid": uid, "title": "Process Group", "kind": "group", "tzid": TZ,
              "start_local": first.isoformat(), "duration_min": 180, "rrule": "FREQ=WEEKLY"},
        timeout=10,
    )  # fmt: skip
    assert answer.status_code in (200, 201), answer.text
    return uid


async def test_enrol_notify_sync_delivers_and_ticks(server: LiveServer, tmp_path: Path) -> None:
    # The server stamps its own time, so this client runs at the real "now", frozen.
    now = datetime.now(UTC).replace(microsecond=0)
    from zoneinfo import ZoneInfo

    first = (
        (now - timedelta(days=15))
        .astimezone(ZoneInfo(TZ))
        .replace(hour=18, minute=0, second=0, tzinfo=None)
    )
    uid = add_weekly_group(server, first)
    code = server.cli("add-client", "Jordan R.")["code"]
    home = tmp_path / "client"
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(now))
    app = make_app(profile)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press("e")  # enrol: goes to Settings
            await settle(pilot)
            await pilot.click("#url-input")
            await pilot.press(*server.url)
            await pilot.click("#code-input")
            await pilot.press(*code)
            await pilot.click("#enrol")
            await settle(pilot)
            assert app.sync_state.enrolled and app.sync_state.online
            assert "online" in text_of(app, "#hdr-sync")
            # The server fields are gone; the focus moved to the first field left.
            assert app.focused is not None and app.focused.id == "client_name-input"
            # Tell the coordinator about last week's group, after the fact.
            missed = occurrence_id(uid, (first + timedelta(days=7)).replace(
                tzinfo=ZoneInfo(TZ)).astimezone(UTC))  # fmt: skip
            await app.action_notify_about(missed)
            await settle(pilot)
            screen = app.screen
            screen.query_one("#barrier").value = Barrier.TECHNICAL
            await pilot.press("ctrl+s")
            await settle(pilot)
            table = screen.query_one("#outbox-table", DataTable)
            assert "delivered" in str(table.get_row_at(0)[-1])
            assert "queued" not in text_of(app, "#hdr-sync")
        [entry] = outbox(profile)
        assert entry.notice.state.value == "delivered"
        checklist = next(c for c in catchup.checklists(profile) if c.series_uid == uid)
        assert next(i for i in checklist.items if i.key == TELL).done
    finally:
        profile.close()
