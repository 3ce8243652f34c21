"""The inbox as a coordinator wants it (issue 14), against the real server: who is at
risk comes first, above the fold; a notice acted on in the "New" tab stays in place,
marked with what was done, until the next reload, and the URL never piles up markers;
one form replies, offers a make-up and attaches materials; "Export CSV" follows the
filters; the nav's count of new notices is the inbox's on every page, and no "0" shows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import sign_in_page
from tests.web.conftest import GROUP, NY, PASSWORD, Site, csrf_of, enrol, post_notice, sign_in
from tests.web.test_pages import add_client, changes, client_id_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def inbox(site: Site) -> Iterator[dict[str, Any]]:
    """Program A with "Client A" at risk (three absences without notice, recorded on the
    roster) and two new notices from "Quiet Q." besides Client A's."""
    with closing(sign_in(site.url, site.emails["A"])) as web:
        quiet_token = enrol(site.url, add_client(web, "Quiet Q."))
        quiet = [post_notice(site.url, quiet_token, f"Quiet message {n}") for n in (1, 2)]
        today = datetime.now(NY).date()
        for days in (1, 2, 3):  # the last three Process Groups: absent, no notice
            start = datetime.combine(today - timedelta(days=days), datetime.min.time(), NY)
            start = start.replace(hour=18).astimezone(UTC)
            link = (
                "/attendance/roster?"
                + httpx.QueryParams(
                    {"series": GROUP["uid"], "start": start.strftime("%Y-%m-%dT%H:%M:%SZ")}
                ).__str__()
            )
            roster = web.get(link)
            assert roster.status_code == 200, roster.text
            form = {"csrf": csrf_of(roster.text), f"c{site.clients['A']}": "absent"}
            saved = web.post(link, data=form)
            assert "done=attendance" in saved.headers["location"], saved.headers
        yield {"quiet": quiet, "quiet_id": client_id_of(web, "Quiet Q."), "token": quiet_token}


@pytest.fixture
def web(site: Site) -> Iterator[httpx.Client]:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def nav_count(html: str) -> tuple[str, bool]:
    """The nav's new-notice count and whether it is hidden."""
    found = re.search(r'<span class="count" id="new-count"( hidden)?>(\d+)</span>', html)
    assert found, "no count in the nav"
    return found.group(2), bool(found.group(1))


def notice_block(html: str, notice_id: str) -> str:
    start = html.index(f'id="notice-{notice_id}"')
    return html[start : html.index("</li>", start)]


def test_at_risk_comes_first_above_the_fold(site: Site, inbox: dict, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sign_in_page(page, site.url, site.emails["A"], PASSWORD)
    risk = page.locator("#at-risk")
    assert re.search(r"Client A \(0 of \d+, policy 80%\)", risk.inner_text())
    assert "Quiet Q." not in risk.inner_text()  # added today, nothing missed: not at risk
    box = risk.bounding_box()
    first_notice = page.locator(".notice").first.bounding_box()
    assert box is not None and first_notice is not None
    assert box["y"] + box["height"] <= 720  # on screen without scrolling
    assert box["y"] < first_notice["y"]  # before the notices, not after the last of them
    page.set_viewport_size({"width": 390, "height": 844})
    box = risk.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844
    context.close()


def test_acting_in_the_new_tab_leaves_the_notice_marked_until_the_next_reload(
    site: Site, web: httpx.Client, inbox: dict
) -> None:
    first, second = inbox["quiet"]
    new_tab = web.get("/inbox?status=new").text
    assert f'id="notice-{first}"' in new_tab and f'id="notice-{second}"' in new_tab
    acked = web.post(
        f"/inbox/{first}/ack", data={"csrf": csrf_of(new_tab), "back": "/inbox?status=new"}
    )
    assert acked.status_code == 303
    landing = acked.headers["location"]
    assert landing == f"/inbox?status=new&done=acknowledged#notice-{first}"
    shown = web.get(landing).text
    assert "Notice acknowledged." in shown
    block = notice_block(shown, first)
    assert "✓ acknowledged just now" in block and "acknowledged</span>" in block
    # The reload shows the "New" tab as it is: the acknowledged notice has left it.
    again = web.get(landing).text
    assert f'id="notice-{first}"' not in again and f'id="notice-{second}"' in again

    # A reply from that landing page: one done= in the URL, never done=a&done=b.
    csrf = csrf_of(again)
    back = unescape(re.search(r'name="back" value="([^"]+)"', again).group(1))  # type: ignore[union-attr]
    assert "done=" not in back
    replied = web.post(
        f"/inbox/{second}/reply",
        data={"csrf": csrf, "back": "/inbox?status=new&done=acknowledged&done=makeup",
              "text": "Thanks for telling us."},
    )  # fmt: skip
    landing = replied.headers["location"]
    assert parse_qs(urlsplit(landing).query) == {"status": ["new"], "done": ["replied"]}
    block = notice_block(web.get(landing).text, second)
    assert "✓ replied just now" in block and "Thanks for telling us." in block
    assert f'id="notice-{second}"' not in web.get(landing).text


def test_one_form_replies_offers_a_make_up_and_attaches_materials(
    site: Site, web: httpx.Client, inbox: dict
) -> None:
    notice = site.notices["A"]
    html = web.get("/inbox").text
    block = notice_block(html, notice)
    assert block.count("<form") == 2  # acknowledge, and the one form for the rest
    slot = (datetime.now(NY) + timedelta(days=3)).date()
    sent = web.post(
        f"/inbox/{notice}/reply",
        data={
            "csrf": csrf_of(html), "back": "/inbox", "text": "Here is a make-up and the handout.",
            "makeup_date": slot.isoformat(), "makeup_time": "10:30", "makeup_minutes": "60",
            "makeup_url": "https://meet.example.org/makeup",
            "kind": "handout", "title": "Week 3 handout", "url": "https://example.org/w3.pdf",
        },
    )  # fmt: skip
    assert sent.status_code == 303
    page = web.get(sent.headers["location"]).text
    assert "Make-up offered and materials attached" in page
    assert "✓ replied, make-up offered, materials attached just now" in notice_block(page, notice)
    feed = changes(site, site.tokens["A"])
    [reply] = [c for c in feed if c["type"] == "reply" and c["notice_id"] == notice]
    assert reply["text"] == "Here is a make-up and the handout."
    assert reply["makeup"]["join_url"] == "https://meet.example.org/makeup"
    assert [m["title"] for m in feed if m["type"] == "material"] == ["Week 3 handout"]

    # A refused part refuses the whole form: nothing half-sent.
    bad = web.post(
        f"/inbox/{notice}/reply",
        data={"csrf": csrf_of(page), "back": "/inbox", "text": "Only this?",
              "title": "Broken", "url": "not a link"},
    )  # fmt: skip
    assert "done=badlink" in bad.headers["location"]
    after = changes(site, site.tokens["A"])
    assert not [c for c in after if c["type"] == "reply" and c.get("text") == "Only this?"]


def test_export_csv_follows_the_status_and_client_filters(
    site: Site, web: httpx.Client, inbox: dict
) -> None:
    quiet = inbox["quiet_id"]
    html = web.get(f"/inbox?status=acknowledged&client={quiet}").text
    link = unescape(re.search(r'href="([^"]+)">Export CSV', html).group(1))  # type: ignore[union-attr]
    assert parse_qs(urlsplit(link).query) == {"status": ["acknowledged"], "client": [str(quiet)]}
    got = web.get(link)
    assert got.status_code == 200
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"), newline="")))
    assert [(r["client"], r["status"], r["notice id"]) for r in rows] == [
        ("Quiet Q.", "acknowledged", inbox["quiet"][0])
    ]
    everything = web.get("/export/notices.csv").content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(everything, newline="")))) == 3
    assert web.get("/export/notices.csv?status=bogus").status_code == 422


PAGES = ["/inbox", "/clients", "/attendance", "/schedule", "/schedule/new", "/export",
         "/team", "/program", "/audit", "/clients/999999"]  # fmt: skip


def test_every_page_counts_new_notices_like_the_inbox_and_never_shows_zero(
    site: Site, web: httpx.Client, inbox: dict, chromium: Any
) -> None:
    fresh = post_notice(site.url, inbox["token"], "One more")
    expected = re.search(r"\((\d+) new\)", web.get("/inbox").text).group(1)  # type: ignore[union-attr]
    assert expected == "1"
    for path in PAGES:
        assert nav_count(web.get(path).text) == ("1", False), path
    html = web.get("/inbox").text
    web.post(f"/inbox/{fresh}/ack", data={"csrf": csrf_of(html), "back": "/inbox"})
    for path in PAGES:
        assert nav_count(web.get(path).text) == ("0", True), path

    # The browser hides the hidden count (the stylesheet's inline-block once beat it).
    context = chromium.new_context()
    page = context.new_page()
    sign_in_page(page, site.url, site.emails["A"], PASSWORD)
    assert not page.locator("#new-count").is_visible()
    assert page.eval_on_selector("#new-count", "e => getComputedStyle(e).display") == "none"
    assert "0" not in page.locator("header.top nav").inner_text()
    context.close()


def test_a_client_added_today_is_not_on_yesterdays_roster_nor_counted_absent(
    site: Site, web: httpx.Client, inbox: dict
) -> None:
    yesterday = datetime.combine(
        datetime.now(NY).date() - timedelta(days=1), datetime.min.time(), NY
    )
    start = yesterday.replace(hour=18).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    roster = web.get(f"/attendance/roster?series={GROUP['uid']}&start={start}").text
    assert ">Client A</td>" in roster  # recorded absent there: they stay on it
    assert "Quiet Q." not in roster  # added today: that session was before their time
    clients = web.get("/clients").text
    row = clients[clients.index(">Quiet Q.</a>") :].split("</tr>")[0]
    assert "on track" in row and "0 of 3" in row  # no unexcused absence from before
