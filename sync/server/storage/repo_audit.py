"""Storage queries for the audit trail and the attendance history (SQLAlchemy Core).

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does, so an audit entry
commits or rolls back with the change it records. The trail has no update or delete
here (and the database refuses both: revision 0010's triggers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from sync.server.storage.tables import attendance_history, audit, coordinators

AUDIT_PAGE_CAP = 100_000  # the CSV's; the page and the API ask for far fewer


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an admin narrows the trail to (every field optional); ``before``: entries
    older than this id (paging, newest first)."""

    actor_id: int | None = None  # a coordinator of the program
    client_id: int | None = None
    action: str | None = None
    since: str | None = None
    until: str | None = None
    before: int | None = None


class AuditQueries:
    """The audit trail and the history of attendance records."""

    conn: Connection

    def add_audit(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(audit), rows)

    def audit_entries(
        self, program_id: int, where: AuditFilter, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The program's entries matching ``where``, newest first."""
        a = audit.c
        stmt = (
            select(audit)
            .where(a.program_id == program_id)
            .order_by(a.id.desc())
            .limit(max(1, min(limit, AUDIT_PAGE_CAP)))
        )
        conds = [
            (a.actor_kind == "coordinator") & (a.actor_id == where.actor_id)
            if where.actor_id is not None
            else None,
            a.client_id == where.client_id if where.client_id is not None else None,
            a.action == where.action if where.action else None,
            a.at >= where.since if where.since else None,
            a.at < where.until if where.until else None,
            a.id < where.before if where.before is not None else None,
        ]
        stmt = stmt.where(*[c for c in conds if c is not None])
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def attendance_history_of(self, program_id: int, client_id: int) -> list[dict[str, Any]]:
        """Every status recorded for the client, oldest first, with who recorded it."""
        h = attendance_history.c
        rows = self.conn.execute(
            select(h.series_uid, h.original_start, h.status, h.at, coordinators.c.email)
            .outerjoin(coordinators, coordinators.c.id == h.recorded_by)
            .where(h.program_id == program_id, h.client_id == client_id)
            .order_by(h.original_start, h.id)
        )
        return [dict(r._mapping) for r in rows]


__all__ = ["AUDIT_PAGE_CAP", "AuditFilter", "AuditQueries"]
