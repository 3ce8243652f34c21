"""Changes from the program server that this client could not apply, kept aside.

A change that fails the wire models (a series stored by an older server with a sequence
no database holds, a sub-daily rule, a ``javascript:`` link) or that the store refuses is
recorded here with its reason, and sync moves on: one bad change never stops the ones
after it. The change is kept as received, so nothing the program sent is lost; a later
change (the coordinator fixing the series) supersedes it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from companion.store.db import from_db, to_db

MAX_BODY = 64 * 1024  # a change is at most a page's share; keep the record bounded


@dataclass(frozen=True, slots=True)
class SetAside:
    """One change set aside: what it was about and why it could not be used."""

    kind: str  # the change's type: series, series_removed, material, reply, attendance
    about: str  # its series uid or id, when it names one
    reason: str
    at: datetime

    def line(self) -> str:
        """One line for `companion sync` and the app."""
        what = f"{self.kind} {self.about!r}" if self.about else self.kind
        return f"set aside a {what} change from the server: {self.reason}"


def add(
    conn: sqlite3.Connection,
    body: str,
    kind: str,
    about: str,
    reason: str,
    cursor: str,
    now: datetime,
) -> SetAside | None:
    """Keep a change aside; None when this very change was set aside before."""
    digest = hashlib.sha256(body.encode("utf-8", "replace")).hexdigest()
    new = conn.execute(
        "INSERT OR IGNORE INTO set_aside (digest, kind, about, reason, body, cursor, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (digest, kind[:40], about[:255], reason[:500], body[:MAX_BODY], cursor, to_db(now)),
    ).rowcount
    return SetAside(kind[:40], about[:255], reason[:500], now) if new else None


def recent(conn: sqlite3.Connection, limit: int = 20) -> list[SetAside]:
    """The changes set aside, newest first."""
    rows = conn.execute(
        "SELECT kind, about, reason, at FROM set_aside ORDER BY at DESC, id DESC LIMIT ?",
        (limit,),
    )
    return [SetAside(r[0], r[1], r[2], from_db(r[3])) for r in rows]


def bodies(conn: sqlite3.Connection, kind: str) -> list[str]:
    """The changes of ``kind`` kept aside, as received, newest first."""
    rows = conn.execute("SELECT body FROM set_aside WHERE kind = ? ORDER BY id DESC", (kind,))
    return [r[0] for r in rows]


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM set_aside").fetchone()[0]
