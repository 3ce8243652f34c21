"""Materials from the coordinator on catch-up checklists: linked once each, whether they
arrive before or after the checklist is made."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from companion.store import repo_catchup, repo_sync

MATERIAL_TEXT = {
    "notes": "read the notes",
    "handout": "do the handout",
    "recording": "watch the recording",
    "other": "look at",
}


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
            f"{MATERIAL_TEXT.get(m['kind'], 'look at')}: {m['title']}",
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
