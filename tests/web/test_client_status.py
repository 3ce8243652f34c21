"""The dashboard's client page tells a past session nobody marked ("not marked") from one
still to come ("upcoming"): it called both "upcoming" (issue 11)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from html import unescape

import httpx
import pytest

from tests.clockshim import set_offset
from tests.web.conftest import Site, sign_in
from tests.web.test_pages import add_client, add_series, client_id_of


@pytest.fixture
def browser(site: Site) -> Iterator[httpx.Client]:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def status_of(page: str, title: str) -> str:
    row = page[page.index(f">{title}</a>") :].split("</tr>")[0]
    return unescape(re.findall(r'<td data-label="Status">([^<]*)</td>', row)[-1])


def test_the_client_page_says_not_marked_for_a_past_unmarked_session(
    site: Site, browser: httpx.Client
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    add_series(browser, "Past unmarked group", now - timedelta(days=2), repeat="once")
    add_series(browser, "Coming group", now + timedelta(days=2), repeat="once")
    set_offset(site.clock, timedelta(days=-3))  # added before the session (issue 14:
    try:  # sessions count from the day a client was added)
        add_client(browser, "Status S.")
    finally:
        set_offset(site.clock, timedelta(0))
    page = browser.get(f"/clients/{client_id_of(browser, 'Status S.')}").text
    assert status_of(page, "Past unmarked group") == "not marked"
    assert status_of(page, "Coming group") == "upcoming"
