"""Reflections (journal entries) in the store. They never leave the device by themselves."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from companion.domain.journal import Barrier, Reflection
from companion.store.db import from_db, to_db


def _reflection(row: sqlite3.Row) -> Reflection:
    occurrence = (row["series_uid"], from_db(row["original_start"])) if row["series_uid"] else None
    return Reflection(
        when=from_db(row["created"]),
        barriers=tuple(Barrier(b) for b in json.loads(row["barriers"])),
        what_happened=row["what_happened"],
        plan=row["plan"],
        mood=row["mood"],
        occurrence=occurrence,
        shared=bool(row["shared"]),
        id=row["id"],
    )


def add_reflection(conn: sqlite3.Connection, r: Reflection) -> int:
    uid, original = r.occurrence if r.occurrence else (None, None)
    cur = conn.execute(
        "INSERT INTO reflection (created, series_uid, original_start, barriers, what_happened, "
        "plan, mood, shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            to_db(r.when),
            uid,
            to_db(original) if original else None,
            json.dumps([b.value for b in r.barriers]),
            r.what_happened,
            r.plan,
            r.mood,
            int(r.shared),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def list_reflections(
    conn: sqlite3.Connection, since: datetime | None = None, limit: int | None = None
) -> list[Reflection]:
    sql, args = "SELECT * FROM reflection", []
    if since is not None:
        sql += " WHERE created >= ?"
        args.append(to_db(since))
    sql += " ORDER BY created DESC, id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_reflection(r) for r in conn.execute(sql, args)]


def get_reflection(conn: sqlite3.Connection, rid: int) -> Reflection | None:
    row = conn.execute("SELECT * FROM reflection WHERE id = ?", (rid,)).fetchone()
    return _reflection(row) if row else None


def mark_shared(conn: sqlite3.Connection, rid: int) -> None:
    conn.execute("UPDATE reflection SET shared = 1 WHERE id = ?", (rid,))


def has_reflection_for(conn: sqlite3.Connection, uid: str, original: datetime) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM reflection WHERE series_uid = ? AND original_start = ? LIMIT 1",
            (uid, to_db(original)),
        ).fetchone()
        is not None
    )
