"""Retention: the purge keeps what is inside a program's windows and removes what is
outside, on SQLite and PostgreSQL; it writes counts to the audit trail; the daily run
happens once a day however many processes try."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import DBAPIError

from sync.server import retention
from sync.server.settings import Settings
from sync.server.storage.runner import transaction
from sync.server.storage.tables import audit, notices, programs, replies
from tests.server.conftest import Clock, Server
from tests.server.retained import add_audit, add_notice, now, program

DAY = timedelta(days=1)


def count(engine: Engine, table, *where) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_purge_keeps_inside_the_window_and_removes_outside(engine: Engine) -> None:
    pid, coord, client = program(engine)
    old = add_notice(engine, pid, client, coord, 731 * DAY)
    kept = add_notice(engine, pid, client, coord, 729 * DAY)
    add_audit(engine, pid, client, 2191 * DAY)
    add_audit(engine, pid, client, 2189 * DAY)
    with transaction(engine) as tx:
        preview = retention.purge(tx, now(), dry_run=True)
    assert preview[0]["notices"] == 1 and preview[0]["replies"] == 1
    assert count(engine, notices) == 2  # a dry run deletes nothing
    with transaction(engine) as tx:
        done = retention.purge(tx, now())
    assert done[0] | {"notices_before": "", "audit_before": ""} == preview[0] | {
        "notices_before": "", "audit_before": ""}  # fmt: skip
    assert count(engine, notices, notices.c.id == old) == 0
    assert count(engine, replies, replies.c.notice_id == old) == 0
    assert count(engine, notices, notices.c.id == kept) == 1
    assert count(engine, replies, replies.c.notice_id == kept) == 1
    with engine.connect() as conn:
        trail = conn.execute(select(audit.c.action, audit.c.detail).order_by(audit.c.at)).all()
    actions = [a for a, _ in trail]
    assert actions.count("client.viewed") == 1  # the 2189-day-old entry stays
    assert ("retention.purged", "1 replies, 1 notices, 1 audit entries") in trail


def test_a_shorter_window_set_by_the_program_is_followed(engine: Engine) -> None:
    pid, coord, client = program(engine)
    other_pid, other_coord, other_client = program(engine, "Q")
    with engine.begin() as conn:
        conn.execute(programs.update().where(programs.c.id == pid).values(retain_notices_days=90))
    add_notice(engine, pid, client, coord, 100 * DAY)
    add_notice(engine, other_pid, other_client, other_coord, 100 * DAY)
    with transaction(engine) as tx:
        retention.purge(tx, now())
    assert count(engine, notices, notices.c.program_id == pid) == 0
    assert count(engine, notices, notices.c.program_id == other_pid) == 1


def test_the_database_refuses_to_delete_audit_entries_inside_the_window(engine: Engine) -> None:
    pid, _, client = program(engine)
    add_audit(engine, pid, client, 10 * DAY)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(audit))
    assert count(engine, audit, audit.c.action == "client.viewed") == 1


def test_the_daily_purge_runs_once_a_day(engine: Engine) -> None:
    pid, coord, client = program(engine)
    add_notice(engine, pid, client, coord, 800 * DAY)
    runs = []
    for _ in range(3):
        with transaction(engine) as tx:
            runs.append(retention.daily(tx, now()))
    assert runs[0] is not None and runs[0][0]["notices"] == 1
    assert runs[1:] == [None, None]
    assert count(engine, audit, audit.c.action == "retention.purged") == 1
    with transaction(engine) as tx:
        assert retention.daily(tx, now() + DAY) is not None  # tomorrow it runs again


def test_purge_command_dry_run_and_json(db_url: str, engine: Engine) -> None:
    pid, coord, client = program(engine)
    add_notice(engine, pid, client, coord, 800 * DAY)

    def cli(*extra: str) -> dict:
        argv = [sys.executable, "-m", "sync.server.cli", "purge", "--db", db_url, "--json"]
        r = subprocess.run([*argv, *extra], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    assert cli("--dry-run")["programs"][0]["notices"] == 1
    assert count(engine, notices) == 1
    assert cli()["programs"][0]["notices"] == 1
    assert count(engine, notices) == 0
    assert cli()["programs"][0]["notices"] == 0


def test_servers_purge_daily_and_only_one_process_runs_it(engine: Engine, db_url: str) -> None:
    pid, coord, client = program(engine)
    old = add_notice(engine, pid, client, coord, 800 * DAY)
    servers = [Server(engine, Settings(db_url=db_url), Clock(now())) for _ in range(3)]
    try:
        for s in servers:
            s.start()
        deadline = time.monotonic() + 20
        while count(engine, notices, notices.c.id == old) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the others have checked too
    finally:
        for s in servers:
            s.stop()
    assert count(engine, notices, notices.c.id == old) == 0
    assert count(engine, audit, audit.c.action == "retention.purged") == 1
