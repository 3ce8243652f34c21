"""Make-ups in the dashboard, in a real Chromium against the real server (issue 14): the
coordinator offers two slots on one reply, the client picks the second; the notice shows
the acceptance, the make-up's roster lists the client, and marking them present there
turns the original absence into made up on the original session's roster."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests import clockshim
from tests.e2e.conftest import (  # noqa: F401  (fixtures)
    EMAIL,
    PASSWORD,
    LiveServer,
    browser,
    program_home,
    server_json,
    sign_in_page,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.browser
NY = ZoneInfo("America/New_York")


@pytest.fixture
def clocked(program_home: Path) -> Iterator[tuple[LiveServer, Path]]:  # noqa: F811
    clock = program_home / "clock"
    clockshim.set_now(clock, datetime.now(UTC))
    server = start_server(program_home, "serve", clock=clock)
    yield server, clock
    stop_server(server)


def api_token(url: str) -> dict[str, str]:
    r = httpx.post(url + "/v1/coordinator/login", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def sign_in(page: Any, url: str) -> None:
    sign_in_page(page, url, EMAIL, PASSWORD, start="/inbox")


def test_the_acceptance_the_roster_and_made_up(
    browser: Any,  # noqa: F811
    clocked: tuple[LiveServer, Path],
    program_home: Path,  # noqa: F811
) -> None:
    server, clock = clocked
    url = server.url
    today = datetime.now(NY).date()
    yesterday = datetime.combine(today - timedelta(days=1), datetime.min.time().replace(hour=9),
                                 tzinfo=NY)  # fmt: skip
    h = api_token(url)
    group = {"uid": "group@evening.test", "title": "Process Group", "kind": "group",
             "tzid": "America/New_York", "start_local": yesterday.strftime("%Y-%m-%dT09:00:00"),
             "duration_min": 60, "rrule": "FREQ=DAILY"}  # fmt: skip
    assert httpx.post(url + "/v1/coordinator/series", json=group, headers=h).status_code == 201
    made = server_json("add-client", "Jordan R.", home=program_home)
    enrolled = httpx.post(url + "/v1/enroll", json={"code": made["code"], "device_name": "l"})
    device = {"Authorization": f"Bearer {enrolled.json()['token']}"}
    missed = yesterday.astimezone(UTC)
    notice = {"id": str(uuid.uuid4()), "series_uid": group["uid"],
              "original_start": missed.isoformat(), "title": "Process Group",
              "start": missed.isoformat(), "timing": "after", "barrier": "technical",
              "message": "", "makeup": True,
              "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
    assert httpx.post(url + "/v1/notices", json=notice, headers=device).status_code == 201

    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url)
    card = page.locator(f"#notice-{notice['id']}")
    assert "make-up wanted" in card.inner_text()
    card.locator("summary", has_text="Reply, make-up, materials").click()
    first, second = today + timedelta(days=2), today + timedelta(days=3)
    card.get_by_label("Date").fill(first.isoformat())
    card.get_by_label("Time (").fill("17:00")
    card.get_by_label("Slot 2 day").fill(second.isoformat())
    card.get_by_label("Slot 2 start").fill("19:00")
    card.get_by_role("button", name="Send").click()
    card = page.locator(f"#notice-{notice['id']}")
    assert "1) " in card.inner_text() and "2) " in card.inner_text()
    assert "make-up wanted" not in card.inner_text()  # offered: the badge is gone

    changes = httpx.get(url + "/v1/changes", headers=device).json()["changes"]
    [reply] = [c for c in changes if c["type"] == "reply"]
    choice = {"id": str(uuid.uuid4()), "reply_id": reply["id"], "slot": 2,
              "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
    r = httpx.post(url + "/v1/makeup-choices", json=choice, headers=device)
    assert r.status_code == 201, r.text

    page.reload()
    card = page.locator(f"#notice-{notice['id']}")
    assert "client accepted slot 2" in card.inner_text()
    # The make-up is over (the server's clock moves on): its roster lists Jordan.
    clockshim.set_now(clock, datetime.now(UTC) + timedelta(days=4))
    page.context.clear_cookies()
    sign_in(page, url)
    page.locator(f"#notice-{notice['id']}").get_by_role("link", name="roster").click()
    assert "Jordan R." in page.inner_text("main")
    page.get_by_label("Jordan R. attended").check()
    page.get_by_role("button", name="Save attendance").click()
    assert "attended" in page.locator("tbody").inner_text()
    # The original session's roster: made up, recorded by the coordinator.
    start = missed.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    query = httpx.QueryParams({"series": group["uid"], "start": start})
    page.goto(f"{url}/attendance/roster?{query}")
    row = page.locator("tr", has_text="Jordan R.").inner_text()
    assert "made up" in row and EMAIL in row
