"""``companion-server export-client CLIENT --json``: everything about one client and
nothing about another; no token digests; the export is in the audit trail."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import Engine, select

from sync.server import admin
from sync.server.storage.runner import transaction
from sync.server.storage.tables import audit, stamp
from tests.server.retained import add_audit, add_notice, now, program


def test_export_holds_one_clients_records_only(engine: Engine, db_url: str) -> None:
    pid, coord, client = program(engine)
    other = admin.add_client(engine, "Sam", "P", now())["client_id"]
    mine = add_notice(engine, pid, client, coord, timedelta(days=3))
    theirs = add_notice(engine, pid, other, coord, timedelta(days=2))
    add_audit(engine, pid, client, timedelta(days=1))
    with transaction(engine) as tx:
        tx.add_device(client, "laptop", "a" * 64, "b" * 64, stamp(now()))
        tx.add_device(other, "phone", "c" * 64, "d" * 64, stamp(now()))
        tx.put_attendance(pid, client, "group", stamp(now()), "excused", stamp(now()), coord)
        tx.put_attendance(pid, other, "group", stamp(now()), "absent", stamp(now()), coord)

    r = subprocess.run([sys.executable, "-m", "sync.server.cli", "export-client", "Alex P",
                        "--db", db_url, "--json"], capture_output=True, text=True,
                       timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["client"]["id"] == client and out["client"]["name"] == "Alex P"
    assert [d["name"] for d in out["devices"]] == ["laptop"]
    assert "a" * 64 not in r.stdout and "b" * 64 not in r.stdout  # no token digests
    assert [n["id"] for n in out["notices"]] == [mine] and theirs not in r.stdout
    (reply,) = out["notices"][0]["replies"]
    assert reply["text"] == "Thanks" and reply["makeup"] == {"start": "2026-12-01T18:00:00Z"}
    assert [a["status"] for a in out["attendance"]] == ["excused"]
    assert [h["status"] for h in out["attendance_history"]] == ["excused"]
    assert {e["client_id"] for e in out["audit"]} == {client}
    assert "client.added" in {e["action"] for e in out["audit"]}

    with engine.connect() as conn:
        exported = conn.execute(
            select(audit.c.client_id).where(audit.c.action == "client.exported")
        ).scalars().all()  # fmt: skip
    assert exported == [client]


def test_export_needs_json_and_a_known_client(engine: Engine, db_url: str) -> None:
    program(engine)
    base = [sys.executable, "-m", "sync.server.cli", "export-client", "--db", db_url]
    r = subprocess.run([*base, "Nobody", "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no client 'Nobody'" in r.stderr
    r = subprocess.run([*base, "Alex P"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--json" in r.stderr
