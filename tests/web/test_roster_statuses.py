"""Rosters with every status (issue 14), over HTTP against the real server: a recorded
absence reads "absent" with who recorded it, a cancelled session's roster says cancelled
for everyone and takes no attendance, and a make-up a client picked is on the week's
attendance page with its own roster of that one client."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import quote

import httpx
import pytest

from companion.domain.notices import makeup_uid
from sync.server.storage.tables import stamp
from tests.web.conftest import GROUP, NY, PASSWORD, Site, csrf_of, sign_in
from tests.web.test_pages import add_series, changes


@pytest.fixture
def web(site: Site) -> Iterator[httpx.Client]:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def roster_link(uid: str, start: datetime) -> str:
    return "/attendance/roster?" + str(httpx.QueryParams({"series": uid, "start": stamp(start)}))


def row_of(html: str, name: str) -> str:
    return html[html.index(f">{name}</td>") :].split("</tr>")[0]


def test_a_recorded_absence_reads_absent_with_who_recorded_it(
    site: Site, web: httpx.Client
) -> None:
    day = datetime.now(NY).date() - timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 18, tzinfo=NY).astimezone(UTC)
    link = roster_link(GROUP["uid"], start)
    form = {"csrf": csrf_of(web.get(link).text), f"c{site.clients['A']}": "absent"}
    assert web.post(link, data=form).status_code == 303
    row = row_of(web.get(link).text, "Client A")
    assert ">absent <span" in row and site.emails["A"] in row
    assert "missed" not in row  # the client's word; the program says absent


def test_a_cancelled_sessions_roster_says_so_and_takes_no_attendance(
    site: Site, web: httpx.Client
) -> None:
    start = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    uid = add_series(web, "Cancelled group", start)
    schedule = web.get("/schedule").text
    value = re.search(r'<option value="([^"]+)">', schedule[schedule.index("Cancelled group") :])
    assert value is not None
    cancel = web.post(f"/schedule/{quote(uid, safe='')}/cancel", data={
        "csrf": csrf_of(schedule), "original_start": unescape(value.group(1)), "confirm": "yes",
    })  # fmt: skip
    assert cancel.status_code == 303
    week = web.get(f"/attendance?week={start.astimezone(NY).date().isoformat()}").text
    line = week[week.index("Cancelled group") :].split("</tr>")[0]
    assert "cancelled" in line and "Roster" not in line
    roster = web.get(roster_link(uid, start)).text
    assert "there is no attendance to record" in roster
    assert 'type="radio"' not in roster and "Save attendance" not in roster
    assert ">cancelled" in row_of(roster, "Client A")


def test_a_picked_makeup_has_a_row_on_the_week_page_and_its_own_roster(
    site: Site, web: httpx.Client
) -> None:
    login = httpx.post(site.url + "/v1/coordinator/login",
                       json={"email": site.emails["A"], "password": PASSWORD})  # fmt: skip
    coordinator = {"Authorization": f"Bearer {login.json()['token']}"}
    slot_day = datetime.now(NY).date() + timedelta(days=3)
    slot = datetime(slot_day.year, slot_day.month, slot_day.day, 16, tzinfo=NY).astimezone(UTC)
    offer = {"text": "A make-up?", "makeups": [{
        "start": slot.isoformat(), "end": (slot + timedelta(hours=1)).isoformat(),
        "title": "Make-up group"}]}  # fmt: skip
    r = httpx.post(f"{site.url}/v1/coordinator/notices/{site.notices['A']}/reply",
                   json=offer, headers=coordinator)  # fmt: skip
    assert r.status_code in (200, 201), r.text
    week_url = f"/attendance?week={slot_day.isoformat()}"
    assert "Make-up group" not in web.get(week_url).text  # offered, not picked: no roster yet
    [reply] = [c for c in changes(site, site.tokens["A"]) if c["type"] == "reply"
               and c.get("makeup")]  # fmt: skip
    choice = {"id": str(uuid.uuid4()), "reply_id": reply["id"], "slot": 1,
              "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
    device = {"Authorization": f"Bearer {site.tokens['A']}"}
    assert (
        httpx.post(site.url + "/v1/makeup-choices", json=choice, headers=device).status_code == 201
    )
    week = web.get(week_url).text
    line = week[week.index("Make-up group") :].split("</tr>")[0]
    assert "make-up" in line and "for Client A" in line and "0 of 1" in line
    link = roster_link(makeup_uid(reply["id"]), slot)
    assert unescape(link) in unescape(line)
    roster = web.get(link).text
    assert "Client A" in roster and "Client B" not in roster
    assert roster.count("<tr>") == 2  # the header and the one client who picked it
