"""The dashboard's Program page: a coordinator sets the crisis contacts every client's
"Need help now?" panel lists first; they reach the program's clients (and no one else's)
in the changes feed; a contact that could break a panel is the form again, never stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from html import unescape

import httpx
import pytest

from tests.web.conftest import SCRIPT_MESSAGE, Site, csrf_of, sign_in


@pytest.fixture
def browser(site: Site) -> Iterator[httpx.Client]:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def feed(site: Site, program: str) -> list[dict]:
    r = httpx.get(
        site.url + "/v1/changes", headers={"Authorization": f"Bearer {site.tokens[program]}"}
    )
    assert r.status_code == 200, r.text
    return [c for c in r.json()["changes"] if c["type"] == "crisis_contacts"]


def save(browser: httpx.Client, rows: list[dict[str, str]]) -> httpx.Response:
    data = {"csrf": csrf_of(browser.get("/program").text)}
    for i, row in enumerate(rows):
        data.update({f"{k}-{i}": v for k, v in row.items()})
    return browser.post("/program/contacts", data=data)


def preview(html: str) -> list[str]:
    block = html[html.index('id="panel-preview"') :]
    block = block[: block.index("</ul>")]
    return [unescape(li) for li in re.findall(r"<li>(.*?)</li>", block)]


def test_the_page_shows_what_clients_see(site: Site, browser: httpx.Client) -> None:
    page = browser.get("/program")
    assert page.status_code == 200
    assert 'href="/program" aria-current="page">Program<' in page.text
    assert preview(page.text) == [
        "988 Suicide & Crisis Lifeline — call or text 988 (US)",
        "Outside the US: call your local emergency number",
    ]
    assert page.text.count('name="name-') == 3  # three empty rows to fill


def test_saved_contacts_reach_this_programs_clients(site: Site, browser: httpx.Client) -> None:
    r = save(browser, [
        {"name": "After-hours line", "phone": "+1 212 555 0100", "note": "17:00-23:00"},
        {"name": "", "phone": "", "sms": "", "url": "", "note": ""},  # an empty row: left out
        {"name": "Chat with us", "url": "https://chat.example.org/iop"},
    ])  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/program?done=contacts"
    page = browser.get(r.headers["location"]).text
    assert "Crisis contacts saved: clients see them on their next sync." in page
    assert preview(page)[:2] == [
        "After-hours line — call +1 212 555 0100 (17:00-23:00)",
        "Chat with us — https://chat.example.org/iop",
    ]
    assert page.count('name="name-') == 5  # the two, and three empty rows
    [change] = feed(site, "A")
    assert [c["name"] for c in change["contacts"]] == ["After-hours line", "Chat with us"]
    assert feed(site, "B") == []
    # the same again: nothing new in the feed
    again = save(browser, [
        {"name": "After-hours line", "phone": "+1 212 555 0100", "note": "17:00-23:00"},
        {"name": "Chat with us", "url": "https://chat.example.org/iop"},
    ])  # fmt: skip
    assert again.headers["location"] == "/program?done=samecontacts"
    assert len(feed(site, "A")) == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"name": "Line", "url": "javascript:alert(1)"}, "url: only https://, http://, tel:"),
        ({"name": "Line", "phone": "call me"}, "phone: a phone number of 3-15 digits"),
        ({"name": "Line\u2028two", "phone": "988"}, "name: must be one line"),
        ({"name": "L" * 101, "phone": "988"}, "name: at most 100 characters"),
        ({"name": "Line"}, "Line: give a number to call or text, or a link"),
        ({"phone": "988"}, "name: give a name"),
    ],
)
def test_a_bad_contact_is_the_form_again(
    site: Site, browser: httpx.Client, row: dict[str, str], reason: str
) -> None:
    before = feed(site, "A")
    r = save(browser, [{"name": "Good line", "phone": "988"}, row])
    assert r.status_code == 422
    assert f"Contact 2: {reason}" in unescape(r.text)
    assert 'value="Good line"' in r.text  # what was typed stays in the form
    assert feed(site, "A") == before


def test_client_text_is_escaped_and_the_form_needs_its_token(
    site: Site, browser: httpx.Client
) -> None:
    r = save(browser, [{"name": SCRIPT_MESSAGE[:100], "phone": "988"}])
    assert r.status_code == 303
    page = browser.get("/program").text
    assert "<script>" not in page and "&lt;script&gt;" in page
    forged = browser.post("/program/contacts", data={"name-0": "x", "phone-0": "988"})
    assert forged.status_code == 403
    anonymous = httpx.post(site.url + "/program/contacts", data={"name-0": "x"})
    # Signed out, a POST answers the sign-in page itself, carrying what was typed (issue 13)
    assert anonymous.status_code == 401 and 'action="/signin' in anonymous.text
