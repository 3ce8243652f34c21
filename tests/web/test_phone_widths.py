"""Every dashboard page is usable on a phone: at 390x844 in Chromium nothing scrolls
sideways (``scrollWidth <= innerWidth``), on the demo program's real-looking data (issue
14: /clients rendered 518 px wide, /schedule 758 px, the roster 413 px). The phone
screenshots: COMPANION_UPDATE_SCREENSHOTS=1 writes them to docs/ (like tests/e2e/test_demo)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, sign_in_page, start_server, stop_server

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"
WIDTH, HEIGHT = 390, 844
SHOTS = {"clients": "phone-clients.png", "schedule": "phone-schedule.png",
         "roster": "phone-roster.png", "inbox": "phone-inbox.png"}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("demo") / "home", "demo")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def phone(demo: LiveServer, chromium: Any) -> Iterator[Any]:
    """The demo's admin, signed in, on a 390x844 page."""
    found = re.search(
        r"sign in as (\S+) with password (\S+)", (demo.home / "server.log").read_text()
    )
    assert found
    context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    sign_in_page(page, demo.url, found.group(1), found.group(2))
    yield page
    context.close()


def pages(demo: LiveServer, phone: Any) -> dict[str, str]:
    """Every page a coordinator or admin opens, by a short name."""
    phone.goto(demo.url + "/clients")
    client = phone.locator("tbody a").first.get_attribute("href")
    phone.goto(demo.url + "/attendance")
    phone.get_by_role("link", name="Previous week").click()
    roster = phone.get_by_role("link", name="Roster").first.get_attribute("href")
    assert client and roster
    return {
        "home": "/", "inbox": "/inbox", "new": "/inbox?status=new", "clients": "/clients",
        "client": client, "attendance": "/attendance", "schedule": "/schedule",
        "series": "/schedule/new", "roster": roster, "export": "/export", "team": "/team",
        "program": "/program", "audit": "/audit",
    }  # fmt: skip


def test_no_page_scrolls_sideways_at_390_px(demo: LiveServer, phone: Any, tmp_path: Path) -> None:
    too_wide = {}
    for name, path in pages(demo, phone).items():
        response = phone.goto(demo.url + path)
        assert response is not None and response.status == 200, path
        assert phone.evaluate("window.innerWidth") == WIDTH
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide[path] = width
        if name in SHOTS:
            shot = tmp_path / SHOTS[name]
            phone.screenshot(path=str(shot), full_page=name != "inbox")
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            if os.environ.get("COMPANION_UPDATE_SCREENSHOTS") == "1":
                (DOCS / SHOTS[name]).write_bytes(shot.read_bytes())
    assert not too_wide, f"wider than {WIDTH} px: {too_wide}"


def test_an_open_notice_form_fits_too(demo: LiveServer, phone: Any) -> None:
    phone.goto(demo.url + "/inbox")
    phone.locator(".notice summary", has_text="Reply").first.click()
    phone.locator(".notice form textarea").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
