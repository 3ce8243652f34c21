"""A session's materials as things: listed, edited and withdrawn (attaching one is
``coordinator.add_material``).

Each change reaches clients through the changes feed, to every client of the program as
the material itself did: an edit is the material again under its id (the client
replaces what it has), a withdrawal is ``MaterialWithdrawn`` (the client removes it and
its checklist link). Each writes its audit entry in the same transaction. Another
program's material is NotFound, as if it did not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.protocol import MaterialAdded, MaterialEdit, MaterialOut, MaterialWithdrawn
from sync.server import audit
from sync.server.coordinator import Invalid, find_series, occurs
from sync.server.core import NotFound
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp, unstamp


def material_out(row: dict[str, Any]) -> MaterialOut:
    """A stored material (a row of ``Tx.materials_of_session``) as coordinators see it."""
    return MaterialOut(
        id=row["id"],
        series_uid=row["series_uid"],
        original_start=unstamp(row["original_start"]),
        kind=row["kind"] if row["kind"] in ("notes", "handout", "recording") else "other",
        title=row["title"],
        url=row["url"],
        note=row["note"] or "",
        at=unstamp(row["updated_at"] or row["at"]),
        by=row["by"] or "",
    )


def list_materials(tx: Tx, auth: CoordinatorAuth, series_uid: str,
                   original_start: datetime) -> list[MaterialOut] | NotFound | Invalid:  # fmt: skip
    """The session's materials, oldest first (withdrawn ones left out)."""
    wire = find_series(tx, auth, series_uid)
    if wire is None:
        return NotFound("no such series")
    if not occurs(wire, original_start):
        return Invalid("the series has no session starting at original_start")
    rows = tx.materials_of_session(auth.program_id, series_uid, stamp(original_start))
    return [material_out(r) for r in rows]


def get_material(tx: Tx, auth: CoordinatorAuth, material_id: int) -> MaterialOut | NotFound:
    row = tx.material(auth.program_id, material_id)
    return material_out(row) if row is not None else NotFound("no such material")


def update_material(tx: Tx, auth: CoordinatorAuth, material_id: int, body: MaterialEdit,
                    now: datetime) -> MaterialOut | NotFound:  # fmt: skip
    """Correct a material's kind, title, link or note; clients replace their copy."""
    found = get_material(tx, auth, material_id)
    if isinstance(found, NotFound):
        return found
    same = (found.kind, found.title, found.url, found.note)
    if same == (body.kind, body.title, str(body.url), body.note):
        return found
    at = stamp(now)
    tx.update_material(material_id, {"kind": body.kind, "title": body.title,
                                     "url": str(body.url), "note": body.note,
                                     "updated_at": at})  # fmt: skip
    change = MaterialAdded(id=material_id, series_uid=found.series_uid,
                           original_start=found.original_start, kind=body.kind,
                           title=body.title, url=str(body.url), note=body.note)  # fmt: skip
    tx.append_changes(auth.program_id, [(None, change.feed_json())], at)
    audit.record(tx, auth, "materials.edited", now, target=audit.session_key(
        found.series_uid, found.original_start), detail=f"material {material_id}")  # fmt: skip
    return found.model_copy(update={**body.model_dump(), "url": str(body.url), "at": now})


def withdraw_material(tx: Tx, auth: CoordinatorAuth, material_id: int,
                      now: datetime) -> MaterialWithdrawn | NotFound:  # fmt: skip
    """Withdraw a material: it leaves the dashboard and, on their next sync, every client."""
    found = get_material(tx, auth, material_id)
    if isinstance(found, NotFound):
        return found
    at = stamp(now)
    tx.update_material(material_id, {"withdrawn_at": at})
    change = MaterialWithdrawn(id=material_id, series_uid=found.series_uid,
                               original_start=found.original_start)  # fmt: skip
    tx.append_changes(auth.program_id, [(None, change.model_dump_json())], at)
    audit.record(tx, auth, "materials.withdrawn", now, target=audit.session_key(
        found.series_uid, found.original_start), detail=f"material {material_id}")  # fmt: skip
    return change
