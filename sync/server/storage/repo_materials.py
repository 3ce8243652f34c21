"""Storage queries for materials: a session's links, one by id, edits and withdrawal.

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does. A withdrawn material
stays in the table (``withdrawn_at`` set) and is left out of every query here but
:meth:`MaterialQueries.material` with ``withdrawn=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select, tuple_, update

from sync.server.storage.tables import coordinators, materials

_COLUMNS = (
    materials.c.id,
    materials.c.series_uid,
    materials.c.original_start,
    materials.c.kind,
    materials.c.title,
    materials.c.url,
    materials.c.note,
    materials.c.at,
    materials.c.updated_at,
    coordinators.c.email.label("by"),
)


class MaterialQueries:
    """A program's materials, each a row with an id."""

    conn: Connection

    def _materials(self, program_id: int) -> Any:
        return (
            select(*_COLUMNS)
            .join(coordinators, coordinators.c.id == materials.c.coordinator_id)
            .where(materials.c.program_id == program_id, materials.c.withdrawn_at.is_(None))
            .order_by(materials.c.id)
        )

    def materials_of_session(
        self, program_id: int, series_uid: str, original_start: str
    ) -> list[dict[str, Any]]:
        """The session's materials (not withdrawn), oldest first, with who attached them."""
        stmt = self._materials(program_id).where(
            materials.c.series_uid == series_uid, materials.c.original_start == original_start
        )
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def materials_of_sessions(
        self, program_id: int, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """The materials of several sessions ((series uid, original start) each) at once."""
        wanted = sorted(set(keys))
        out: dict[tuple[str, str], list[dict[str, Any]]] = {k: [] for k in wanted}
        if not wanted:
            return out
        stmt = self._materials(program_id).where(
            tuple_(materials.c.series_uid, materials.c.original_start).in_(wanted)
        )
        for r in self.conn.execute(stmt):
            out[(r.series_uid, r.original_start)].append(dict(r._mapping))
        return out

    def material(self, program_id: int, material_id: int) -> dict[str, Any] | None:
        """One material of the program that is not withdrawn (None: none such)."""
        found = self.conn.execute(
            self._materials(program_id).where(materials.c.id == material_id)
        ).first()
        return dict(found._mapping) if found is not None else None

    def update_material(self, material_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(materials).where(materials.c.id == material_id).values(values))
