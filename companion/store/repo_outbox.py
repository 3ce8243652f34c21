"""The outbox: absence notices waiting for, or past, delivery to the program server.

Each row keeps the notice's exact JSON payload, written once when the client gives the
notice: a resend after a crash or a timeout is byte-identical, so the server recognises
it by its UUID and stores it once. A notice is never deleted by delivery; only the client
can discard one that has not been delivered, and a sync removes those delivered longer
ago than ``KEEP_DELIVERED_NOTICES`` (:func:`purge_delivered`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from companion.domain.journal import Barrier
from companion.domain.notices import AbsenceNotice, NoticeState, Timing
from companion.store.db import from_db, to_db


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A notice with its delivery bookkeeping, as `companion outbox` shows it."""

    notice: AbsenceNotice
    payload: str
    attempts: int = 0
    last_error: str = ""
    delivered_at: datetime | None = None
    server_status: str | None = None
    reflection_id: int | None = None

    @property
    def id(self) -> str:
        return self.notice.id

    @property
    def state(self) -> NoticeState:
        return self.notice.state


@dataclass(frozen=True, slots=True)
class PendingNotice:
    """What delivery needs: the id, the exact payload, and the occurrence to tick."""

    id: str
    payload: str
    series_uid: str
    original_start: datetime


def _entry(row: sqlite3.Row) -> OutboxEntry:
    notice = AbsenceNotice(
        id=row["id"],
        series_uid=row["series_uid"],
        original_start=from_db(row["original_start"]),
        title=row["title"],
        start=from_db(row["start"]),
        timing=Timing(row["timing"]),
        barrier=Barrier(row["barrier"]),
        created_at=from_db(row["created_at"]),
        message=row["message"],
        makeup=bool(row["makeup"]),
        shared_reflection=None,
        state=NoticeState(row["state"]),
    )
    return OutboxEntry(
        notice=notice,
        payload=row["payload"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        delivered_at=from_db(row["delivered_at"]) if row["delivered_at"] else None,
        server_status=row["server_status"],
        reflection_id=row["reflection_id"],
    )


def add(
    conn: sqlite3.Connection, notice: AbsenceNotice, payload: str, reflection_id: int | None
) -> None:
    conn.execute(
        "INSERT INTO outbox (id, series_uid, original_start, title, start, timing, barrier, "
        "message, makeup, reflection_id, payload, state, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            notice.id,
            notice.series_uid,
            to_db(notice.original_start),
            notice.title,
            to_db(notice.start),
            notice.timing.value,
            notice.barrier.value,
            notice.message,
            int(notice.makeup),
            reflection_id,
            payload,
            notice.state.value,
            to_db(notice.created_at),
        ),
    )


def get(conn: sqlite3.Connection, notice_id: str) -> OutboxEntry | None:
    row = conn.execute("SELECT * FROM outbox WHERE id = ?", (notice_id,)).fetchone()
    return _entry(row) if row else None


def find(conn: sqlite3.Connection, prefix: str) -> list[OutboxEntry]:
    """Entries whose id starts with ``prefix`` (people type the first 8 characters)."""
    rows = conn.execute(
        "SELECT * FROM outbox WHERE id LIKE ? ORDER BY created_at", (prefix.lower() + "%",)
    )
    return [_entry(r) for r in rows]


def list_entries(
    conn: sqlite3.Connection, states: tuple[str, ...] | None = None
) -> list[OutboxEntry]:
    """Entries oldest first, optionally only those in ``states``."""
    sql, args = "SELECT * FROM outbox", []
    if states:
        sql += f" WHERE state IN ({','.join('?' * len(states))})"
        args = list(states)
    return [_entry(r) for r in conn.execute(sql + " ORDER BY created_at, rowid", args)]


def pending(conn: sqlite3.Connection, limit: int | None = None) -> list[PendingNotice]:
    """Queued notices, oldest first: the delivery order. A notice about a demo session is
    never delivered (enrolling removes them; this is the belt to those braces)."""
    sql = (
        "SELECT id, payload, series_uid, original_start FROM outbox WHERE state = 'queued' "
        "AND series_uid NOT IN (SELECT uid FROM demo_series) ORDER BY created_at, rowid"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [PendingNotice(r[0], r[1], r[2], from_db(r[3])) for r in conn.execute(sql)]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many notices are in each state."""
    out = {s.value: 0 for s in NoticeState}
    for state, n in conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
        out[state] = n
    return out


def for_occurrence(conn: sqlite3.Connection, uid: str, original: datetime) -> list[OutboxEntry]:
    rows = conn.execute(
        "SELECT * FROM outbox WHERE series_uid = ? AND original_start = ? ORDER BY created_at",
        (uid, to_db(original)),
    )
    return [_entry(r) for r in rows]


def delivered_for(conn: sqlite3.Connection, uid: str, original: datetime) -> bool:
    """Whether a notice about this occurrence has reached the server."""
    return (
        conn.execute(
            "SELECT 1 FROM outbox WHERE series_uid = ? AND original_start = ? "
            "AND state IN ('delivered', 'acknowledged') LIMIT 1",
            (uid, to_db(original)),
        ).fetchone()
        is not None
    )


def mark_delivered(
    conn: sqlite3.Connection, notice_id: str, when: datetime, server_status: str
) -> bool:
    """Record the server's acceptance. Acknowledged ones stay acknowledged."""
    state = "acknowledged" if server_status in ("acknowledged", "replied") else "delivered"
    return (
        conn.execute(
            "UPDATE outbox SET state = CASE WHEN state = 'acknowledged' THEN state ELSE ? END, "
            "delivered_at = coalesce(delivered_at, ?), server_status = ?, last_error = '', "
            "attempts = attempts + 1 WHERE id = ?",
            (state, to_db(when), server_status, notice_id),
        ).rowcount
        > 0
    )


def set_timing(conn: sqlite3.Connection, notice_id: str, timing: Timing, title: str) -> None:
    """The server's verdict on a delivered notice: advance or after by its own clock, and
    the session's title from the program's schedule (the payload keeps what was sent)."""
    conn.execute(
        "UPDATE outbox SET timing = ?, title = ? WHERE id = ?", (timing.value, title, notice_id)
    )


def mark_failed(conn: sqlite3.Connection, notice_id: str, message: str) -> None:
    """The server refused the notice for good: keep it for the client to edit or discard."""
    conn.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?, attempts = attempts + 1 "
        "WHERE id = ? AND state = 'queued'",
        (message, notice_id),
    )


def note_attempt(conn: sqlite3.Connection, notice_id: str, message: str) -> None:
    """A try that did not get an answer: the notice stays queued."""
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
        (message, notice_id),
    )


def mark_acknowledged(conn: sqlite3.Connection, notice_id: str, server_status: str) -> bool:
    return (
        conn.execute(
            "UPDATE outbox SET state = 'acknowledged', server_status = ? WHERE id = ? "
            "AND state IN ('delivered', 'acknowledged', 'queued')",
            (server_status, notice_id),
        ).rowcount
        > 0
    )


def requeue(
    conn: sqlite3.Connection, notice_id: str, new_id: str, payload: str, message: str, barrier: str
) -> None:
    """Put a failed notice back in the queue, edited (under ``new_id``) or as it was."""
    conn.execute(
        "UPDATE outbox SET id = ?, state = 'queued', payload = ?, message = ?, barrier = ?, "
        "last_error = '' WHERE id = ? AND state = 'failed'",
        (new_id, payload, message, barrier, notice_id),
    )


def remove(conn: sqlite3.Connection, notice_id: str) -> bool:
    """Discard a notice that is not delivered."""
    return (
        conn.execute(
            "DELETE FROM outbox WHERE id = ? AND state IN ('queued', 'failed')", (notice_id,)
        ).rowcount
        > 0
    )


def forget_shared_text(conn: sqlite3.Connection, notice_id: str | None = None) -> int:
    """Drop the text of a shared reflection from the payload of delivered notices (the one
    given, or all): the server has it, a delivered payload is never sent again, and a
    protected journal keeps no copy of its text in clear. Returns how many changed."""
    sql = (
        "SELECT id, payload FROM outbox WHERE reflection_id IS NOT NULL "
        "AND state IN ('delivered', 'acknowledged')"
    )
    rows = conn.execute(
        sql + (" AND id = ?" if notice_id else ""), (notice_id,) if notice_id else ()
    )
    changed = 0
    for row_id, payload in rows.fetchall():
        wire = json.loads(payload)
        if wire.get("shared_reflection"):
            wire["shared_reflection"] = None
            compact = json.dumps(wire, separators=(",", ":"), ensure_ascii=False)
            conn.execute("UPDATE outbox SET payload = ? WHERE id = ?", (compact, row_id))
            changed += 1
    return changed


def waiting_with_shared_text(conn: sqlite3.Connection) -> int:
    """Notices not delivered yet that carry a shared reflection (its text in clear until
    delivery: the outbox must be able to send it with the journal locked)."""
    row = conn.execute(
        "SELECT count(*) FROM outbox WHERE reflection_id IS NOT NULL "
        "AND state IN ('queued', 'failed')"
    ).fetchone()
    return int(row[0])


def purge_delivered(conn: sqlite3.Connection, before: datetime) -> int:
    """Remove notices delivered before ``before``, with the replies and make-up offers to
    them; never a notice not delivered, never a journal entry. How many notices went."""
    old = (
        "SELECT id FROM outbox WHERE state IN ('delivered', 'acknowledged') "
        "AND delivered_at IS NOT NULL AND delivered_at < ?"
    )
    cut = (to_db(before),)
    conn.execute(f"DELETE FROM makeup_offer WHERE notice_id IN ({old})", cut)
    conn.execute(f"DELETE FROM reply WHERE notice_id IN ({old})", cut)
    return conn.execute(f"DELETE FROM outbox WHERE id IN ({old})", cut).rowcount
