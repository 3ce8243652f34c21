"""One-time links for coordinator accounts: a password reset and an invitation.

A link is ``BASE/reset/TOKEN`` or ``BASE/invite/TOKEN``: 256 random bits, of which the
database keeps the digest (``account_tokens``); it works once, until it expires. Using
a reset link sets a new password and signs the account out everywhere; using an
invitation creates the account. Issued by an admin in the dashboard, or by
``companion-server reset-password``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sync.server import audit
from sync.server.security import digest, new_token
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp

RESET, INVITE = "reset", "invite"
MIN_PASSWORD = 8


def issue(tx: Tx, who: audit.Actor | CoordinatorAuth, purpose: str, program_id: int,
          now: datetime, hours: int, *, coordinator_id: int | None = None,
          email: str | None = None, role: str | None = None) -> tuple[str, datetime]:  # fmt: skip
    """A new link's token and expiry, with its audit entry."""
    token = new_token()
    expires = now + timedelta(hours=hours)
    created_by = who.coordinator_id if isinstance(who, CoordinatorAuth) else None
    tx.add_account_token({
        "token_hash": digest(token), "purpose": purpose, "coordinator_id": coordinator_id,
        "program_id": program_id, "email": email, "role": role, "created_by": created_by,
        "created_at": stamp(now), "expires_at": stamp(expires),
    })  # fmt: skip
    if purpose == RESET:
        audit.record(tx, who, "account.reset", now, target=f"account {coordinator_id}")
    else:
        audit.record(tx, who, "account.invited", now, target=email, detail=role)
    return token, expires


def url(base: str, purpose: str, token: str) -> str:
    return f"{base.rstrip('/')}/{purpose}/{token}"


def password_problem(password: str, again: str) -> str | None:
    """Why a new password is refused (None: it is fine)."""
    if password != again:
        return "The two passwords differ."
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if len(password) > 1000 or "\x00" in password:
        return "That password cannot be used."
    return None
