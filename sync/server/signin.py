"""Coordinator sign-in, with no HTTP: one path for ``POST /v1/coordinator/login`` and the
dashboard's form, through the throttle (``throttle.py``), to a session token.

:func:`login` orchestrates several database jobs itself: the throttle's decision and the
pending attempt in one write, the argon2 check off the database threads, then the
outcome (and the session) in another write.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.protocol import CoordinatorToken
from sync.server import audit, throttle
from sync.server.security import (
    check_password,
    digest,
    dummy_password_check,
    new_token,
    normalize_email,
)
from sync.server.settings import Settings
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.runner import Database
from sync.server.storage.tables import stamp, unstamp
from sync.server.throttle import Throttled

__all__ = ["BadLogin", "Throttled", "authenticate", "login"]


@dataclass(frozen=True, slots=True)
class BadLogin:
    """Wrong email or password; ``locked``: this failure locked the (account, address)
    pair for ``retry_after`` seconds."""

    locked: bool = False
    retry_after: int = 0

    @property
    def detail(self) -> str:
        if self.locked:
            return Throttled("pair", self.retry_after).detail
        return "wrong email or password"


async def login(db: Database, email: str, password: str, remote: str, now: datetime,
                settings: Settings) -> CoordinatorToken | BadLogin | Throttled:  # fmt: skip
    """Check the password (argon2, off the database thread) and open a session."""
    email = normalize_email(email)
    begun = await db.write(throttle.begin, email, remote, now, settings)
    if isinstance(begun, Throttled):
        return begun
    if begun.password_hash is None:
        await asyncio.to_thread(dummy_password_check)
        ok = False
    else:
        ok = await asyncio.to_thread(check_password, begun.password_hash, password)
    if not ok:
        failed = await db.write(throttle.fail, begun, now, settings)
        return BadLogin(failed.locked, failed.retry_after)
    token, expires = new_token(), now + timedelta(hours=settings.session_hours)

    def open_session(tx: Tx) -> None:
        assert begun.coordinator_id is not None
        throttle.succeed(tx, begun, now)
        tx.add_session(digest(token), begun.coordinator_id, stamp(now), stamp(expires), remote)

    await db.write(open_session)
    return CoordinatorToken(token=token, expires_at=expires)


TOUCH_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


async def verify_password(db: Database, auth: CoordinatorAuth, password: str, remote: str,
                          now: datetime, settings: Settings) -> bool | Throttled:  # fmt: skip
    """Check a signed-in coordinator's current password (before changing it) through the
    sign-in throttle: a wrong one counts as a failed sign-in from this address, so a
    session left open is no way around the lock-out."""
    begun = await db.write(throttle.begin, auth.email, remote, now, settings)
    if isinstance(begun, Throttled):
        return begun
    ok = begun.password_hash is not None and await asyncio.to_thread(
        check_password, begun.password_hash, password
    )
    if not ok:
        await db.write(throttle.fail, begun, now, settings)
        return False
    await db.write(lambda tx: tx.finish_attempt(begun.id, ok=True))
    return True


def authenticate(tx: Tx, token_hash: str, now: datetime,
                 idle_minutes: int) -> CoordinatorAuth | None:  # fmt: skip
    """The coordinator of a live session: not expired, not idle for ``idle_minutes``,
    the account not disabled."""
    idle_since = stamp(now - timedelta(minutes=idle_minutes))
    return tx.coordinator_by_session(token_hash, stamp(now), idle_since)


def stale(auth: CoordinatorAuth, now: datetime) -> bool:
    """Whether the session's last use is old enough to be written again (the hot path
    reads only, and writes once a minute)."""
    return auth.last_used_at is None or unstamp(auth.last_used_at) <= now - TOUCH_EVERY


async def touch(db: Database, auth: CoordinatorAuth, token_hash: str, now: datetime) -> None:
    """Write the session's last use when :func:`stale`."""
    if stale(auth, now):
        await db.write(lambda tx: tx.touch_session(token_hash, stamp(now)))


def logout(tx: Tx, auth: CoordinatorAuth, token_hash: str, now: datetime) -> None:
    """End a session (the API's logout, the dashboard's sign-out)."""
    tx.delete_session(token_hash)
    audit.record(tx, auth, "signout", now)
