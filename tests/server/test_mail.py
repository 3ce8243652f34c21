"""Coordinator alerts by email, against a real SMTP server (aiosmtpd on a loopback port):
new notices are announced in batches with a count and never their text, a daily digest
names the clients at risk, mail waits and retries while the mail server is down, two
server processes send each email once, and a coordinator can turn alerts off."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from sync.server import admin
from sync.server.mail import set_mail_alerts
from sync.server.settings import Settings
from sync.server.storage import tables as t
from sync.server.storage.runner import transaction
from tests.conftest import FROZEN_NOW
from tests.server.conftest import Clock, Server, free_port, notice
from tests.server.forms import browser, csrf_of, form_signin
from tests.smtp import Smtp

WINDOW = timedelta(minutes=5)
PUBLIC = "https://iop.example.org"


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    s = Smtp(free_port()).start()
    yield s
    s.stop()


def mail_settings(db_url: str, port: int, digest_hour: int = 24) -> Settings:
    """Mail to ``port``; no digest unless ``digest_hour`` says from when (24: never)."""
    return Settings(db_url=db_url, public_url=PUBLIC, smtp_url=f"smtp://127.0.0.1:{port}",
                    mail_from="alerts@iop.example.org", mail_poll_ms=50,
                    mail_digest_hour=digest_hour)  # fmt: skip


@pytest.fixture
def mailing(engine: Engine, db_url: str, smtp: Smtp) -> Iterator[Server]:
    srv = Server(engine, mail_settings(db_url, smtp.port), Clock(FROZEN_NOW)).start()
    yield srv
    srv.stop()


def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("it never happened")
        time.sleep(0.05)


def settle() -> None:
    """Long enough for several rounds of the mail task (50 ms apart)."""
    time.sleep(0.5)


def program_with(server: Server, *emails: str) -> str:
    program = server.publish(server.program())
    for email in emails:
        admin.create_coordinator(server.engine, email, "correct horse", program, server.clock())
    return program


def body_of(msg: Message) -> str:
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def outbox(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(t.mail_outbox).order_by(t.mail_outbox.c.id)).all())


def test_a_notice_brings_one_email_with_the_count_and_never_its_text(
    mailing: Server, smtp: Smtp
) -> None:
    program = program_with(mailing, "sam@x.org")
    alex = mailing.enrol("Alex", program)
    r = alex.post(notice(message="Late shift at the warehouse", barrier="work_school",
                         shared_reflection="I felt ashamed"))  # fmt: skip
    assert r.status_code in (200, 201), r.text
    settle()
    assert [m["Subject"] for m in smtp.messages] == []  # the batching window is still open
    mailing.clock.advance(WINDOW)
    eventually(lambda: len(smtp.messages) == 1)
    msg = smtp.messages[0]
    assert msg["Subject"] == "1 new absence notice at Evening IOP: sign in to read them"
    assert msg["To"] == "sam@x.org" and msg["From"] == "alerts@iop.example.org"
    text = body_of(msg)
    assert f"{PUBLIC}/inbox" in text
    for secret in ("warehouse", "work", "ashamed", "Alex"):
        assert secret not in text and secret not in msg["Subject"]
    mailing.clock.advance(WINDOW * 3)
    settle()
    assert len(smtp.messages) == 1  # announced once


def test_three_notices_in_a_window_make_one_email(mailing: Server, smtp: Smtp) -> None:
    program = program_with(mailing, "sam@x.org")
    alex, jo = mailing.enrol("Alex", program), mailing.enrol("Jo", program)
    for client, start in ((alex, "2026-11-30T23:00:00Z"), (jo, "2026-11-30T23:00:00Z"),
                          (alex, "2026-12-02T23:00:00Z")):  # fmt: skip
        assert client.post(notice(original_start=start, start=start)).status_code in (200, 201)
        mailing.clock.advance(timedelta(minutes=1))
    mailing.clock.advance(WINDOW)
    eventually(lambda: len(smtp.messages) == 1)
    settle()
    assert [m["Subject"] for m in smtp.messages] == [
        "3 new absence notices at Evening IOP: sign in to read them"
    ]
    # A later notice is a new batch, announced a window after it came.
    assert jo.post(notice(original_start="2026-12-02T23:00:00Z",
                          start="2026-12-02T23:00:00Z")).status_code in (200, 201)  # fmt: skip
    settle()
    assert len(smtp.messages) == 1
    mailing.clock.advance(WINDOW)
    eventually(lambda: len(smtp.messages) == 2)
    assert smtp.messages[1]["Subject"].startswith("1 new absence notice at Evening IOP")


def test_mail_waits_while_the_mail_server_is_down_and_arrives_once_it_is_back(
    engine: Engine, db_url: str
) -> None:
    smtp = Smtp(free_port())  # not started: connections are refused
    server = Server(engine, mail_settings(db_url, smtp.port), Clock(FROZEN_NOW)).start()
    try:
        program = program_with(server, "sam@x.org")
        server.enrol("Alex", program).post(notice())
        server.clock.advance(WINDOW)
        eventually(lambda: [r.attempts for r in outbox(engine)] == [1])
        first = outbox(engine)[0]
        assert first.sent_at is None and "ConnectionRefused" in first.last_error
        settle()
        assert outbox(engine)[0].attempts == 1  # backing off, not hammering
        server.clock.advance(timedelta(seconds=30))
        eventually(lambda: outbox(engine)[0].attempts == 2)
        second = outbox(engine)[0]
        assert second.next_try_at > first.next_try_at  # the wait doubled (60 s)
        smtp.start()
        settle()
        assert smtp.messages == []  # still waiting out the backoff
        server.clock.advance(timedelta(seconds=60))
        eventually(lambda: len(smtp.messages) == 1)
        settle()
        assert len(smtp.messages) == 1 and outbox(engine)[0].sent_at is not None
    finally:
        server.stop()
        smtp.stop()


def test_two_server_processes_send_each_email_once(engine: Engine, db_url: str, smtp: Smtp) -> None:
    clock = Clock(FROZEN_NOW)
    settings = mail_settings(db_url, smtp.port)
    one, two = Server(engine, settings, clock).start(), Server(engine, settings, clock).start()
    try:
        program = program_with(one, *(f"c{i}@x.org" for i in range(6)))
        for i in range(4):
            client = (one if i % 2 else two).enrol(f"Client {i}", program)
            assert client.post(notice()).status_code in (200, 201)
        clock.advance(WINDOW)
        eventually(lambda: len(smtp.messages) >= 6)
        settle()
        assert sorted(m["To"] for m in smtp.messages) == [f"c{i}@x.org" for i in range(6)]
        assert {m["Subject"] for m in smtp.messages} == {
            "4 new absence notices at Evening IOP: sign in to read them"
        }
    finally:
        one.stop()
        two.stop()


def test_a_coordinator_who_turned_alerts_off_gets_none(mailing: Server, smtp: Smtp) -> None:
    program = program_with(mailing, "sam@x.org", "kim@x.org")
    with transaction(mailing.engine) as tx:
        email = t.coordinators.c.email
        kim = tx.conn.execute(select(t.coordinators.c.id).where(email == "kim@x.org")).scalar_one()
        set_mail_alerts(tx, kim, False)
    mailing.enrol("Alex", program).post(notice())
    mailing.clock.advance(WINDOW)
    eventually(lambda: len(smtp.messages) == 1)
    settle()
    assert [m["To"] for m in smtp.messages] == ["sam@x.org"]


@pytest.fixture
def digesting(engine: Engine, db_url: str, smtp: Smtp) -> Iterator[Server]:
    """Mail with the digest from 18:00 in the program's zone (it is 17:12 in New York)."""
    srv = Server(engine, mail_settings(db_url, smtp.port, 18), Clock(FROZEN_NOW)).start()
    yield srv
    srv.stop()


def test_the_daily_digest_names_the_clients_at_risk(digesting: Server, smtp: Smtp) -> None:
    mailing = digesting
    program = program_with(mailing, "sam@x.org")
    token = mailing.login("sam@x.org")
    alex, jo = mailing.enrol("Alex Rivera", program), mailing.enrol("Jo Park", program)
    for start in ("2026-11-23T23:00:00Z", "2026-11-25T23:00:00Z"):
        roster = {"series_uid": "process-group", "original_start": start,
                  "roster": [{"client_id": alex.id, "status": "absent"},
                             {"client_id": jo.id, "status": "attended"}]}  # fmt: skip
        r = mailing.http.post("/v1/coordinator/attendance", json=roster,
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert r.status_code == 200, r.text
    settle()
    assert smtp.messages == []  # before the digest hour
    mailing.clock.advance(timedelta(hours=1))  # 18:12 in New York: the day's digest
    eventually(lambda: len(smtp.messages) == 1)
    digest = smtp.messages[0]
    assert digest["Subject"] == "1 at risk at Evening IOP on 2026-11-26"
    text = body_of(digest)
    assert "Alex Rivera" in text and "Jo Park" not in text and f"{PUBLIC}/clients" in text
    mailing.clock.advance(timedelta(hours=2))  # later the same day: no second digest
    settle()
    assert len(smtp.messages) == 1
    mailing.clock.advance(timedelta(days=1))
    eventually(lambda: len(smtp.messages) == 2)
    assert smtp.messages[1]["Subject"].endswith("on 2026-11-27")


def test_without_mail_settings_nothing_is_queued(server: Server) -> None:
    program = program_with(server, "sam@x.org")
    server.enrol("Alex", program).post(notice())
    server.clock.advance(WINDOW * 2)
    settle()
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.mail_outbox)).scalar_one() == 0


def test_an_invitation_is_emailed_to_the_invitee_with_its_one_time_link(
    mailing: Server, smtp: Smtp
) -> None:
    program = program_with(mailing, "boss@x.org")
    token = mailing.login("boss@x.org")
    r = mailing.http.post("/v1/coordinator/accounts", json={"email": "New@X.org"},
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 201, r.text
    eventually(lambda: len(smtp.messages) == 1)
    msg = smtp.messages[0]
    assert msg["To"] == "new@x.org" and msg["Subject"] == "Your invitation to Companion"
    assert r.json()["url"] in body_of(msg)
    refused = mailing.http.post("/v1/coordinator/accounts", json={"email": "boss@x.org"},
                                headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert refused.status_code == 409  # an account exists already: no second email
    settle()
    assert len(smtp.messages) == 1 and program


def test_a_coordinator_turns_their_alert_emails_off_and_on_from_their_account_page(
    mailing: Server, smtp: Smtp
) -> None:
    program = program_with(mailing, "sam@x.org", "kim@x.org")
    with browser(mailing.url) as kim:
        assert form_signin(kim, "kim@x.org", "correct horse").status_code == 303
        page = kim.get("/account")
        assert "Turn alert emails off" in page.text
        r = kim.post("/account/alerts", data={"csrf": csrf_of(page.text), "alerts": "off"})
        assert r.status_code == 303
        page = kim.get("/account")
        assert "Off: no alert emails" in page.text and "Turn alert emails on" in page.text
        mailing.enrol("Alex", program).post(notice())
        mailing.clock.advance(WINDOW)
        eventually(lambda: len(smtp.messages) == 1)
        settle()
        assert [m["To"] for m in smtp.messages] == ["sam@x.org"]
        r = kim.post("/account/alerts", data={"csrf": csrf_of(page.text), "alerts": "on"})
        assert r.status_code == 303 and "Turn alert emails off" in kim.get("/account").text
    with transaction(mailing.engine) as tx:
        actions = tx.conn.execute(
            select(t.audit.c.detail).where(t.audit.c.action == "account.alerts")
            .order_by(t.audit.c.id)
        ).scalars().all()  # fmt: skip
    assert actions == ["off", "on"]
