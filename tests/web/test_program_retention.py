"""The Program page's retention windows: an admin sees and changes them; a value outside
the bounds is the form again with the reason, never stored; a change is audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from sqlalchemy import select

from sync.server.storage.engine import make_engine
from sync.server.storage.tables import audit, programs
from tests.web.conftest import Site, csrf_of, sign_in


@pytest.fixture
def browser(site: Site) -> Iterator[httpx.Client]:
    with closing(sign_in(site.url, site.emails["A"])) as client:
        yield client


def windows(html: str) -> tuple[str, str]:
    found = dict(re.findall(r'name="(notices_days|audit_days)" value="([^"]*)"', html))
    return found["notices_days"], found["audit_days"]


def save(browser: httpx.Client, notices_days: str, audit_days: str) -> httpx.Response:
    data = {"csrf": csrf_of(browser.get("/program").text), "notices_days": notices_days,
            "audit_days": audit_days}  # fmt: skip
    return browser.post("/program/retention", data=data)


def db(site: Site) -> str:
    return f"sqlite:///{site.server.home / 'server.sqlite3'}"


def stored(site: Site, name: str) -> tuple[int, int]:
    engine = make_engine(db(site))
    with engine.connect() as conn:
        row = conn.execute(
            select(programs.c.retain_notices_days, programs.c.retain_audit_days).where(
                programs.c.name == name)
        ).one()  # fmt: skip
    engine.dispose()
    return row[0], row[1]


def test_retention_is_shown_changed_and_audited(site: Site, browser: httpx.Client) -> None:
    assert windows(browser.get("/program").text) == ("730", "2190")
    r = save(browser, "365", "2555")
    assert r.status_code == 303 and r.headers["location"] == "/program?done=retention"
    page = browser.get(r.headers["location"]).text
    assert "Retention saved: the next daily purge follows it." in page
    assert windows(page) == ("365", "2555")
    assert stored(site, "Program A") == (365, 2555) and stored(site, "Program B") == (730, 2190)
    assert save(browser, "365", "2555").headers["location"] == "/program?done=sameretention"
    engine = make_engine(db(site))
    with engine.connect() as conn:
        details = conn.execute(
            select(audit.c.detail).where(audit.c.action == "program.changed")
        ).scalars().all()  # fmt: skip
    engine.dispose()
    assert details == ["retention: notices 365 days, audit 2555 days"]


@pytest.mark.parametrize(
    ("notices_days", "audit_days", "reason"),
    [
        ("7", "2190", "Notices and replies must be between 30 and 36500 days"),
        ("730", "99999", "The audit trail must be between 30 and 36500 days"),
        ("two years", "2190", "Notices and replies: give a whole number of days"),
        ("", "2190", "Notices and replies: give a whole number of days"),
    ],
)
def test_a_bad_window_is_the_form_again(site: Site, browser: httpx.Client, notices_days: str,
                                        audit_days: str, reason: str) -> None:  # fmt: skip
    before = stored(site, "Program A")
    r = save(browser, notices_days, audit_days)
    assert r.status_code == 422
    assert reason in r.text and 'role="alert"' in r.text
    assert windows(r.text) == (notices_days, audit_days)  # what was typed, to correct
    assert stored(site, "Program A") == before
