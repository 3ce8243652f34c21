"""The client page and the clients page carry the attendance pictures (real server, httpx):
a client added today has eleven weeks before they were added, drawn as gaps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from html import unescape

import httpx
import pytest

from tests.web.conftest import Site, csrf_of, sign_in

NAME = 'Chart <b>"C."</b>'


@pytest.fixture
def browser(site: Site) -> Iterator[httpx.Client]:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def labels(page: str, css: str) -> list[str]:
    return [
        unescape(m)
        for m in re.findall(rf'<svg class="{css}" role="img" aria-label="([^"]*)"', page)
    ]


def test_the_pages_carry_the_twelve_week_pictures(site: Site, browser: httpx.Client) -> None:
    token = csrf_of(browser.get("/clients").text)
    added = browser.post("/clients", data={"csrf": token, "name": NAME})
    assert added.status_code == 303
    page = browser.get(added.headers["location"]).text
    assert "<b>" not in page.split('id="client-chart"')[1].split("</figure>")[0]
    (label,) = labels(page, "chart")
    assert label.startswith(f"{NAME}, weekly attendance over 12 weeks against the")
    weeks = label.split("policy. ")[1].split("; ")
    assert len(weeks) == 12
    assert all(w.endswith("no sessions") for w in weeks[:11])  # before they were added
    assert "viewBox=" in page and "width:100%" in page
    listing = browser.get("/clients").text
    assert any(s.startswith(f"{NAME}, weekly") for s in labels(listing, "sparkline"))
    assert len(labels(listing, "chart")) == 1 and 'id="program-chart"' in listing
