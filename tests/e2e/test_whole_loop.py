"""The whole loop between a client and their program (issue 14), with every part real: the
`companion` client in subprocesses, `companion-server serve`, Debian's Chromium for the
coordinator and aiosmtpd as the program's mail server.

A client misses a group and tells their coordinator; an email about it lands in the mail
server; the coordinator replies from the inbox with two make-up slots and a handout in one
form; the client syncs, finds the handout on the session's checklist, picks the second slot
and syncs again; the dashboard shows the acceptance; the make-up's roster lists the client;
marking them present there turns the original absence into made up on the dashboard and,
after the next sync, in the client's own attendance; the client's calendar feed carries the
make-up under one stable UID."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from companion.domain.notices import makeup_uid
from tests import clockshim
from tests.conftest import run_cli
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
from tests.smtp import Smtp

pytestmark = pytest.mark.browser
NY = ZoneInfo("America/New_York")
GROUP_UID = "group@evening.test"


def eventually(check: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("it never happened")
        time.sleep(0.1)


def client(*args: str) -> str:
    """Run the real `companion` on the real clock; its output (it must succeed)."""
    done = run_cli(*args, now=None)
    assert done.returncode == 0, f"companion {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    from tests.e2e.conftest import free_port

    s = Smtp(free_port()).start()
    yield s
    s.stop()


@pytest.fixture
def mailing_server(
    program_home: Path,  # noqa: F811
    smtp: Smtp,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[LiveServer, Path]]:
    """The program server on the real clock (moved at will), mailing to ``smtp``."""
    monkeypatch.setenv("COMPANION_SERVER_MAIL_POLL_MS", "100")
    monkeypatch.setenv("COMPANION_SERVER_MAIL_DIGEST_HOUR", "24")  # only the notice alerts
    clock = program_home / "clock"
    clockshim.set_now(clock, datetime.now(UTC))
    server = start_server(
        program_home, "serve", "--smtp-url", f"smtp://127.0.0.1:{smtp.port}",
        "--mail-from", "alerts@evening.test", clock=clock,
    )  # fmt: skip
    yield server, clock
    stop_server(server)


def yesterdays_group() -> datetime:
    day = datetime.now(NY).date() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=NY)


def occurrence_id(day: date) -> str:
    """The client's id of the Process Group on ``day`` (from `companion sessions`)."""
    listed = json.loads(client("sessions", "--from", day.isoformat(), "--to",
                               day.isoformat(), "--json"))  # fmt: skip
    [found] = [s for s in listed if s["title"] == "Process Group"]
    return found["id"]


def test_notice_email_reply_choice_roster_made_up_and_feed(
    browser: Any,  # noqa: F811
    mailing_server: tuple[LiveServer, Path],
    program_home: Path,  # noqa: F811
    smtp: Smtp,
) -> None:
    server, clock = mailing_server
    url = server.url
    missed = yesterdays_group()
    login = httpx.post(url + "/v1/coordinator/login", json={"email": EMAIL, "password": PASSWORD})
    h = {"Authorization": f"Bearer {login.json()['token']}"}
    group = {"uid": GROUP_UID, "title": "Process Group", "kind": "group",
             "tzid": "America/New_York", "start_local": missed.strftime("%Y-%m-%dT%H:%M:%S"),
             "duration_min": 60, "rrule": "FREQ=DAILY"}  # fmt: skip
    assert httpx.post(url + "/v1/coordinator/series", json=group, headers=h).status_code == 201

    # The client enrols, misses yesterday's group and says why (queued, then delivered).
    code = server_json("add-client", "Jordan R.", home=program_home)["code"]
    enrolled = client("enroll", url, code, "--device-name", "laptop")
    feed_url = re.search(r"Calendar subscription: (\S+)", enrolled).group(1)  # type: ignore[union-attr]
    wednesday = occurrence_id(missed.date())
    client("mark", wednesday, "missed")
    told = client("notify", wednesday, "--barrier", "technical", "--makeup",
                  "--message", "My laptop died")  # fmt: skip
    assert "Delivered" in told, told  # online: it goes at once
    assert "Up to date" in client("sync")

    # The coordinator hears of it by email once the batching window closes: a count only.
    clockshim.set_now(clock, datetime.now(UTC) + timedelta(minutes=6))
    eventually(lambda: len(smtp.messages) == 1)
    [mail] = smtp.messages
    assert mail["To"] == EMAIL
    assert mail["Subject"] == "1 new absence notice at Evening IOP: sign in to read them"
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "laptop" not in body and "Jordan" not in body

    # One form: a reply, two make-up slots and a handout.
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    sign_in_page(page, url, EMAIL, PASSWORD, start="/inbox")
    [sent] = httpx.get(url + "/v1/coordinator/notices", headers=h).json()
    card = page.locator(f"#notice-{sent['id']}")
    assert "make-up wanted" in card.inner_text() and "My laptop died" in card.inner_text()
    card.locator("summary", has_text="Reply, make-up, materials").click()
    today = datetime.now(NY).date()
    first, second = today + timedelta(days=2), today + timedelta(days=3)
    card.get_by_label("Reply to Jordan R.").fill("Sorry about the laptop. Pick a make-up?")
    card.get_by_label("Date").fill(first.isoformat())
    card.get_by_label("Time (").fill("17:00")
    card.get_by_label("Slot 2 day").fill(second.isoformat())
    card.get_by_label("Slot 2 start").fill("19:00")
    card.locator("select[name=kind]").select_option("handout")
    card.locator("input[name=title]").fill("Group handout")
    card.locator("input[name=url]").fill("https://files.example.org/group.pdf")
    card.get_by_role("button", name="Send").click()
    card = page.locator(f"#notice-{sent['id']}")
    assert "make-up wanted" not in card.inner_text()
    assert "Group handout" in card.inner_text()

    # The client syncs: the reply, its slots and the handout on the session's checklist.
    client("sync")
    checklists = json.loads(client("catchup", "--json"))
    [theirs] = [c for c in checklists if c["title"] == "Process Group"]
    links = {i["link"] for i in theirs["items"] if i.get("link")}
    assert "https://files.example.org/group.pdf" in links
    status = client("status")
    assert "Sorry about the laptop" in status
    reply_id = int(re.search(r"accept-makeup (\d+) 1", status).group(1))  # type: ignore[union-attr]
    picked = client("accept-makeup", str(reply_id), "2")
    assert f"{second:%a %d %b} 19:00" in picked
    client("sync")

    # The dashboard says so; the make-up's roster lists the client once it is over.
    page.reload()
    assert "client accepted slot 2" in page.locator(f"#notice-{sent['id']}").inner_text()
    clockshim.set_now(clock, datetime.now(UTC) + timedelta(days=4))
    page.context.clear_cookies()
    sign_in_page(page, url, EMAIL, PASSWORD, start="/inbox")
    page.locator(f"#notice-{sent['id']}").get_by_role("link", name="roster").click()
    assert "Jordan R." in page.inner_text("main")
    page.get_by_label("Jordan R. attended").check()
    page.get_by_role("button", name="Save attendance").click()
    assert "attended" in page.locator("tbody").inner_text()
    start = missed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    page.goto(f"{url}/attendance/roster?{httpx.QueryParams({'series': GROUP_UID, 'start': start})}")
    row = page.locator("tr", has_text="Jordan R.").inner_text()
    assert "made up" in row and EMAIL in row

    # Made up on the client's side too, and the feed carries the make-up once.
    client("sync")
    listed = json.loads(client("sessions", "--from", missed.date().isoformat(), "--to",
                               missed.date().isoformat(), "--json"))  # fmt: skip
    [original] = [s for s in listed if s["title"] == "Process Group"]
    assert original["status"] == "made_up"
    ics = httpx.get(feed_url, timeout=10).text
    assert ics.count(f"UID:{makeup_uid(reply_id)}") == 1
    assert f"{second:%Y%m%d}T190000" in ics
