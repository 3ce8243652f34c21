"""Materials from the coordinator on catch-up checklists: linked once each, whether they
arrive before or after the checklist is made."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from companion.domain.attendance import Status
from companion.store import repo_catchup, repo_schedule, repo_sync

MATERIAL_TEXT = {
    "notes": "read the notes",
    "handout": "do the handout",
    "recording": "watch the recording",
    "other": "look at",
}


def material_item(kind: str, title: str, note: str = "") -> str:
    """A material's line on a checklist: 'do the handout: Week 3 (pages 2-4)'."""
    line = f"{MATERIAL_TEXT.get(kind, 'look at')}: {title}"
    return f"{line} ({note})" if note else line


def replace_on_checklist(
    conn: sqlite3.Connection, mid: int, uid: str, original: datetime, kind: str, title: str,
    url: str, note: str = "",
) -> bool:  # fmt: skip
    """A new or corrected material: its checklist item (if any) says and links the new one,
    and a checklist without it gets it. True when a checklist shows the change."""
    key = f"material:{mid}"
    text = material_item(kind, title, note)
    updated = repo_catchup.update_item_by_key(conn, uid, original, key, text, url)
    return attach_materials(conn, uid, original) > 0 or updated


def has_materials(conn: sqlite3.Connection, uid: str, original: datetime) -> bool:
    """Whether the program attached materials to an occurrence."""
    return bool(repo_sync.materials_for(conn, uid, original))


def checklist_when_excused(conn: sqlite3.Connection, uid: str, original: datetime,
                           now: datetime) -> bool:  # fmt: skip
    """A session the client said ahead they would miss (excused) gets its catch-up
    checklist once the program sends something to catch up on. True if one was made."""
    if repo_schedule.mark_of(conn, uid, original) is not Status.EXCUSED:
        return False
    series = repo_schedule.get_series(conn, uid)
    if series is None:
        return False
    return repo_catchup.ensure_checklist(conn, uid, original, series.title, series.kind.value,
                                         now)  # fmt: skip


def withdraw_from_checklist(conn: sqlite3.Connection, mid: int, uid: str,
                            original: datetime) -> bool:  # fmt: skip
    """A withdrawn material leaves its checklist. True when one showed it."""
    return repo_catchup.remove_item_by_key(conn, uid, original, f"material:{mid}")


def attach_materials(conn: sqlite3.Connection, uid: str, original: datetime) -> int:
    """Link the coordinator's materials for an occurrence on its catch-up checklist, once
    each (inside a transaction). Materials that came before the checklist wait in the store
    and are linked when it is made. Returns how many items were added."""
    checklist = repo_catchup.get_checklist(conn, uid, original)
    if checklist is None:
        return 0
    have = {i.key for i in checklist.items}
    wanted = [
        (
            f"material:{m['id']}",
            material_item(m["kind"], m["title"], m["note"]),
            m["url"],
        )
        for m in repo_sync.materials_for(conn, uid, original)
    ]
    for reply in repo_sync.list_replies(conn):
        if reply.series_uid == uid and reply.original_start == original:
            wanted += [
                (f"reply:{reply.id}:{n}", f"look at: {title}", url)
                for n, (title, url) in enumerate(reply.materials)
            ]
    added = 0
    for key, text, url in wanted:
        if key not in have:
            repo_catchup.add_item(conn, uid, original, text, link=url, key=key)
            added += 1
    return added
