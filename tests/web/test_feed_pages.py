"""The dashboard shows the program's default for calendar feeds (Clients) and each
device's feed (a client's page), as the coordinator's browser gets them."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from tests.web.conftest import Site, sign_in


@pytest.fixture
def browser(site: Site) -> Iterator[httpx.Client]:
    client = sign_in(site.url, site.emails["A"])
    yield client
    client.close()


def test_clients_and_a_clients_page_show_how_calendar_feeds_look(
    site: Site, browser: httpx.Client
) -> None:
    clients = unescape(browser.get("/clients").text)
    assert "Calendar feeds: session titles, unless a client turns on discreet calendars" in clients
    page = f"/clients/{site.clients['A']}"
    assert "calendar: session titles (program default)" in browser.get(page).text

    auth = {"Authorization": f"Bearer {site.tokens['A']}"}
    chosen = httpx.put(site.url + "/v1/preferences", json={"discreet": True}, headers=auth)
    assert chosen.status_code == 200
    assert "calendar: discreet (their choice)" in browser.get(page).text

    try:
        assert site.server.cli("set-program", "--program", "Program A", "--discreet")["changed"]
        clients = unescape(browser.get("/clients").text)
        assert "Calendar feeds: discreet by the program's default (“Appointment”" in clients
        httpx.put(site.url + "/v1/preferences", json={"discreet": None}, headers=auth)
        assert "calendar: discreet (program default)" in browser.get(page).text
        # the other program's page is its own
        other = sign_in(site.url, site.emails["B"])
        assert "session titles, unless" in unescape(other.get("/clients").text)
        other.close()
    finally:
        site.server.cli("set-program", "--program", "Program A", "--no-discreet")
