"""Rows of a given age for the retention, backup and export tests (inserted directly:
the API stamps notices with the server's clock, and these need ages of years)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from sync.server import admin
from sync.server.storage.runner import transaction
from sync.server.storage.tables import audit, notices, replies, stamp


def now() -> datetime:
    return datetime.now(UTC)


def program(engine: Engine, name: str = "P") -> tuple[int, int, int]:
    """A program with a coordinator and a client: (program id, coordinator id, client id)."""
    p = admin.create_program(engine, name, "UTC", 0.8, 3, "", now(), False)
    c = admin.create_coordinator(engine, f"c@{name.lower()}.example.org", "correct horse",
                                 name, now(), "admin")  # fmt: skip
    client = admin.add_client(engine, f"Alex {name}", name, now())
    return p["program_id"], c["coordinator_id"], client["client_id"]


def add_notice(engine: Engine, program_id: int, client_id: int, coordinator_id: int,
               age: timedelta, *, reply: bool = True) -> str:  # fmt: skip
    """A notice received ``age`` ago, with a reply offering a make-up slot."""
    at = stamp(now() - age)
    notice_id = str(uuid.uuid4())
    with transaction(engine) as tx:
        tx.conn.execute(insert(notices).values(
            id=notice_id, client_id=client_id, program_id=program_id, series_uid="group",
            original_start=at, title="Group", start=at, timing="advance",
            barrier="work_school", message="Late shift.", makeup=True, created_at=at,
            received_at=at, digest="0" * 64, status="acknowledged",
        ))  # fmt: skip
        if reply:
            tx.conn.execute(insert(replies).values(
                notice_id=notice_id, coordinator_id=coordinator_id, status="acknowledged",
                text="Thanks", makeup='{"start": "2026-12-01T18:00:00Z"}', materials="[]",
                at=at,
            ))  # fmt: skip
    return notice_id


def add_audit(engine: Engine, program_id: int, client_id: int | None, age: timedelta) -> None:
    with transaction(engine) as tx:
        tx.conn.execute(insert(audit).values(
            program_id=program_id, at=stamp(now() - age), actor_kind="cli", actor_id=None,
            actor="companion-server", action="client.viewed", client_id=client_id,
        ))  # fmt: skip
