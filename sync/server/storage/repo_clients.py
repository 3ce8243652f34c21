"""Storage queries for a client's lifecycle (a device revoked on its own, discharge and
re-admission, erasure) and for one-time account links (SQLAlchemy Core).

Mixed into :class:`sync.server.storage.repo.Tx`; the same transaction rules apply: a
method never commits, the database thread running the job does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from sync.server.storage.tables import (
    account_tokens,
    attendance,
    attendance_history,
    changes,
    clients,
    coordinator_sessions,
    coordinators,
    devices,
    enrol_codes,
    makeup_choices,
    notices,
    replies,
)


class ClientQueries:
    """A client's lifecycle, and account links."""

    conn: Connection

    def reinstate_client(self, client_id: int) -> bool:
        """Lift a revocation of the whole client (new codes can be claimed again; each
        device revoked stays revoked)."""
        return (
            self.conn.execute(
                update(clients)
                .where(clients.c.id == client_id, clients.c.revoked_at.is_not(None))
                .values(revoked_at=None)
            ).rowcount
            == 1
        )

    def revoke_device(self, client_id: int, device_id: int, now: str) -> bool:
        """Revoke one device of the client; False when it is not theirs or already revoked."""
        return (
            self.conn.execute(
                update(devices)
                .where(
                    devices.c.id == device_id,
                    devices.c.client_id == client_id,
                    devices.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            ).rowcount
            == 1
        )

    def set_discharged(self, client_id: int, at: str | None) -> bool:
        """Discharge (``at``) or re-admit (None); False when nothing changed."""
        current = clients.c.discharged_at.is_(None) if at else clients.c.discharged_at.is_not(None)
        return (
            self.conn.execute(
                update(clients).where(clients.c.id == client_id, current).values(discharged_at=at)
            ).rowcount
            == 1
        )

    def erase_client(self, client_id: int) -> dict[str, int]:
        """Delete everything of the client: replies to their notices, their notices,
        attendance and its history, changes meant for them alone, enrolment codes,
        devices, and the client. How many rows of each went."""
        theirs = select(notices.c.id).where(notices.c.client_id == client_id)
        steps: list[tuple[str, Any]] = [
            ("makeup_choices",
             delete(makeup_choices).where(makeup_choices.c.client_id == client_id)),
            ("replies", delete(replies).where(replies.c.notice_id.in_(theirs))),
            ("notices", delete(notices).where(notices.c.client_id == client_id)),
            ("attendance", delete(attendance).where(attendance.c.client_id == client_id)),
            ("attendance_history",
             delete(attendance_history).where(attendance_history.c.client_id == client_id)),
            ("changes", delete(changes).where(changes.c.client_id == client_id)),
            ("enrol_codes", delete(enrol_codes).where(enrol_codes.c.client_id == client_id)),
            ("devices", delete(devices).where(devices.c.client_id == client_id)),
            ("clients", delete(clients).where(clients.c.id == client_id)),
        ]  # fmt: skip
        return {name: self.conn.execute(stmt).rowcount for name, stmt in steps}

    # -- one-time account links -----------------------------------------------------------

    def add_account_token(self, values: dict[str, Any]) -> None:
        self.conn.execute(account_tokens.insert(), values)

    def account_token(self, token_hash: str, purpose: str, now: str) -> dict[str, Any] | None:
        """An unused, unexpired link (not claimed: for the page that asks for a password)."""
        t = account_tokens.c
        row = self.conn.execute(
            select(account_tokens).where(
                t.token_hash == token_hash, t.purpose == purpose, t.used_at.is_(None),
                t.expires_at > now,
            )
        ).first()  # fmt: skip
        return dict(row._mapping) if row else None

    def claim_account_token(self, token_hash: str, purpose: str, now: str) -> dict[str, Any] | None:
        """Use a link once (one UPDATE: two tabs racing cannot both win)."""
        t = account_tokens.c
        row = self.conn.execute(
            update(account_tokens)
            .where(t.token_hash == token_hash, t.purpose == purpose, t.used_at.is_(None),
                   t.expires_at > now)
            .values(used_at=now)
            .returning(*account_tokens.c)
        ).first()  # fmt: skip
        return dict(row._mapping) if row else None

    def set_password(self, coordinator_id: int, password_hash: str) -> None:
        self.conn.execute(
            update(coordinators)
            .where(coordinators.c.id == coordinator_id)
            .values(password_hash=password_hash)
        )

    def end_sessions(self, coordinator_id: int, keep: str | None = None) -> int:
        """Sign the coordinator out everywhere (but the session ``keep``, a token hash)."""
        stmt = delete(coordinator_sessions).where(
            coordinator_sessions.c.coordinator_id == coordinator_id
        )
        if keep is not None:
            stmt = stmt.where(coordinator_sessions.c.token_hash != keep)
        return self.conn.execute(stmt).rowcount


__all__ = ["ClientQueries"]
