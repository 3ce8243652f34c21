"""The app hands only https/http links to a browser or the clipboard (issue 10): a
``javascript:`` join link, from a calendar or a program server of old, is refused with a
one-line notice."""

from __future__ import annotations

import dataclasses
import webbrowser

import pytest

from companion.actions.profile import Profile
from companion.store import repo_schedule
from tests.tui.conftest import settle

pytestmark = pytest.mark.anyio


async def test_a_javascript_join_link_is_neither_opened_nor_copied(
    demo_profile: Profile, app_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", ":0")  # as on a desktop: the app would open a browser
    with demo_profile.store.transaction() as conn:
        for series in repo_schedule.list_series(conn):
            bad = dataclasses.replace(series, join_url="javascript:alert(1)")
            repo_schedule.save_series(conn, bad, demo_profile.now())
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        said = [n.message for n in app._notifications]
    assert opened == []
    assert app.clipboard == ""
    assert "Not opened: only https:// and http:// links are allowed." in said
    assert "Not copied: only https:// and http:// links are allowed." in said


async def test_an_https_join_link_is_opened(
    demo_profile: Profile, app_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", ":0")
    app = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
    assert len(opened) == 1 and opened[0].startswith("https://meet.example.org/")
