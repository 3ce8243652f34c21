"""Storage queries for coordinator accounts' security: sign-in attempts (the throttle's
record), SQLAlchemy Core.

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select, update

from sync.server.storage.tables import coordinator_sessions, coordinators, signin_attempts

FAILING = ("pending", "failed")  # an attempt still being checked counts as a failure


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A coordinator account as the team page lists it (never its password hash)."""

    id: int
    email: str
    role: str
    created_at: str
    disabled_at: str | None = None


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One of a coordinator's sessions (``token_hash`` never leaves the server)."""

    token_hash: str
    created_at: str
    last_used_at: str | None
    expires_at: str
    address: str | None


@dataclass(frozen=True, slots=True)
class AttemptCounts:
    """Failed (or unfinished) sign-in attempts within the window, and the times the
    throttle's waits are measured from."""

    from_address: int  # any account, from this address
    pair: int  # this account from this address
    account: int  # this account from anywhere
    oldest_from_address: str | None
    oldest_pair: str | None
    newest_account: str | None
    usual_address: bool  # the account signed in from this address before


class AccountQueries:
    """Coordinator accounts of a program, and sign-in attempts."""

    conn: Connection

    def accounts_of(self, program_id: int) -> list[AccountRow]:
        c = coordinators.c
        rows = self.conn.execute(
            select(c.id, c.email, c.role, c.created_at, c.disabled_at)
            .where(c.program_id == program_id)
            .order_by(c.email)
        )
        return [AccountRow(*r) for r in rows]

    def account_of(self, program_id: int, coordinator_id: int) -> AccountRow | None:
        """The program's account ``coordinator_id`` (None: no such account here)."""
        found = [a for a in self.accounts_of(program_id) if a.id == coordinator_id]
        return found[0] if found else None

    def email_taken(self, email: str) -> bool:
        row = self.conn.execute(select(coordinators.c.id).where(coordinators.c.email == email))
        return row.first() is not None

    def count_admins(self, program_id: int) -> int:
        """The program's admins that are not disabled."""
        c = coordinators.c
        return self.conn.execute(
            select(func.count())
            .select_from(coordinators)
            .where(c.program_id == program_id, c.role == "admin", c.disabled_at.is_(None))
        ).scalar_one()

    def set_role(self, coordinator_id: int, role: str) -> None:
        self.conn.execute(
            update(coordinators).where(coordinators.c.id == coordinator_id).values(role=role)
        )

    def set_disabled(self, coordinator_id: int, at: str | None) -> None:
        self.conn.execute(
            update(coordinators).where(coordinators.c.id == coordinator_id).values(disabled_at=at)
        )

    def password_hash_of(self, coordinator_id: int) -> str:
        return self.conn.execute(
            select(coordinators.c.password_hash).where(coordinators.c.id == coordinator_id)
        ).scalar_one()

    def sessions_of(self, coordinator_id: int, now: str, idle_since: str) -> list[SessionRow]:
        """The coordinator's live sessions, most recently used first."""
        s = coordinator_sessions.c
        last_used = func.coalesce(s.last_used_at, s.created_at)
        rows = self.conn.execute(
            select(s.token_hash, s.created_at, last_used, s.expires_at, s.address)
            .where(s.coordinator_id == coordinator_id, s.expires_at > now, last_used > idle_since)
            .order_by(last_used.desc(), s.created_at.desc())
        )
        return [SessionRow(*r) for r in rows]

    def end_session_of(self, coordinator_id: int, token_hash: str) -> bool:
        """End one of the coordinator's own sessions; False when it is not theirs."""
        s = coordinator_sessions.c
        ended = self.conn.execute(
            delete(coordinator_sessions).where(
                s.coordinator_id == coordinator_id, s.token_hash == token_hash
            )
        )
        return ended.rowcount > 0

    def count_accounts(self, program_id: int) -> int:
        return self.conn.execute(
            select(func.count())
            .select_from(coordinators)
            .where(coordinators.c.program_id == program_id)
        ).scalar_one()

    def lock_account(self, email: str) -> tuple[int, int, str] | None:
        """:meth:`coordinator_by_email`, holding the coordinator's row until commit
        (PostgreSQL; SQLite writers are serialised anyway), so that two processes
        checking one account's attempts take turns."""
        stmt = select(
            coordinators.c.id, coordinators.c.program_id, coordinators.c.password_hash
        ).where(coordinators.c.email == email, coordinators.c.disabled_at.is_(None))
        if self.conn.dialect.name != "sqlite":
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).first()
        return (row[0], row[1], row[2]) if row else None

    def attempt_counts(
        self, account: str, remote: str, since: str, usual_since: str
    ) -> AttemptCounts:
        a = signin_attempts.c
        failing = a.outcome.in_(FAILING)
        by_address = self.conn.execute(
            select(func.count(), func.min(a.at)).where(a.remote == remote, a.at > since, failing)
        ).one()
        by_pair = self.conn.execute(
            select(func.count(), func.min(a.at)).where(
                a.account == account, a.remote == remote, a.at > since, failing
            )
        ).one()
        by_account = self.conn.execute(
            select(func.count(), func.max(a.at)).where(a.account == account, a.at > since, failing)
        ).one()
        usual = self.conn.execute(
            select(a.id)
            .where(a.account == account, a.remote == remote, a.outcome == "ok", a.at > usual_since)
            .limit(1)
        ).first()
        return AttemptCounts(
            from_address=by_address[0],
            pair=by_pair[0],
            account=by_account[0],
            oldest_from_address=by_address[1],
            oldest_pair=by_pair[1],
            newest_account=by_account[1],
            usual_address=usual is not None,
        )

    def add_attempt(self, account: str, coordinator_id: int | None, remote: str, now: str) -> int:
        """A pending attempt (it counts as a failure until :meth:`finish_attempt`)."""
        return self.conn.execute(
            insert(signin_attempts).returning(signin_attempts.c.id),
            {
                "account": account,
                "coordinator_id": coordinator_id,
                "remote": remote,
                "at": now,
                "outcome": "pending",
            },
        ).scalar_one()

    def finish_attempt(self, attempt_id: int, ok: bool) -> None:
        self.conn.execute(
            update(signin_attempts)
            .where(signin_attempts.c.id == attempt_id)
            .values(outcome="ok" if ok else "failed")
        )

    def prune_attempts(self, failures_before: str, successes_before: str) -> None:
        """Forget failures older than the throttle looks, successes older than "usual"."""
        a = signin_attempts.c
        self.conn.execute(
            delete(signin_attempts).where(a.at < failures_before, a.outcome.in_(FAILING))
        )
        self.conn.execute(delete(signin_attempts).where(a.at < successes_before))


__all__ = ["AccountQueries", "AccountRow", "AttemptCounts", "SessionRow"]
