"""Catch-up checklists and their items in the store."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from companion.domain.catchup import CatchUpChecklist, ChecklistItem, template_items
from companion.store.db import from_db, to_db


def ensure_checklist(
    conn: sqlite3.Connection, uid: str, original: datetime, title: str, kind: str, now: datetime
) -> bool:
    """Create the checklist from the kind's template unless it exists. True if created."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO checklist (series_uid, original_start, title, kind, created) "
        "VALUES (?, ?, ?, ?, ?)",
        (uid, to_db(original), title, kind, to_db(now)),
    )
    if cur.rowcount == 0:
        return False
    conn.executemany(
        "INSERT INTO checklist_item (series_uid, original_start, position, key, text) "
        "VALUES (?, ?, ?, ?, ?)",
        [(uid, to_db(original), n, i.key, i.text) for n, i in enumerate(template_items(kind))],
    )
    return True


def get_checklist(
    conn: sqlite3.Connection, uid: str, original: datetime
) -> CatchUpChecklist | None:
    found = list_checklists(conn, key=(uid, original))
    return found[0] if found else None


def list_checklists(
    conn: sqlite3.Connection, *, open_only: bool = False, key: tuple[str, datetime] | None = None
) -> list[CatchUpChecklist]:
    """Checklists, newest missed session first."""
    sql, args = "SELECT series_uid, original_start, title, kind FROM checklist", []
    if key:
        sql += " WHERE series_uid = ? AND original_start = ?"
        args = [key[0], to_db(key[1])]
    heads = conn.execute(sql + " ORDER BY original_start DESC", args).fetchall()
    items: dict[tuple[str, str], list[ChecklistItem]] = {}
    item_sql = "SELECT * FROM checklist_item"
    if key:
        item_sql += " WHERE series_uid = ? AND original_start = ?"
    for r in conn.execute(item_sql + " ORDER BY position, id", args):
        items.setdefault((r["series_uid"], r["original_start"]), []).append(
            ChecklistItem(
                text=r["text"],
                key=r["key"],
                done_at=from_db(r["done_at"]) if r["done_at"] else None,
                link=r["link"],
                id=r["id"],
            )
        )
    out = [
        CatchUpChecklist(h[0], from_db(h[1]), h[2], h[3], tuple(items.get((h[0], h[1]), ())))
        for h in heads
    ]
    return [c for c in out if not c.complete] if open_only else out


def set_item_done(
    conn: sqlite3.Connection, uid: str, original: datetime, position: int, done_at: datetime | None
) -> bool:
    """Tick (``done_at``) or untick (None) the item at ``position`` (0-based)."""
    row = conn.execute(
        "SELECT id FROM checklist_item WHERE series_uid = ? AND original_start = ? "
        "ORDER BY position, id LIMIT 1 OFFSET ?",
        (uid, to_db(original), position),
    ).fetchone()
    if row is None:
        return False
    conn.execute(
        "UPDATE checklist_item SET done_at = ? WHERE id = ?",
        (to_db(done_at) if done_at else None, row[0]),
    )
    return True


def tick_key(
    conn: sqlite3.Connection, uid: str, original: datetime, key: str, when: datetime
) -> int:
    """The self-ticking hook: tick the item with ``key`` if it is not ticked yet."""
    return conn.execute(
        "UPDATE checklist_item SET done_at = ? WHERE series_uid = ? AND original_start = ? "
        "AND key = ? AND done_at IS NULL",
        (to_db(when), uid, to_db(original), key),
    ).rowcount


def add_item(
    conn: sqlite3.Connection, uid: str, original: datetime, text: str, link: str = "", key: str = ""
) -> None:
    position = conn.execute(
        "SELECT coalesce(max(position), -1) + 1 FROM checklist_item "
        "WHERE series_uid = ? AND original_start = ?",
        (uid, to_db(original)),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO checklist_item (series_uid, original_start, position, key, text, link) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (uid, to_db(original), position, key, text, link),
    )


def remove_checklist(conn: sqlite3.Connection, uid: str, original: datetime) -> None:
    conn.execute(
        "DELETE FROM checklist WHERE series_uid = ? AND original_start = ?", (uid, to_db(original))
    )


def update_item_by_key(
    conn: sqlite3.Connection, uid: str, original: datetime, key: str, text: str, link: str
) -> bool:
    """Replace the text and link of the self-made item ``key`` (a corrected material)."""
    return (
        conn.execute(
            "UPDATE checklist_item SET text = ?, link = ? "
            "WHERE series_uid = ? AND original_start = ? AND key = ?",
            (text, link, uid, to_db(original), key),
        ).rowcount
        > 0
    )


def remove_item_by_key(conn: sqlite3.Connection, uid: str, original: datetime, key: str) -> bool:
    """Remove the item ``key`` (a withdrawn material), ticked or not."""
    return (
        conn.execute(
            "DELETE FROM checklist_item WHERE series_uid = ? AND original_start = ? AND key = ?",
            (uid, to_db(original), key),
        ).rowcount
        > 0
    )
