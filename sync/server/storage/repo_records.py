"""Storage queries for the program's records: series, the change log, notices, replies,
materials and attendance (SQLAlchemy Core).

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from sync.server.storage.tables import (
    attendance,
    attendance_history,
    changes,
    clients,
    materials,
    notices,
    programs,
    received_before,
    replies,
    series,
)


class RecordQueries:
    """Series, the change log, notices, replies, materials and attendance."""

    conn: Connection

    # -- series and the change log ---------------------------------------------------

    def series_bodies(self, program_id: int) -> list[tuple[str, str, str]]:
        """(uid, SeriesWire JSON, updated_at) of the program's series, by uid."""
        rows = self.conn.execute(
            select(series.c.uid, series.c.body, series.c.updated_at)
            .where(series.c.program_id == program_id)
            .order_by(series.c.uid)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def series_body(self, program_id: int, uid: str) -> str | None:
        return self.conn.execute(
            select(series.c.body).where(series.c.program_id == program_id, series.c.uid == uid)
        ).scalar_one_or_none()

    def put_series(self, program_id: int, uid: str, body: str, now: str, *, new: bool) -> None:
        if new:
            self.conn.execute(
                insert(series),
                {"program_id": program_id, "uid": uid, "body": body, "updated_at": now},
            )
        else:
            self.conn.execute(
                update(series)
                .where(series.c.program_id == program_id, series.c.uid == uid)
                .values(body=body, updated_at=now)
            )

    def delete_series(self, program_id: int, uid: str) -> bool:
        return (
            self.conn.execute(
                delete(series).where(series.c.program_id == program_id, series.c.uid == uid)
            ).rowcount
            == 1
        )

    def append_changes(
        self, program_id: int, entries: Iterable[tuple[int | None, str]], now: str
    ) -> int:
        """Append (client id or None for everyone, Change JSON) entries; the new counter.

        The counter row is updated (and so locked until commit) in this transaction, so
        writers commit in counter order and a reader never sees seq N+1 without N.
        """
        items = list(entries)
        last = self.conn.execute(
            update(programs)
            .where(programs.c.id == program_id)
            .values(last_change=programs.c.last_change + len(items), last_change_at=now)
            .returning(programs.c.last_change)
        ).scalar_one()
        first = last - len(items) + 1
        if items:
            self.conn.execute(
                insert(changes),
                [
                    {
                        "program_id": program_id,
                        "seq": first + i,
                        "client_id": cid,
                        "body": body,
                        "at": now,
                    }
                    for i, (cid, body) in enumerate(items)
                ],
            )
        return last

    # -- notices, replies, materials, attendance -----------------------------------------

    def notices_of(
        self,
        program_id: int,
        *,
        status: str | None = None,
        client_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
        offset: int = 0,
        notice_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Notices of the program, newest first, with the client's name."""
        stmt = (
            select(notices, clients.c.name.label("client_name"))
            .join(clients, clients.c.id == notices.c.client_id)
            .where(notices.c.program_id == program_id)
            .order_by(notices.c.received_at.desc(), notices.c.id)
            .limit(limit)
            .offset(offset)
        )
        conds = [
            notices.c.status == status if status else None,
            notices.c.client_id == client_id if client_id is not None else None,
            notices.c.received_at >= since if since else None,
            notices.c.received_at < until if until else None,
            notices.c.id == notice_id if notice_id else None,
        ]
        stmt = stmt.where(*[c for c in conds if c is not None])
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def client_notices(
        self, program_id: int, client_id: int, before: tuple[str, str] | None, limit: int
    ) -> list[dict[str, Any]]:
        """One client's notices newest first, from just past ``before`` (a
        ``(received_at, id)`` key) when given; at most ``limit``. The index on
        (client_id, received_at, id) answers it whatever the program holds."""
        stmt = (
            select(notices)
            .where(notices.c.client_id == client_id, notices.c.program_id == program_id)
            .order_by(notices.c.received_at.desc(), notices.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            stmt = stmt.where(received_before(before))
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def set_notice_status(self, notice_id: str, status: str) -> None:
        self.conn.execute(update(notices).where(notices.c.id == notice_id).values(status=status))

    def advance_notices(
        self, client_ids: Iterable[int], since: str | None = None
    ) -> set[tuple[int, str, str]]:
        """(client id, series uid, original start) the clients gave advance notice for
        (only sessions from ``since`` on, when given: the cost stays flat as years pass)."""
        ids = list(client_ids)
        if not ids:
            return set()
        stmt = select(notices.c.client_id, notices.c.series_uid, notices.c.original_start).where(
            notices.c.client_id.in_(ids), notices.c.timing == "advance"
        )
        if since is not None:
            stmt = stmt.where(notices.c.original_start >= since)
        return {(r[0], r[1], r[2]) for r in self.conn.execute(stmt)}

    def advance_notice_times(self, client_id: int) -> list[tuple[str, str, str]]:
        """(series uid, original start, first received) of each session the client gave
        advance notice for: when it became excused, which the feed shows it since."""
        rows = self.conn.execute(
            select(notices.c.series_uid, notices.c.original_start, func.min(notices.c.received_at))
            .where(notices.c.client_id == client_id, notices.c.timing == "advance")
            .group_by(notices.c.series_uid, notices.c.original_start)
            .order_by(notices.c.series_uid, notices.c.original_start)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def add_reply(
        self,
        notice_id: str,
        coordinator_id: int,
        status: str,
        text: str,
        makeup: str | None,
        links: str,
        now: str,
        slots: str | None = None,
    ) -> int:
        return self.conn.execute(
            insert(replies).returning(replies.c.id),
            {
                "notice_id": notice_id,
                "coordinator_id": coordinator_id,
                "status": status,
                "text": text,
                "makeup": makeup,
                "materials": links,
                "at": now,
                "makeup_slots": slots,
            },
        ).scalar_one()

    def makeup_offer(self, reply_id: int, client_id: int) -> str | None:
        """The make-up slot (MakeupSlot JSON) of reply ``reply_id``, when it answers one of
        ``client_id``'s notices."""
        return self.conn.execute(
            select(replies.c.makeup)
            .join(notices, notices.c.id == replies.c.notice_id)
            .where(
                replies.c.id == reply_id,
                notices.c.client_id == client_id,
                replies.c.makeup.is_not(None),
            )
        ).scalar_one_or_none()

    def add_material(self, program_id: int, values: dict[str, Any]) -> int:
        return self.conn.execute(
            insert(materials).returning(materials.c.id), {"program_id": program_id, **values}
        ).scalar_one()

    def put_attendance(
        self,
        program_id: int,
        client_id: int,
        series_uid: str,
        original_start: str,
        status: str,
        now: str,
        recorded_by: int | None = None,
    ) -> None:
        """The client's status for a session, replacing any before it (which stays in
        ``attendance_history`` with who recorded it)."""
        key = and_(
            attendance.c.client_id == client_id,
            attendance.c.series_uid == series_uid,
            attendance.c.original_start == original_start,
        )
        done = self.conn.execute(
            update(attendance).where(key).values(status=status, at=now, recorded_by=recorded_by)
        )
        row = {
            "program_id": program_id,
            "client_id": client_id,
            "series_uid": series_uid,
            "original_start": original_start,
            "status": status,
            "at": now,
            "recorded_by": recorded_by,
        }
        if done.rowcount == 0:
            self.conn.execute(insert(attendance), row)
        self.conn.execute(insert(attendance_history), row)

    def attendance_recorded(self, program_id: int, series_uid: str, original_start: str) -> bool:
        """Whether the program recorded anyone's attendance for this occurrence."""
        found = self.conn.execute(
            select(attendance.c.client_id)
            .where(
                attendance.c.program_id == program_id,
                attendance.c.series_uid == series_uid,
                attendance.c.original_start == original_start,
            )
            .limit(1)
        ).first()
        return found is not None

    def attendance_of(
        self, program_id: int, since: str | None = None
    ) -> list[tuple[int, str, str, str]]:
        """(client id, series uid, original start, status) recorded for the program
        (sessions from ``since`` on, when given)."""
        stmt = select(
            attendance.c.client_id,
            attendance.c.series_uid,
            attendance.c.original_start,
            attendance.c.status,
        ).where(attendance.c.program_id == program_id)
        if since is not None:
            stmt = stmt.where(attendance.c.original_start >= since)
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute(stmt)]
