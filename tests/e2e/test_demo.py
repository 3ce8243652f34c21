"""`companion-server demo` in a real Chromium: the printed sign-in works and the dashboard
is alive (notices of every status, clients at risk, a week of attendance). Also takes the
README's screenshot: COMPANION_UPDATE_SCREENSHOTS=1 writes it to docs/inbox.png."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, start_server, stop_server

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    server = start_server(tmp_path / "demo-home", "demo")
    yield server
    stop_server(server)


def credentials(server: LiveServer) -> tuple[str, str]:
    log = (server.home / "server.log").read_text()
    found = re.search(r"sign in as (\S+) with password (\S+)", log)
    assert found, log
    return found.group(1), found.group(2)


def test_demo_prints_a_sign_in_that_opens_a_living_dashboard(
    browser: Any, demo: LiveServer, tmp_path: Path
) -> None:
    email, password = credentials(demo)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(15_000)
    page.goto(demo.url + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(demo.url + "/inbox")

    text = page.inner_text("main")
    assert re.match(r"Inbox \(\d+ new\)", page.title())
    for seen in ("Jordan R.", "Shift moved to evenings this week.", "Wifi died, sorry."):
        assert seen in text
    assert {"new", "acknowledged", "replied"} <= set(
        page.locator(".notice .badge").all_inner_texts()
    )
    risk = page.inner_text(".risk")
    assert "Sam K." in risk and "Lee M." in risk and "Jordan R." not in risk
    page.locator(".notice", has_text="Wifi died").locator("summary", has_text="Shared").click()
    assert "hotspot" in page.inner_text(".notice .reflection")

    shot = tmp_path / "inbox.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("COMPANION_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        (DOCS / "inbox.png").write_bytes(shot.read_bytes())

    page.get_by_role("link", name="Clients").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 5
    assert "at risk" in rows.filter(has_text="Lee M.").inner_text()
    assert "on track" in rows.filter(has_text="Jordan R.").inner_text()

    page.get_by_role("link", name="Attendance").click()
    page.get_by_role("link", name="Previous week").click()
    assert "of 5" in page.inner_text("tbody")
