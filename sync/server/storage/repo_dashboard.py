"""Read queries the coordinator dashboard needs beyond the API's: keyset-paged inbox,
counts for the page title, replies of a page of notices, ranges for CSV export.

Mixed into :class:`sync.server.storage.repo.Tx` (same transaction rules: never commits).
The inbox pages by keyset on ``(received_at, id)``, newest first, over the index
``ix_notices_program_received``: a page costs the same with 10 or 10,000 notices.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from sync.server.storage.tables import (
    attendance,
    clients,
    coordinators,
    devices,
    notices,
    received_before,
    replies,
)

PAGE_CAP = 200


class DashboardQueries:
    """Queries for server-rendered coordinator pages."""

    conn: Connection

    def count_new_notices(self, program_id: int) -> int:
        return self.conn.execute(
            select(func.count())
            .select_from(notices)
            .where(notices.c.program_id == program_id, notices.c.status == "new")
        ).scalar_one()

    def newest_notice_key(self, program_id: int) -> str:
        """``received_at|id`` of the newest notice ("" when none): changes when one arrives."""
        row = self.conn.execute(
            select(notices.c.received_at, notices.c.id)
            .where(notices.c.program_id == program_id)
            .order_by(notices.c.received_at.desc(), notices.c.id.desc())
            .limit(1)
        ).first()
        return f"{row[0]}|{row[1]}" if row else ""

    def notices_page(
        self,
        program_id: int,
        *,
        status: str | None = None,
        client_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
        before: tuple[str, str] | None = None,
        limit: int = 25,
    ) -> list[dict[str, Any]]:
        """Notices newest first with the client's name, strictly older than ``before``
        (a ``(received_at, id)`` key) when given; at most ``limit`` (capped) rows."""
        stmt = (
            select(notices, clients.c.name.label("client_name"))
            .join(clients, clients.c.id == notices.c.client_id)
            .where(notices.c.program_id == program_id)
            .order_by(notices.c.received_at.desc(), notices.c.id.desc())
            .limit(max(1, min(limit, PAGE_CAP)))
        )
        if status:
            stmt = stmt.where(notices.c.status == status)
        if client_id is not None:
            stmt = stmt.where(notices.c.client_id == client_id)
        if since:
            stmt = stmt.where(notices.c.received_at >= since)
        if until:
            stmt = stmt.where(notices.c.received_at < until)
        if before is not None:
            stmt = stmt.where(received_before(before))
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def notices_received(
        self, program_id: int, since: str | None, until: str | None
    ) -> Iterable[dict[str, Any]]:
        """Every notice received in ``[since, until)`` oldest first (for CSV export)."""
        stmt = (
            select(notices, clients.c.name.label("client_name"))
            .join(clients, clients.c.id == notices.c.client_id)
            .where(notices.c.program_id == program_id)
            .order_by(notices.c.received_at, notices.c.id)
        )
        if since:
            stmt = stmt.where(notices.c.received_at >= since)
        if until:
            stmt = stmt.where(notices.c.received_at < until)
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def replies_to(self, notice_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Replies (with the coordinator's email) of each notice, oldest first."""
        ids = list(notice_ids)
        out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = self.conn.execute(
            select(replies, coordinators.c.email)
            .join(coordinators, coordinators.c.id == replies.c.coordinator_id)
            .where(replies.c.notice_id.in_(ids))
            .order_by(replies.c.at, replies.c.id)
        )
        found = [dict(r._mapping) for r in rows]
        # The client's standing answer to each reply's make-up slots (revision 0014).
        choices = self.standing_choices(reply_ids=[r["id"] for r in found if r["makeup"]])  # type: ignore[attr-defined]
        for r in found:
            out[r["notice_id"]].append({**r, "choice": choices.get(r["id"])})
        return out

    def attendance_between(
        self, program_id: int, since: str, until: str
    ) -> list[tuple[int, str, str, str, str]]:
        """(client id, series uid, original start, status, recorded at) in a range."""
        rows = self.conn.execute(
            select(
                attendance.c.client_id,
                attendance.c.series_uid,
                attendance.c.original_start,
                attendance.c.status,
                attendance.c.at,
            )
            .where(
                attendance.c.program_id == program_id,
                attendance.c.original_start >= since,
                attendance.c.original_start < until,
            )
            .order_by(attendance.c.original_start, attendance.c.client_id)
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def notice_keys_between(
        self, program_id: int, since: str, until: str
    ) -> list[tuple[int, str, str, str]]:
        """(client id, series uid, original start, timing) of notices for sessions in a range."""
        rows = self.conn.execute(
            select(
                notices.c.client_id,
                notices.c.series_uid,
                notices.c.original_start,
                notices.c.timing,
            ).where(
                notices.c.program_id == program_id,
                notices.c.original_start >= since,
                notices.c.original_start < until,
            )
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def devices_of(self, client_id: int) -> list[dict[str, Any]]:
        """The client's devices (name, enrolled, revoked, discreet feed choice), oldest
        first; never token hashes."""
        rows = self.conn.execute(
            select(
                devices.c.id,
                devices.c.name,
                devices.c.created_at,
                devices.c.revoked_at,
                devices.c.discreet,
            )
            .where(devices.c.client_id == client_id)
            .order_by(devices.c.id)
        )
        return [dict(r._mapping) for r in rows]


__all__ = ["PAGE_CAP", "DashboardQueries"]
