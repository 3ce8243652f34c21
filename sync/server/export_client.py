"""``companion-server export-client``: everything the server holds about one client, for a
program answering a records request.

The client row; their devices (never the token or feed digests); their notices, each
with its replies (make-up offers and materials included); their attendance and its
history; changes meant for them alone; the audit entries naming them or made by their
devices. Nothing of any other client. The export is itself written to the audit trail,
in the same transaction that reads it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select

from sync.server import audit
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow
from sync.server.storage.tables import (
    attendance,
    attendance_history,
    changes,
    clients,
    devices,
    notices,
    replies,
    stamp,
)
from sync.server.storage.tables import audit as audit_table

SECRET_COLUMNS = frozenset({"token_hash", "feed_hash"})


def _rows(
    tx: Tx, table: Table, where: Any, order: Any, skip: frozenset[str] = frozenset()
) -> list[dict]:
    cols = [c for c in table.c if c.name not in skip]
    rows = tx.conn.execute(select(*cols).where(where).order_by(*order))
    return [dict(r._mapping) for r in rows]


def export(tx: Tx, client: ClientRow, now: datetime) -> dict[str, Any]:
    """The client's records as one JSON-ready dict (and an audit entry saying so)."""
    cid = client.id
    (row,) = _rows(tx, clients, clients.c.id == cid, [clients.c.id])
    device_rows = _rows(tx, devices, devices.c.client_id == cid, [devices.c.id], SECRET_COLUMNS)
    notice_rows = _rows(tx, notices, notices.c.client_id == cid,
                        [notices.c.received_at, notices.c.id])  # fmt: skip
    theirs = select(notices.c.id).where(notices.c.client_id == cid)
    by_notice: dict[str, list[dict]] = {n["id"]: [] for n in notice_rows}
    for reply in _rows(tx, replies, replies.c.notice_id.in_(theirs), [replies.c.id]):
        for key in ("makeup", "materials"):
            reply[key] = json.loads(reply[key]) if reply[key] else reply[key]
        by_notice[reply["notice_id"]].append(reply)
    for n in notice_rows:
        n["replies"] = by_notice[n["id"]]
    device_ids = [d["id"] for d in device_rows]
    a = audit_table.c
    about = (a.client_id == cid) | ((a.actor_kind == "device") & a.actor_id.in_(device_ids))
    out = {
        "client": row,
        "devices": device_rows,
        "notices": notice_rows,
        "attendance": _rows(tx, attendance, attendance.c.client_id == cid,
                            [attendance.c.original_start, attendance.c.series_uid]),
        "attendance_history": _rows(tx, attendance_history, attendance_history.c.client_id == cid,
                                    [attendance_history.c.id]),
        "changes": [
            {**c, "body": json.loads(c["body"])}
            for c in _rows(tx, changes, changes.c.client_id == cid, [changes.c.seq])
        ],
        "audit": _rows(tx, audit_table, (a.program_id == client.program_id) & about, [a.id]),
        "exported_at": stamp(now),
    }  # fmt: skip
    audit.record(tx, audit.command_line(client.program_id), "client.exported", now,
                 client_id=cid, detail=f"{len(notice_rows)} notice(s)")  # fmt: skip
    return out
