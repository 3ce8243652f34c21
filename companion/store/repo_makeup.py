"""The make-up choices the client made (issue 14): queued for delivery like a notice, each
with its exact wire payload, written once and resent byte for byte (the server
recognises a retry by the id). Delivery marks a choice; nothing deletes one."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from companion.store.db import to_db


@dataclass(frozen=True, slots=True)
class PendingChoice:
    id: str
    reply_id: int
    payload: str


def add(conn: sqlite3.Connection, choice_id: str, reply_id: int, slot: int | None,
        payload: str, now: datetime) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO makeup_choice (id, reply_id, slot, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (choice_id, reply_id, slot, payload, to_db(now)),
    )


def pending(conn: sqlite3.Connection) -> list[PendingChoice]:
    """Queued choices, oldest first (the order they were made: the last one stands)."""
    rows = conn.execute(
        "SELECT id, reply_id, payload FROM makeup_choice WHERE state = 'queued' "
        "ORDER BY created_at, rowid"
    )
    return [PendingChoice(r[0], r[1], r[2]) for r in rows]


def queued(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute("SELECT count(*) FROM makeup_choice WHERE state = 'queued'").fetchone()[0]
    )


def states(conn: sqlite3.Connection) -> dict[str, str]:
    """Each choice's state by id."""
    return {r[0]: r[1] for r in conn.execute("SELECT id, state FROM makeup_choice")}


def mark_delivered(conn: sqlite3.Connection, choice_id: str, when: datetime) -> None:
    conn.execute(
        "UPDATE makeup_choice SET state = 'delivered', last_error = '', attempts = attempts + 1, "
        "delivered_at = coalesce(delivered_at, ?) WHERE id = ?",
        (to_db(when), choice_id),
    )


def mark_failed(conn: sqlite3.Connection, choice_id: str, message: str) -> None:
    conn.execute(
        "UPDATE makeup_choice SET state = 'failed', last_error = ?, attempts = attempts + 1 "
        "WHERE id = ? AND state = 'queued'",
        (message, choice_id),
    )


def note_attempt(conn: sqlite3.Connection, choice_id: str, message: str) -> None:
    conn.execute(
        "UPDATE makeup_choice SET attempts = attempts + 1, last_error = ? WHERE id = ?",
        (message, choice_id),
    )
