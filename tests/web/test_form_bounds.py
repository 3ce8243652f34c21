"""The dashboard's forms hold the wire models' bounds (issue 10): a bad link, a date out of
range, control characters or a make-up in the past are refused with one line, and nothing
reaches a client."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import httpx
import pytest

from tests.web.conftest import NY, Site, csrf_of, post_notice, sign_in


@pytest.fixture
def browser(site: Site) -> Any:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def series_form(browser: httpx.Client, **changes: str) -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=1)).astimezone(NY)
    form = {
        "csrf": csrf_of(browser.get("/schedule/new").text), "title": "Bounded group",
        "kind": "group", "start": start.strftime("%Y-%m-%dT%H:%M"), "duration": "60",
        "repeat": "weekly", "join_url": "https://meet.example.org/b", "facilitator": "",
    }  # fmt: skip
    return {**form, **changes}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"join_url": "javascript:alert(1)"}, "join link: must be an https:// or http:// link"),
        ({"start": "9999-01-04T18:00"}, "first session: must be a local date and time"),
        ({"duration": "99999999999999999999"}, "length: Input should be less than or equal to"),
        ({"title": "Bell\x07 group"}, "title: must be one line without control characters"),
        ({"repeat": "FREQ=SECONDLY"}, "cannot repeat more often than daily"),
        ({"repeat": "FREQ=DAILY;COUNT=99999"}, "COUNT must be between 1 and 5000"),
    ],  # fmt: skip
)
def test_the_series_form_refuses_what_the_api_refuses(
    site: Site, browser: httpx.Client, changes: dict[str, str], words: str
) -> None:
    before = browser.get("/schedule").text.count("/edit")
    r = browser.post("/schedule/new", data=series_form(browser, **changes))
    assert r.status_code == 422
    assert words in unescape(r.text)
    assert browser.get("/schedule").text.count("/edit") == before


def test_a_make_up_in_the_past_or_with_a_script_link_is_refused(
    site: Site, browser: httpx.Client
) -> None:
    notice = post_notice(site.url, site.tokens["A"], "bounds")
    csrf = csrf_of(browser.get("/inbox").text)
    base = {"csrf": csrf, "back": "/inbox", "makeup_time": "18:00", "makeup_minutes": "60",
            "text": "A slot for you."}  # fmt: skip
    cases = {
        "pastmakeup": {"makeup_date": "2020-03-02"},
        "badmakeuplink": {"makeup_date": (datetime.now(NY) + timedelta(days=3)).date().isoformat(),
                          "makeup_url": "javascript:alert(1)"},
        "badmakeup": {"makeup_date": "0001-01-01"},
    }  # fmt: skip
    for done, fields in cases.items():
        r = browser.post(f"/inbox/{notice}/reply", data={**base, **fields})
        assert r.status_code == 303 and f"done={done}" in r.headers["location"], done
    page = browser.get(f"/inbox?done=pastmakeup#notice-{notice}").text
    assert "must start in the future, within a year" in page
    r = browser.post(f"/inbox/{notice}/reply", data={"csrf": csrf, "back": "/inbox",
                                                     "text": "esc \x1b[31m"})  # fmt: skip
    assert "done=badreply" in r.headers["location"]
    replies = [c for c in changes_of(site) if c["type"] == "reply" and c["notice_id"] == notice]
    assert replies == []


def test_a_client_name_with_control_characters_is_refused(browser: httpx.Client) -> None:
    csrf = csrf_of(browser.get("/clients").text)
    r = browser.post("/clients", data={"csrf": csrf, "name": "Eve\nInjected"})
    assert r.status_code == 303 and "done=badname" in r.headers["location"]
    assert "Injected" not in browser.get("/clients").text


def changes_of(site: Site) -> list[dict]:
    r = httpx.get(site.url + "/v1/changes",
                  headers={"Authorization": f"Bearer {site.tokens['A']}"})  # fmt: skip
    return r.json()["changes"]
