"""Day notes in the store: the all-day events of a program's calendar, keyed by UID."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date, datetime

from companion.domain.notes import DayNote
from companion.domain.schedule import ScheduleError
from companion.store.db import from_db, to_db

log = logging.getLogger(__name__)
COLUMNS = "uid, title, first_day, days, rrule, exdates, description, sequence, origin"


def _note(row: sqlite3.Row) -> DayNote | None:
    try:
        return DayNote(
            uid=row["uid"],
            title=row["title"],
            first_day=date.fromisoformat(row["first_day"]),
            days=row["days"],
            rrule=row["rrule"],
            exdates=tuple(date.fromisoformat(d) for d in json.loads(row["exdates"])),
            description=row["description"],
            sequence=row["sequence"],
            origin=row["origin"],
        )
    except (ScheduleError, ValueError) as exc:  # a damaged row never stops the app
        log.warning("day note %s left out: %s", row["uid"], exc)
        return None


def list_notes(conn: sqlite3.Connection) -> list[DayNote]:
    rows = conn.execute(f"SELECT {COLUMNS} FROM day_note ORDER BY first_day, title")
    return [n for n in map(_note, rows) if n is not None]


def get_note(conn: sqlite3.Connection, uid: str) -> DayNote | None:
    row = conn.execute(f"SELECT {COLUMNS} FROM day_note WHERE uid = ?", (uid,)).fetchone()
    return _note(row) if row else None


def save_note(conn: sqlite3.Connection, note: DayNote, now: datetime) -> None:
    """Insert or replace ``note``."""
    conn.execute(
        f"""INSERT INTO day_note ({COLUMNS}, created, updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(uid) DO UPDATE SET title=excluded.title,
                first_day=excluded.first_day, days=excluded.days, rrule=excluded.rrule,
                exdates=excluded.exdates, description=excluded.description,
                sequence=excluded.sequence, origin=excluded.origin,
                updated=excluded.updated""",
        (
            note.uid,
            note.title,
            note.first_day.isoformat(),
            note.days,
            note.rrule,
            json.dumps([d.isoformat() for d in sorted(note.exdates)]),
            note.description,
            note.sequence,
            note.origin,
            to_db(now),
            to_db(now),
        ),
    )


def remove_note(conn: sqlite3.Connection, uid: str) -> bool:
    return conn.execute("DELETE FROM day_note WHERE uid = ?", (uid,)).rowcount > 0


def notes_updated(conn: sqlite3.Connection) -> dict[str, datetime]:
    """When each note last changed (LAST-MODIFIED in exports)."""
    return {r[0]: from_db(r[1]) for r in conn.execute("SELECT uid, updated FROM day_note")}
