"""The coordinator's day in a real Chromium against the real server, with the real client:
a notice sent with `companion notify` + `companion sync` appears in the inbox (live, without
a reload); acknowledge and reply; the client's next sync shows the reply; offer a make-up,
which reaches the client too; export the notices as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import run_cli
from tests.e2e.conftest import EMAIL, PASSWORD, LiveServer

pytestmark = pytest.mark.browser
NY = ZoneInfo("America/New_York")
MESSAGE = "Shift moved to evenings <b>this</b> week."


def client(*args: str) -> Any:
    """The real `companion` on the real clock (the server runs on it too)."""
    done = run_cli(*args, now=None)
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout) if "--json" in args else done.stdout


def sign_in(page: Any, url: str) -> None:
    page.goto(url + "/inbox")
    assert "/signin" in page.url  # signed out: sent to the sign-in page
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/inbox")


def test_a_notice_from_the_client_is_answered_in_the_browser(
    browser: Any, live_server: LiveServer
) -> None:
    url = live_server.url
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url)
    assert page.title().startswith("Inbox")

    # The coordinator puts Process Group on the schedule, starting in two days.
    first = (datetime.now(UTC) + timedelta(days=2)).astimezone(NY).replace(hour=18, minute=0)
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="New series").click()
    page.get_by_label("Title").fill("Process Group")
    page.get_by_label("First session").fill(first.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Length (minutes)").fill("180")
    page.get_by_label("Repeats").fill("weekly")
    page.get_by_role("button", name="Save").click()
    assert "Series saved" in page.inner_text("main")

    # ... adds Jordan, and reads the one-time enrolment code off the page.
    page.get_by_role("link", name="Clients").click()
    page.get_by_label("Name").fill("Jordan R.")
    page.get_by_role("button", name="Add client and show the enrolment code").click()
    code = page.inner_text("#enrol-code").strip()

    # Jordan enrols and tells the coordinator they cannot make the first session.
    client("enroll", url, code, "--device-name", "laptop")
    sessions = client("sessions", "--json")
    occurrence = next(s for s in sessions if s["title"] == "Process Group")
    page.get_by_role("link", name="Inbox").click()
    assert "No notices" in page.inner_text("#notice-list")
    said = client("notify", occurrence["id"], "--barrier", "work", "--message", MESSAGE, "--makeup")
    assert "Delivered to Evening IOP" in said or "Queued" in said
    client("sync")  # delivers it if notify could not; either way the outbox is empty now
    assert client("outbox", "--json")[0]["state"] == "delivered"

    # The open inbox picks it up by itself (live update), message shown as text.
    notice = page.locator(".notice", has_text="Jordan R.")
    notice.wait_for(timeout=15_000)
    assert MESSAGE in notice.inner_text()
    assert "make-up wanted" in notice.inner_text() and "ahead" in notice.inner_text()
    assert page.title().startswith("Inbox (1 new)")

    # Acknowledge, then reply.
    notice.get_by_role("button", name="Acknowledge").click()
    assert "Notice acknowledged" in page.inner_text("main")
    notice = page.locator(".notice", has_text="Jordan R.")
    assert "acknowledged" in notice.inner_text()
    notice.locator("summary", has_text="Reply").click()
    notice.get_by_label("Reply to Jordan R.").fill("Thanks for letting us know, Jordan.")
    notice.get_by_role("button", name="Send").click()
    assert "Reply sent" in page.inner_text("main")

    client("sync")
    replies = client("status", "--json")["replies"]
    assert any(r["text"] == "Thanks for letting us know, Jordan." for r in replies), replies

    # Offer a make-up slot: it reaches the client on the next sync.
    slot = (datetime.now(UTC) + timedelta(days=3)).astimezone(NY)
    notice = page.locator(".notice", has_text="Jordan R.")
    notice.locator("summary", has_text="make-up").click()
    notice.get_by_label("Date").fill(slot.date().isoformat())
    notice.get_by_label("Time").fill("10:30")
    notice.get_by_label("Join link").fill("https://meet.example.org/makeup")
    notice.get_by_role("button", name="Send").click()
    assert "Make-up offered" in page.inner_text("main")
    assert "make-up offered" in page.locator(".notice", has_text="Jordan R.").inner_text()

    client("sync")
    offers = [r["makeup"] for r in client("status", "--json")["replies"] if r["makeup"]]
    assert offers and offers[0]["join_url"] == "https://meet.example.org/makeup"
    start = datetime.fromisoformat(offers[0]["start"]).astimezone(NY)
    assert (start.date(), start.hour, start.minute) == (slot.date(), 10, 30)

    # Export the notices as CSV: a header row, then Jordan's notice.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    data = download_info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    assert len(rows) == 1
    assert rows[0]["client"] == "Jordan R." and rows[0]["message"] == MESSAGE
    assert rows[0]["make-up wanted"] == "yes" and rows[0]["status"] == "replied"
    context.close()
