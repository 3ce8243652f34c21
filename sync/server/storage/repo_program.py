"""Storage queries for programs and people: coordinators, sessions, clients, enrolment
codes, devices, and the rate limit (SQLAlchemy Core).

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from sync.server.storage.tables import (
    clients,
    coordinator_sessions,
    coordinators,
    devices,
    enrol_codes,
    failed_attempts,
    programs,
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
    discreet_default: bool = False
    crisis_contacts: str = "[]"  # JSON: a list of protocol CrisisContactWire
    retain_notices_days: int = 730  # revision 0013: sync/server/retention.py
    retain_audit_days: int = 2190


@dataclass(frozen=True, slots=True)
class ClientRow:
    id: int
    program_id: int
    name: str
    created_at: str
    revoked_at: str | None
    devices: int
    discharged_at: str | None = None


@dataclass(frozen=True, slots=True)
class CoordinatorAuth:
    """Who a session belongs to: the coordinator, their program and their role."""

    coordinator_id: int
    program_id: int
    email: str
    role: str = "coordinator"
    address: str | None = None  # the request's client address (set per request)
    last_used_at: str | None = None  # the session's last use as stored (revision 0012)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class ProgramQueries:
    """Programs, coordinators and their sessions, rate limiting, clients, codes, devices."""

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
        discreet_default: bool = False,
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
                "discreet_default": discreet_default,
            },
        ).scalar_one()

    def set_discreet_default(self, program_id: int, discreet: bool, now: str) -> int:
        """Change the program's default for discreet feeds; returns how many devices' feeds
        changed (those following the default: their feed revision is bumped)."""
        changed = self.conn.execute(
            update(programs)
            .where(programs.c.id == program_id, programs.c.discreet_default != discreet)
            .values(discreet_default=discreet)
        ).rowcount
        if not changed:
            return 0
        followers = select(clients.c.id).where(clients.c.program_id == program_id)
        return self.conn.execute(
            update(devices)
            .where(devices.c.discreet.is_(None), devices.c.client_id.in_(followers))
            .values(feed_rev=devices.c.feed_rev + 1, feed_changed_at=now)
        ).rowcount

    def set_crisis_contacts(self, program_id: int, body: str) -> bool:
        """Store the program's crisis contacts (checked JSON); True when they changed."""
        return (
            self.conn.execute(
                update(programs)
                .where(programs.c.id == program_id, programs.c.crisis_contacts != body)
                .values(crisis_contacts=body)
            ).rowcount
            > 0
        )

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

    def add_coordinator(
        self, program_id: int, email: str, password_hash: str, now: str, role: str = "coordinator"
    ) -> int:
        return self.conn.execute(
            insert(coordinators).returning(coordinators.c.id),
            {
                "program_id": program_id,
                "email": email,
                "password_hash": password_hash,
                "created_at": now,
                "role": role,
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

    def add_session(
        self, token_hash: str, coordinator_id: int, now: str, expires: str,
        address: str | None = None,
    ) -> None:  # fmt: skip
        self.conn.execute(
            insert(coordinator_sessions),
            {
                "token_hash": token_hash,
                "coordinator_id": coordinator_id,
                "created_at": now,
                "expires_at": expires,
                "address": address,
                "last_used_at": now,
            },
        )

    def coordinator_by_session(
        self, token_hash: str, now: str, idle_since: str | None = None
    ) -> CoordinatorAuth | None:
        """The live session's coordinator: not expired, used after ``idle_since`` (the
        idle timeout), and the account not disabled."""
        s = coordinator_sessions.c
        last_used = func.coalesce(s.last_used_at, s.created_at)
        stmt = (
            select(
                coordinators.c.id,
                coordinators.c.program_id,
                coordinators.c.email,
                coordinators.c.role,
                last_used,
            )
            .join(coordinator_sessions, s.coordinator_id == coordinators.c.id)
            .where(s.token_hash == token_hash, s.expires_at > now,
                   coordinators.c.disabled_at.is_(None))
        )  # fmt: skip
        if idle_since is not None:
            stmt = stmt.where(last_used > idle_since)
        row = self.conn.execute(stmt).first()
        if row is None:
            return None
        return CoordinatorAuth(row[0], row[1], row[2], row[3], last_used_at=row[4])

    def touch_session(self, token_hash: str, now: str) -> None:
        """Record the session's use (the caller writes at most once a minute)."""
        self.conn.execute(
            update(coordinator_sessions)
            .where(coordinator_sessions.c.token_hash == token_hash)
            .values(last_used_at=now)
        )

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
                clients.c.discharged_at,
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

    def revoke_own_device(self, device_id: int, now: str) -> bool:
        """Revoke one device (its token and feed); True when it was live until now."""
        return (
            self.conn.execute(
                update(devices)
                .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            > 0
        )

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
                "feed_rev": 0,
            },
        ).scalar_one()

    def device_discreet(
        self, device_id: int, *, lock: bool = False
    ) -> tuple[bool | None, bool] | None:
        """(the device's discreet choice, its program's default); None: no such device.

        ``lock`` holds the program's row and then the device's until commit (PostgreSQL;
        SQLite writers are serialized anyway), in the order ``set_discreet_default`` takes
        them, so a change decided from these values never interleaves with another.
        """
        stmt = (
            select(devices.c.discreet, programs.c.discreet_default)
            .join(clients, clients.c.id == devices.c.client_id)
            .join(programs, programs.c.id == clients.c.program_id)
            .where(devices.c.id == device_id)
        )
        if lock:
            self.conn.execute(stmt.with_for_update(of=programs))
            stmt = stmt.with_for_update(of=devices)
        row = self.conn.execute(stmt).first()
        return (row[0], row[1]) if row else None

    def set_device_discreet(
        self, device_id: int, discreet: bool | None, now: str, *, feed_changed: bool
    ) -> None:
        """Store the device's choice; ``feed_changed`` bumps its feed revision too."""
        values: dict[str, Any] = {"discreet": discreet}
        if feed_changed:
            values |= {"feed_rev": devices.c.feed_rev + 1, "feed_changed_at": now}
        self.conn.execute(update(devices).where(devices.c.id == device_id).values(**values))


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
        programs.c.discreet_default,
        programs.c.crisis_contacts,
        programs.c.retain_notices_days,
        programs.c.retain_audit_days,
    )


__all__ = ["ClientRow", "CoordinatorAuth", "ProgramQueries", "ProgramRow"]
