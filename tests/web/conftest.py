"""A real server on a loopback port with two programs, for the dashboard's security tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from sync.server import admin
from sync.server.settings import default_db_url
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from tests.conftest import require_tool
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    _playwright_available,
    start_server,
    stop_server,
)
from tests.server.conftest import NO_IDLE, publish

PASSWORD = "correct horse battery staple"
SCRIPT_MESSAGE = '<script>alert("pwned")</script><b>bold</b> & <img src=x onerror=alert(1)>'


@dataclass
class Site:
    server: LiveServer
    emails: dict[str, str]
    notices: dict[str, str]  # program -> a notice id of that program
    clients: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)
    clock: Path = Path()  # the server's clock offset (tests.clockshim)

    @property
    def url(self) -> str:
        return self.server.url


NY = ZoneInfo("America/New_York")
# Both programs' schedule: a daily group at 18:00 New York, from a month ago.
GROUP = {
    "uid": "group@example",
    "title": "Process Group",
    "kind": "group",
    "tzid": "America/New_York",
    "start_local": (datetime.now(NY) - timedelta(days=30)).strftime("%Y-%m-%dT18:00:00"),
    "duration_min": 120,
    "rrule": "FREQ=DAILY",
}


def group_start(days_ahead: int = 2) -> datetime:
    """The Process Group ``days_ahead`` days from today (UTC)."""
    day = (datetime.now(NY) + timedelta(days=days_ahead)).date()
    return datetime.combine(day, time(18, 0), tzinfo=NY).astimezone(UTC)


def post_notice(url: str, token: str, message: str, *, title: str = "Process Group") -> str:
    """An advance notice about the Process Group two days from now; its id."""
    start = group_start()
    notice_id = str(uuid.uuid4())
    body = {
        "id": notice_id,
        "series_uid": GROUP["uid"],
        "original_start": start.isoformat(),
        "title": title,
        "start": start.isoformat(),
        "timing": "advance",
        "barrier": "work_school",
        "message": message,
        "makeup": True,
        "created_at": datetime.now(UTC).isoformat(),
    }
    r = httpx.post(f"{url}/v1/notices", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    return notice_id


def enrol(url: str, code: str) -> str:
    r = httpx.post(f"{url}/v1/enroll", json={"code": code, "device_name": "laptop"})
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("server")
    monkey = pytest.MonkeyPatch()
    monkey.setenv("COMPANION_SERVER_HOME", str(home))
    engine = make_engine(default_db_url())
    migrate.upgrade(engine)
    now = datetime.now(UTC)
    emails, codes, clients = {}, {}, {}
    for program, email in (("A", "a@example.org"), ("B", "b@example.org")):
        admin.create_program(engine, f"Program {program}", "America/New_York", 0.8, 3, "", now)
        admin.create_coordinator(engine, email, PASSWORD, f"Program {program}", now)
        made = admin.add_client(engine, f"Client {program}", f"Program {program}", now)
        emails[program], codes[program], clients[program] = email, made["code"], made["client_id"]
    admin.create_coordinator(engine, "locked@example.org", PASSWORD, "Program A", now)
    for program in ("Program A", "Program B"):
        publish(engine, program, now, GROUP)
    engine.dispose()
    clock = home / "clock"
    # Tests move the server's clock by hours within one session: no idle timeout here.
    server = start_server(home, "serve", "--idle-minutes", str(NO_IDLE), clock=clock)
    try:
        tokens = {p: enrol(server.url, codes[p]) for p in codes}
        notices = {
            "A": post_notice(server.url, tokens["A"], SCRIPT_MESSAGE),
            "B": post_notice(server.url, tokens["B"], "Program B's private message"),
        }
        yield Site(server, emails, notices, clients, tokens, clock)
    finally:
        stop_server(server)
        monkey.undo()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A browser-like client signed in as ``email`` (cookies kept)."""
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=10)
    form = client.get("/signin")
    r = client.post(
        "/signin", data={"email": email, "password": password, "csrf": csrf_of(form.text)}
    )
    assert r.status_code == 303, r.text
    return client


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, one per test module (the dashboard's pages in a
    real browser: layout at phone widths, what CSS hides)."""
    require_tool(_playwright_available(), "playwright is not installed")
    require_tool(Path(CHROMIUM).exists(), "chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
