"""The demo's data in the store: marked when `companion demo` makes it, counted and removed
in one go when the profile joins a real program (issue 11).

The demo's series are listed in ``demo_series``; everything of theirs (marks, checklists,
fired reminders, materials, notices) is found by series uid, even after a series itself
was removed. The demo's own reflections carry ``reflection.demo``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

IN_DEMO = "series_uid IN (SELECT uid FROM demo_series)"


@dataclass(frozen=True, slots=True)
class DemoCounts:
    """What the demo left in a profile, and what of the user's own is kept beside it."""

    series: int
    marks: int
    checklists: int
    reflections: int
    notices: int
    own_series: int
    own_reflections: int


def mark_series(conn: sqlite3.Connection, uid: str) -> None:
    conn.execute("INSERT OR IGNORE INTO demo_series (uid) VALUES (?)", (uid,))


def mark_reflection(conn: sqlite3.Connection, reflection_id: int) -> None:
    conn.execute("UPDATE reflection SET demo = 1 WHERE id = ?", (reflection_id,))


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def counts(conn: sqlite3.Connection) -> DemoCounts | None:
    """What the demo holds here, or None when the profile holds nothing of it."""
    found = DemoCounts(
        series=_count(conn, "SELECT count(*) FROM demo_series"),
        marks=_count(conn, f"SELECT count(*) FROM attendance WHERE {IN_DEMO}"),
        checklists=_count(conn, f"SELECT count(*) FROM checklist WHERE {IN_DEMO}"),
        reflections=_count(conn, "SELECT count(*) FROM reflection WHERE demo = 1"),
        notices=_count(
            conn, f"SELECT count(*) FROM outbox WHERE {IN_DEMO} AND state IN ('queued', 'failed')"
        ),
        own_series=_count(
            conn, "SELECT count(*) FROM series WHERE uid NOT IN (SELECT uid FROM demo_series)"
        ),
        own_reflections=_count(conn, "SELECT count(*) FROM reflection WHERE demo = 0"),
    )
    demo = (found.series, found.marks, found.checklists, found.reflections, found.notices)
    return found if any(demo) else None


def remove(conn: sqlite3.Connection) -> None:
    """Remove every trace of the demo (inside the caller's transaction). The user's own
    reflections stay; one written about a demo session is kept, no longer linked to it."""
    # A reflection of the user's that was attached only to demo notices is private again.
    conn.execute(
        "UPDATE reflection SET shared = 0 WHERE id IN (SELECT reflection_id FROM outbox "
        f"WHERE {IN_DEMO}) AND id NOT IN (SELECT reflection_id FROM outbox WHERE NOT "
        f"{IN_DEMO} AND reflection_id IS NOT NULL)"
    )
    for table in ("outbox", "attendance", "checklist_item", "checklist", "reminder_fired",
                  "material", "override"):  # fmt: skip
        conn.execute(f"DELETE FROM {table} WHERE {IN_DEMO}")
    conn.execute("DELETE FROM series WHERE uid IN (SELECT uid FROM demo_series)")
    conn.execute("DELETE FROM reflection WHERE demo = 1")
    conn.execute(f"UPDATE reflection SET series_uid = NULL, original_start = NULL WHERE {IN_DEMO}")
    conn.execute("DELETE FROM demo_series")


def is_demo_series(conn: sqlite3.Connection, uid: str) -> bool:
    return conn.execute("SELECT 1 FROM demo_series WHERE uid = ?", (uid,)).fetchone() is not None
