"""Emails are one account whatever their case: sign-in through the API and the form,
creating an account, and the count of failed sign-ins; revision 0007 brings stored
addresses to that form."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from sync.server import admin
from sync.server.security import hash_password
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from tests.server.conftest import Server
from tests.server.forms import browser, form_signin

PASSWORD = "correct horse"


def test_any_case_of_the_email_signs_in(server: Server) -> None:
    program = server.program()
    server.coordinator("Alice@A.org", program)
    for typed in ("alice@a.org", "ALICE@a.ORG", "  Alice@A.org "):
        r = server.http.post("/v1/coordinator/login", json={"email": typed, "password": PASSWORD})
        assert r.status_code == 200, typed
        with browser(server.url) as b:
            r = form_signin(b, typed, PASSWORD)
            assert r.status_code == 303 and r.headers["location"] == "/inbox", typed
            assert b.get("/inbox").status_code == 200


def test_an_email_in_another_case_is_the_same_account(server: Server) -> None:
    program = server.program()
    admin.create_coordinator(server.engine, "alice@a.org", PASSWORD, program, server.clock())
    with pytest.raises(admin.AdminError, match="exists already"):
        admin.create_coordinator(server.engine, "ALICE@A.org", PASSWORD, program, server.clock())


def test_failures_in_any_case_count_against_one_account(server: Server) -> None:
    program = server.program()
    server.coordinator("alice@a.org", program)
    with browser(server.url) as b:
        for typed in ("Alice@a.org", "ALICE@A.ORG", "alice@A.org", "aLiCe@a.org", " Alice@A.org"):
            assert form_signin(b, typed, "wrong password").status_code in (401, 429)
        # Five failures on one account from this address, whatever the case: locked here.
        r = form_signin(b, "alice@a.org", PASSWORD)
        assert r.status_code == 429 and "locked" in r.text


def _at_0005(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.SCRIPTS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    at = "2026-11-26T22:12:00.000000Z"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO programs (id, name, timezone, threshold, unexcused_limit, coordinator,"
            " last_change, last_change_at, created_at) VALUES (1, 'Evening IOP',"
            " 'America/New_York', 0.8, 3, '', 0, :at, :at)"), {"at": at})  # fmt: skip


def _add(engine: Engine, cid: int, email: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO coordinators (id, program_id, email, password_hash, created_at)"
                " VALUES (:id, 1, :email, :hash, '2026-11-26T22:12:00.000000Z')"
            ),
            {"id": cid, "email": email, "hash": hash_password(PASSWORD)},
        )


def test_revision_0007_lower_cases_stored_emails(db_url: str) -> None:
    engine = make_engine(db_url)
    _at_0005(engine)
    _add(engine, 1, "  Sam@Clinic.ORG")
    _add(engine, 2, "lee@clinic.org")
    migrate.upgrade(engine)
    with transaction(engine) as tx:
        assert tx.coordinator_by_email("sam@clinic.org") is not None
        assert tx.coordinator_by_email("lee@clinic.org") is not None
    engine.dispose()


def test_revision_0007_stops_at_two_accounts_that_are_one_address(db_url: str) -> None:
    engine = make_engine(db_url)
    _at_0005(engine)
    _add(engine, 1, "Sam@clinic.org")
    _add(engine, 2, "sam@clinic.org")
    engine.dispose()
    r = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "migrate", "--db", db_url],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "companion-server: error: coordinators 1 and 2 both have the email 'sam@clinic.org' "
        "once case is ignored: change or remove one, then migrate again"
    ]
    engine = make_engine(db_url)
    assert migrate.current(engine) == "0005"  # nothing half-done
    engine.dispose()
