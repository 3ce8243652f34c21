"""Storage queries for programs, people and the records coordinators keep (SQLAlchemy Core).

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from sync.server.storage.tables import (
    attendance,
    changes,
    clients,
    coordinator_sessions,
    coordinators,
    devices,
    enrol_codes,
    failed_attempts,
    materials,
    notices,
    programs,
    replies,
    series,
)


@dataclass(frozen=True, slots=True)
class ProgramRow:
    id: int
    name: str
    timezone: str
    threshold: float
    unexcused_limit: int
    coordinator: str
    last_change: int
    last_change_at: str


@dataclass(frozen=True, slots=True)
class ClientRow:
    id: int
    program_id: int
    name: str
    created_at: str
    revoked_at: str | None
    devices: int


@dataclass(frozen=True, slots=True)
class CoordinatorAuth:
    coordinator_id: int
    program_id: int
    email: str


class ProgramQueries:
    """Programs, coordinators, clients, enrolment, series, change log and records."""

    conn: Connection

    # -- programs ------------------------------------------------------------------

    def add_program(
        self,
        name: str,
        timezone: str,
        threshold: float,
        unexcused_limit: int,
        coordinator: str,
        now: str,
    ) -> int:
        return self.conn.execute(
            insert(programs).returning(programs.c.id),
            {
                "name": name,
                "timezone": timezone,
                "threshold": threshold,
                "unexcused_limit": unexcused_limit,
                "coordinator": coordinator,
                "last_change": 0,
                "last_change_at": now,
                "created_at": now,
            },
        ).scalar_one()

    def programs(self) -> list[ProgramRow]:
        rows = self.conn.execute(_program_select().order_by(programs.c.id))
        return [ProgramRow(*r) for r in rows]

    def program(self, program_id: int) -> ProgramRow | None:
        row = self.conn.execute(_program_select().where(programs.c.id == program_id)).first()
        return ProgramRow(*row) if row else None

    def program_by_name(self, name: str) -> ProgramRow | None:
        row = self.conn.execute(_program_select().where(programs.c.name == name)).first()
        return ProgramRow(*row) if row else None

    # -- coordinators and their sessions ---------------------------------------------

    def add_coordinator(self, program_id: int, email: str, password_hash: str, now: str) -> int:
        return self.conn.execute(
            insert(coordinators).returning(coordinators.c.id),
            {
                "program_id": program_id,
                "email": email,
                "password_hash": password_hash,
                "created_at": now,
            },
        ).scalar_one()

    def coordinator_by_email(self, email: str) -> tuple[int, int, str] | None:
        """(coordinator id, program id, password hash)."""
        row = self.conn.execute(
            select(
                coordinators.c.id, coordinators.c.program_id, coordinators.c.password_hash
            ).where(coordinators.c.email == email)
        ).first()
        return (row[0], row[1], row[2]) if row else None

    def add_session(self, token_hash: str, coordinator_id: int, now: str, expires: str) -> None:
        self.conn.execute(
            insert(coordinator_sessions),
            {
                "token_hash": token_hash,
                "coordinator_id": coordinator_id,
                "created_at": now,
                "expires_at": expires,
            },
        )

    def coordinator_by_session(self, token_hash: str, now: str) -> CoordinatorAuth | None:
        row = self.conn.execute(
            select(coordinators.c.id, coordinators.c.program_id, coordinators.c.email)
            .join(coordinator_sessions, coordinator_sessions.c.coordinator_id == coordinators.c.id)
            .where(
                coordinator_sessions.c.token_hash == token_hash,
                coordinator_sessions.c.expires_at > now,
            )
        ).first()
        return CoordinatorAuth(*row) if row else None

    def delete_session(self, token_hash: str) -> None:
        self.conn.execute(
            delete(coordinator_sessions).where(coordinator_sessions.c.token_hash == token_hash)
        )

    # -- rate limiting ------------------------------------------------------------------

    def failures_since(self, scope: str, remote: str, since: str) -> int:
        return self.conn.execute(
            select(func.count())
            .select_from(failed_attempts)
            .where(
                failed_attempts.c.scope == scope,
                failed_attempts.c.remote == remote,
                failed_attempts.c.at > since,
            )
        ).scalar_one()

    def add_failure(self, scope: str, remote: str, now: str, prune_before: str) -> None:
        self.conn.execute(delete(failed_attempts).where(failed_attempts.c.at < prune_before))
        self.conn.execute(insert(failed_attempts), {"scope": scope, "remote": remote, "at": now})

    # -- clients, enrolment codes, devices -------------------------------------------

    def add_client(self, program_id: int, name: str, now: str) -> int:
        return self.conn.execute(
            insert(clients).returning(clients.c.id),
            {
                "program_id": program_id,
                "name": name,
                "created_at": now,
                "feed_rev": 0,
                "feed_changed_at": now,
            },
        ).scalar_one()

    def clients_of(self, program_id: int, client_id: int | None = None) -> list[ClientRow]:
        live = func.count(devices.c.id).filter(devices.c.revoked_at.is_(None))
        stmt = (
            select(
                clients.c.id,
                clients.c.program_id,
                clients.c.name,
                clients.c.created_at,
                clients.c.revoked_at,
                live,
            )
            .outerjoin(devices, devices.c.client_id == clients.c.id)
            .where(clients.c.program_id == program_id)
            .group_by(clients.c.id)
            .order_by(clients.c.name, clients.c.id)
        )
        if client_id is not None:
            stmt = stmt.where(clients.c.id == client_id)
        return [ClientRow(*r) for r in self.conn.execute(stmt)]

    def client(self, client_id: int) -> ClientRow | None:
        stmt = select(clients.c.program_id).where(clients.c.id == client_id)
        row = self.conn.execute(stmt).first()
        if row is None:
            return None
        return self.clients_of(row[0], client_id)[0]

    def revoke_client(self, client_id: int, now: str) -> int:
        """Revoke the client and every device; returns how many devices lost access."""
        self.conn.execute(
            update(clients)
            .where(clients.c.id == client_id, clients.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        self.conn.execute(
            update(enrol_codes)
            .where(enrol_codes.c.client_id == client_id, enrol_codes.c.used_at.is_(None))
            .values(used_at=now)
        )
        return self.conn.execute(
            update(devices)
            .where(devices.c.client_id == client_id, devices.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount

    def add_code(self, code_hash: str, client_id: int, now: str, expires: str) -> None:
        self.conn.execute(
            insert(enrol_codes),
            {
                "code_hash": code_hash,
                "client_id": client_id,
                "created_at": now,
                "expires_at": expires,
            },
        )

    def claim_code(self, code_hash: str, now: str) -> int | None:
        """Mark an unused, unexpired code used and return its client (None: not valid).

        A single UPDATE, so two devices racing with one code cannot both win.
        """
        live_client = (
            select(clients.c.id)
            .where(clients.c.id == enrol_codes.c.client_id, clients.c.revoked_at.is_(None))
            .exists()
        )
        row = self.conn.execute(
            update(enrol_codes)
            .where(
                enrol_codes.c.code_hash == code_hash,
                enrol_codes.c.used_at.is_(None),
                enrol_codes.c.expires_at > now,
                live_client,
            )
            .values(used_at=now)
            .returning(enrol_codes.c.client_id)
        ).first()
        return row[0] if row else None

    def add_device(
        self, client_id: int, name: str, token_hash: str, feed_hash: str, now: str
    ) -> int:
        return self.conn.execute(
            insert(devices).returning(devices.c.id),
            {
                "client_id": client_id,
                "name": name,
                "token_hash": token_hash,
                "feed_hash": feed_hash,
                "created_at": now,
            },
        ).scalar_one()

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

    def add_reply(
        self,
        notice_id: str,
        coordinator_id: int,
        status: str,
        text: str,
        makeup: str | None,
        links: str,
        now: str,
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
            },
        ).scalar_one()

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
    ) -> None:
        key = and_(
            attendance.c.client_id == client_id,
            attendance.c.series_uid == series_uid,
            attendance.c.original_start == original_start,
        )
        done = self.conn.execute(update(attendance).where(key).values(status=status, at=now))
        if done.rowcount == 0:
            self.conn.execute(
                insert(attendance),
                {
                    "program_id": program_id,
                    "client_id": client_id,
                    "series_uid": series_uid,
                    "original_start": original_start,
                    "status": status,
                    "at": now,
                },
            )

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


def _program_select() -> Any:
    return select(
        programs.c.id,
        programs.c.name,
        programs.c.timezone,
        programs.c.threshold,
        programs.c.unexcused_limit,
        programs.c.coordinator,
        programs.c.last_change,
        programs.c.last_change_at,
    )


__all__ = ["ClientRow", "CoordinatorAuth", "ProgramQueries", "ProgramRow"]
