"""Every dashboard page is usable on a phone: at 390x844 in Chromium nothing scrolls
sideways (``scrollWidth <= innerWidth``), with real content in every table (issue 14:
/clients rendered 518 px wide, /schedule 758 px, the roster 413 px). Screenshots of the
phone views go to docs/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import GROUP, NY, PASSWORD, Site, sign_in
from tests.web.test_pages import add_client, add_series

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = {
    "/clients": "phone-clients.png",
    "/schedule": "phone-schedule.png",
    "roster": "phone-roster.png",
}


@pytest.fixture(scope="module")
def phone(site: Site, chromium: Any) -> Iterator[Any]:
    """A signed-in page at 390x844, after filling the program with long, real-looking data."""
    web = sign_in(site.url, site.emails["A"])
    try:
        start = datetime.now(UTC) + timedelta(days=1)
        add_series(web, "Relapse prevention and coping skills workshop (evening)", start, "weekly")
        add_client(web, "Alexandria Montgomery-Richardson")
    finally:
        web.close()
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.goto(site.url + "/signin")
    page.get_by_label("Email").fill(site.emails["A"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site.url + "/inbox")
    yield page
    context.close()


def roster_path(site: Site) -> str:
    day = datetime.now(NY).date() - timedelta(days=1)
    start = datetime.combine(day, datetime.min.time(), NY).replace(hour=18).astimezone(UTC)
    return f"/attendance/roster?series={GROUP['uid']}&start={start.strftime('%Y-%m-%dT%H:%M:%SZ')}"


def pages(site: Site) -> list[str]:
    return [
        "/", "/inbox", "/inbox?status=new", "/clients", f"/clients/{site.clients['A']}",
        "/attendance", "/schedule", "/schedule/new", roster_path(site), "/export",
        "/team", "/program", "/audit",
    ]  # fmt: skip


def test_no_page_scrolls_sideways_at_390_px(site: Site, phone: Any) -> None:
    too_wide = {}
    for path in pages(site):
        response = phone.goto(site.url + path)
        assert response is not None and response.status == 200, path
        width = phone.evaluate("document.documentElement.scrollWidth")
        inner = phone.evaluate("window.innerWidth")
        assert inner == 390
        if width > inner:
            too_wide[path] = width
        key = "roster" if path.startswith("/attendance/roster") else path
        if key in SHOTS:
            phone.screenshot(path=str(DOCS / SHOTS[key]), full_page=True)
    assert not too_wide, f"wider than 390 px: {too_wide}"


def test_the_inbox_notice_form_fits_when_open(site: Site, phone: Any) -> None:
    phone.goto(site.url + "/inbox")
    phone.locator(".notice summary", has_text=re.compile("Reply")).first.click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
