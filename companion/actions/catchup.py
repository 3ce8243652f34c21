"""Catch-up actions: list checklists, tick and untick items, add an item."""

from __future__ import annotations

from companion.actions.profile import Profile, UserError
from companion.actions.schedule import find_occurrence
from companion.domain.catchup import CatchUpChecklist
from companion.domain.schedule import occurrence_id
from companion.store import repo_catchup


def checklists(profile: Profile, open_only: bool = False) -> list[CatchUpChecklist]:
    return repo_catchup.list_checklists(profile.store.conn, open_only=open_only)


def _checklist(profile: Profile, occ_id: str) -> CatchUpChecklist:
    # By the checklist's own key first: it stays usable even if its session is gone.
    wanted = occ_id.strip().lower()
    for checklist in checklists(profile):
        if occurrence_id(checklist.series_uid, checklist.original_start) == wanted:
            return checklist
    occ = find_occurrence(profile, occ_id)
    found = repo_catchup.get_checklist(profile.store.conn, *occ.key)
    if found is None:
        raise UserError(f"session {occ_id} has no catch-up checklist (mark it missed first)")
    return found


def set_item(profile: Profile, occ_id: str, item: int, done: bool = True) -> CatchUpChecklist:
    """Tick or untick item number ``item`` (1-based, as lists show it)."""
    checklist = _checklist(profile, occ_id)
    if not 1 <= item <= len(checklist.items):
        raise UserError(f"item {item} does not exist; the checklist has {len(checklist.items)}")
    with profile.store.transaction() as conn:
        repo_catchup.set_item_done(
            conn,
            checklist.series_uid,
            checklist.original_start,
            item - 1,
            profile.now() if done else None,
        )
    return _checklist(profile, occ_id)


def add_item(profile: Profile, occ_id: str, text: str, link: str = "") -> CatchUpChecklist:
    if not text.strip():
        raise UserError("an item needs some text")
    checklist = _checklist(profile, occ_id)
    with profile.store.transaction() as conn:
        repo_catchup.add_item(
            conn, checklist.series_uid, checklist.original_start, text.strip(), link
        )
    return _checklist(profile, occ_id)


def checklist_json(c: CatchUpChecklist) -> dict[str, object]:
    return {
        "occurrence": occurrence_id(c.series_uid, c.original_start),
        "title": c.title,
        "kind": c.kind,
        "start": c.original_start.isoformat(),
        "done": c.done_count,
        "total": len(c.items),
        "items": [
            {
                "n": n,
                "text": i.text,
                "key": i.key,
                "done": i.done,
                "done_at": i.done_at.isoformat() if i.done_at else None,
                "link": i.link,
            }
            for n, i in enumerate(c.items, 1)
        ],
    }
