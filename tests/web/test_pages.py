"""What a coordinator does on the dashboard reaches clients (changes feed, enrolment),
over HTTP against the real server: rosters, materials, schedule edits and cancellations,
adding and revoking clients, inbox filters and paging, CSV export, the live-update poll."""

from __future__ import annotations

import csv
import io
import re
from contextlib import closing
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.clockshim import set_offset
from tests.web.conftest import Site, csrf_of, enrol, post_notice, sign_in

NY = ZoneInfo("America/New_York")


@pytest.fixture
def browser(site: Site) -> Any:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def changes(site: Site, token: str) -> list[dict]:
    r = httpx.get(site.url + "/v1/changes", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()["changes"]


def add_client(browser: httpx.Client, name: str) -> str:
    token = csrf_of(browser.get("/clients").text)
    added = browser.post("/clients", data={"csrf": token, "name": name})
    assert added.status_code == 303  # POST, redirect, GET: the client's page shows the code
    page = browser.get(added.headers["location"])
    assert page.status_code == 200 and name in page.text
    return re.search(r'id="enrol-code">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]


def add_series(browser: httpx.Client, title: str, start: datetime, repeat: str = "daily") -> str:
    token = csrf_of(browser.get("/schedule/new").text)
    r = browser.post("/schedule/new", data={
        "csrf": token, "title": title, "kind": "group", "duration": "60", "repeat": repeat,
        "start": start.astimezone(NY).strftime("%Y-%m-%dT%H:%M"), "join_url": "", "facilitator": "",
    })  # fmt: skip
    assert r.status_code == 303, r.text
    schedule = browser.get("/schedule").text
    block = schedule[schedule.index(title) :]
    return unquote(unescape(re.search(r'href="/schedule/([^"]+)/edit"', block).group(1)))  # type: ignore[union-attr]


def client_id_of(browser: httpx.Client, name: str) -> int:
    page = browser.get("/clients").text
    return int(re.search(rf'href="/clients/(\d+)">{re.escape(name)}<', page).group(1))  # type: ignore[union-attr]


def test_a_roster_is_the_record_and_an_advance_notice_makes_an_absence_excused(
    site: Site, browser: httpx.Client
) -> None:
    start = (datetime.now(UTC) + timedelta(hours=2)).astimezone(NY).replace(second=0, microsecond=0)
    uid = add_series(browser, "Roster group", start, repeat="once")
    told, silent = enrol(site.url, add_client(browser, "Told R.")), None
    silent = enrol(site.url, add_client(browser, "Silent S."))
    original = start.astimezone(UTC)
    body = {
        "id": "7d0c7f8e-0000-4000-8000-000000000001", "series_uid": uid,
        "original_start": original.isoformat(), "title": "Roster group",
        "start": original.isoformat(), "timing": "advance", "barrier": "health",
        "created_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    r = httpx.post(f"{site.url}/v1/notices", json=body, headers={"Authorization": f"Bearer {told}"})
    assert r.status_code == 201 and r.json()["timing"] == "advance"  # two hours ahead
    week = browser.get(f"/attendance?week={start.date().isoformat()}").text
    row = week[week.index(">Roster group") :]
    roster_link = unescape(re.search(r'href="(/attendance/roster\?[^"]+)"', row).group(1))  # type: ignore[union-attr]
    roster = browser.get(roster_link).text
    told_row = roster[roster.index(">Told R.</td>") :].split("</tr>")[0]
    assert "advance notice" in told_row
    told_id, silent_id = client_id_of(browser, "Told R."), client_id_of(browser, "Silent S.")
    form = {"csrf": csrf_of(roster), f"c{told_id}": "absent", f"c{silent_id}": "absent"}
    early = browser.post(roster_link, data=form)  # the session has not started yet
    assert "done=notyet" in early.headers["location"]
    assert "once the session has started" in browser.get(early.headers["location"]).text
    set_offset(site.clock, timedelta(hours=3))  # the server's clock: after the session
    try:
        r = browser.post(roster_link, data=form)
    finally:
        set_offset(site.clock, timedelta(0))
    assert r.status_code == 303
    saved = browser.get(r.headers["location"]).text
    assert "Attendance saved" in saved and "excused" in saved and ">absent <span" in saved
    [mine] = [c for c in changes(site, told) if c["type"] == "attendance"]
    assert mine["status"] == "excused" and mine["series_uid"] == uid
    [theirs] = [c for c in changes(site, silent) if c["type"] == "attendance"]
    assert theirs["status"] == "missed"
    csv_text = browser.get(f"/export/attendance.csv?from={start.date()}&to={start.date()}").text
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert {(r["client"], r["status"]) for r in rows} >= {
        ("Told R.", "excused"),
        ("Silent S.", "missed"),
    }
    assert all(r["session"] == "Roster group" for r in rows)


def test_materials_reach_every_client_of_the_session(site: Site, browser: httpx.Client) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    uid = add_series(browser, "Materials group", start, repeat="once")
    one = enrol(site.url, add_client(browser, "One M."))
    two = enrol(site.url, add_client(browser, "Two M."))
    original = datetime.fromisoformat(
        next(c for c in changes(site, one) if c["type"] == "series" and c["series"]["uid"] == uid)[
            "series"]["start_local"]).replace(tzinfo=NY).astimezone(UTC)  # fmt: skip
    body = {
        "id": "7d0c7f8e-0000-4000-8000-000000000002", "series_uid": uid,
        "original_start": original.isoformat(), "title": "Materials group",
        "start": original.isoformat(), "timing": "advance", "barrier": "technical",
        "created_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    assert httpx.post(f"{site.url}/v1/notices", json=body,
                      headers={"Authorization": f"Bearer {one}"}).status_code == 201  # fmt: skip
    token = csrf_of(browser.get("/inbox").text)
    r = browser.post(f"/inbox/{body['id']}/materials", data={
        "csrf": token, "kind": "handout", "title": "Week 3 handout",
        "url": "https://example.org/week3.pdf", "back": "/inbox",
    })  # fmt: skip
    assert r.status_code == 303 and "done=materials" in r.headers["location"]
    for token_ in (one, two):
        [material] = [c for c in changes(site, token_) if c["type"] == "material"]
        assert material["title"] == "Week 3 handout" and material["kind"] == "handout"
    bad = browser.post(f"/inbox/{body['id']}/materials", data={
        "csrf": token, "title": "x", "url": "javascript:alert(1)", "back": "/inbox"})  # fmt: skip
    assert "done=badlink" in bad.headers["location"]


def test_schedule_edits_and_cancellations_reach_clients(site: Site, browser: httpx.Client) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    uid = add_series(browser, "Evening group", start, repeat="Mon, Wed, Fri")
    device = enrol(site.url, add_client(browser, "Sched S."))
    edit = browser.get(f"/schedule/{quote(uid, safe='')}/edit").text
    form = {
        "csrf": csrf_of(edit), "title": "Evening process group", "kind": "group",
        "start": start.astimezone(NY).strftime("%Y-%m-%dT%H:%M"), "duration": "90",
        "repeat": "Mon, Wed, Fri", "join_url": "https://meet.example.org/g", "facilitator": "",
    }  # fmt: skip
    assert browser.post(f"/schedule/{quote(uid, safe='')}/edit", data=form).status_code == 303
    schedule = browser.get("/schedule").text
    value = re.search(r'<option value="([^"]+)">', schedule[schedule.index("Evening process") :])
    r = browser.post(f"/schedule/{quote(uid, safe='')}/cancel", data={"csrf": form["csrf"],
                     "original_start": value.group(1), "confirm": "yes"})  # type: ignore[union-attr]  # fmt: skip
    assert r.status_code == 303
    mine = [c["series"] for c in changes(site, device) if c["type"] == "series"
            and c["series"]["uid"] == uid]  # fmt: skip
    assert mine[-1]["title"] == "Evening process group" and mine[-1]["duration_min"] == 90
    assert [o["cancelled"] for o in mine[-1]["overrides"]] == [True]
    assert mine[-1]["sequence"] > mine[0]["sequence"]
    bad = browser.post(
        f"/schedule/{quote(uid, safe='')}/edit", data={**form, "repeat": "every blue moon"}
    )
    assert bad.status_code == 422 and "cannot read repeat" in unescape(bad.text)


def test_a_new_clients_code_enrols_and_revoking_signs_them_out(
    site: Site, browser: httpx.Client
) -> None:
    code = add_client(browser, "New N.")
    token = enrol(site.url, code)
    cid = client_id_of(browser, "New N.")
    page = browser.get(f"/clients/{cid}").text
    assert "laptop" in page
    asked = browser.get(f"/clients/{cid}/revoke")
    assert asked.status_code == 200 and "Revoke access for New N.?" in asked.text
    r = browser.post(f"/clients/{cid}/revoke", data={"csrf": csrf_of(asked.text), "confirm": "yes"})
    assert r.status_code == 303
    assert "revoked" in browser.get(r.headers["location"]).text
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(site.url + "/v1/changes", headers=auth).status_code == 401


def test_inbox_pages_and_filters(site: Site, browser: httpx.Client) -> None:
    token = enrol(site.url, add_client(browser, "Pager P."))
    cid = client_id_of(browser, "Pager P.")
    ids = [post_notice(site.url, token, f"note {n}") for n in range(30)]
    first = browser.get(f"/inbox?client={cid}").text
    shown = re.findall(r'id="notice-([0-9a-f-]+)"', first)
    assert len(shown) == 25 and shown[0] == ids[-1]  # newest first
    older = unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))  # type: ignore[union-attr]
    rest = re.findall(r'id="notice-([0-9a-f-]+)"', browser.get(older).text)
    assert set(shown) | set(rest) == set(ids) and not set(shown) & set(rest)
    ack = csrf_of(first)
    browser.post(f"/inbox/{ids[0]}/ack", data={"csrf": ack})
    acknowledged = browser.get(f"/inbox?client={cid}&status=acknowledged").text
    assert re.findall(r'id="notice-([0-9a-f-]+)"', acknowledged) == [ids[0]]
    tomorrow = (datetime.now(NY) + timedelta(days=1)).date().isoformat()
    assert "No notices match" in browser.get(f"/inbox?client={cid}&from={tomorrow}").text


def test_live_poll_changes_when_a_notice_arrives(site: Site, browser: httpx.Client) -> None:
    before = browser.get("/inbox/latest").json()
    post_notice(site.url, site.tokens["A"], "one more")
    after = browser.get("/inbox/latest").json()
    assert after["latest"] != before["latest"] and after["new"] == before["new"] + 1


def test_notices_csv_escapes_formulas(site: Site, browser: httpx.Client) -> None:
    post_notice(site.url, site.tokens["A"], '=HYPERLINK("http://evil.example","click")')
    r = browser.get("/export/notices.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["received", "client", "session"]
    messages = [row[rows[0].index("message")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in messages
    assert not any(m.startswith(("=", "+", "-", "@")) for m in messages)
