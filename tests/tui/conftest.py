"""TUI fixtures: the app over a throwaway profile with a frozen clock, no cursor blink, and
``settle`` to wait until every worker (loads, writes, sync) has finished."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.tui.app import CompanionApp, make_app
from tests.e2e.conftest import EMAIL, PASSWORD, LiveServer, server_json, start_server, stop_server

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots differ from run to run."""
    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(TextArea, "cursor_blink", False)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real program server on a loopback port, with Evening IOP and a coordinator."""
    home = tmp_path / "server"
    server_json("create-program", "Evening IOP", "--timezone", "America/New_York", home=home)
    server_json("create-coordinator", EMAIL, home=home, input=PASSWORD + "\n")
    live = start_server(home, "serve")
    yield live
    stop_server(live)


@pytest.fixture
def app_for(now: datetime) -> Callable[[Profile], CompanionApp]:
    def build(profile: Profile) -> CompanionApp:
        return make_app(profile, clock=fixed_clock(now))

    return build


async def settle(pilot: Pilot, rounds: int = 60) -> None:
    """Wait (bounded) until no worker runs and the screen has refreshed."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    await pilot.pause()


async def press_settled(pilot: Pilot, *keys: str) -> None:
    """Press each key as a person would, letting the app settle after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def text_of(app: CompanionApp, selector: str) -> str:
    """The plain text a Static shows."""
    from textual.widgets import Static

    widget = app.screen.query_one(selector, Static)
    return str(widget.render())
