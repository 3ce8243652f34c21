"""A coordinator's own account, with no HTTP: their sessions (list, sign out one, sign
out everywhere else) and their password. A session is named to its owner by a short
reference derived from its token's digest (the digest itself never leaves the server).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.protocol_accounts import SessionOut
from sync.server import audit, links
from sync.server.security import digest
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp, unstamp

REF_LENGTH = 16


def ref(token_hash: str) -> str:
    """The name of a session in pages and the API."""
    return digest(token_hash)[:REF_LENGTH]


@dataclass(frozen=True, slots=True)
class Accepted:
    """A new session opened by accepting an invitation."""

    token: str
    expires_at: datetime


def own_sessions(tx: Tx, auth: CoordinatorAuth, current_hash: str, now: datetime,
                 idle_minutes: int) -> list[SessionOut]:  # fmt: skip
    """The coordinator's live sessions, most recently used first."""
    idle_since = stamp(now - timedelta(minutes=idle_minutes))
    return [
        SessionOut(id=ref(s.token_hash), address=s.address, started_at=unstamp(s.created_at),
                   last_used_at=unstamp(s.last_used_at or s.created_at),
                   expires_at=unstamp(s.expires_at), current=s.token_hash == current_hash)
        for s in tx.sessions_of(auth.coordinator_id, stamp(now), idle_since)
    ]  # fmt: skip


def end_one(tx: Tx, auth: CoordinatorAuth, session_ref: str, now: datetime) -> bool:
    """Sign out the coordinator's session named ``session_ref``; False: none of theirs."""
    for s in tx.sessions_of(auth.coordinator_id, stamp(now), "0"):
        if ref(s.token_hash) == session_ref and tx.end_session_of(auth.coordinator_id,
                                                                  s.token_hash):  # fmt: skip
            audit.record(tx, auth, "sessions.ended", now, target=f"account {auth.coordinator_id}",
                         detail="1 session(s) ended")  # fmt: skip
            return True
    return False


def end_others(tx: Tx, auth: CoordinatorAuth, current_hash: str, now: datetime) -> int:
    """Sign out every session of the coordinator but this one; how many ended."""
    ended = tx.end_sessions(auth.coordinator_id, keep=current_hash)
    audit.record(tx, auth, "sessions.ended", now, target=f"account {auth.coordinator_id}",
                 detail=f"{ended} session(s) ended")  # fmt: skip
    return ended


def set_own_password(tx: Tx, auth: CoordinatorAuth, current_hash: str, new_hash: str,
                     now: datetime) -> int:  # fmt: skip
    """Set the coordinator's new password (the current one was checked) and sign out
    their other sessions; how many ended."""
    tx.set_password(auth.coordinator_id, new_hash)
    ended = tx.end_sessions(auth.coordinator_id, keep=current_hash)
    audit.record(tx, auth, "account.password", now, target=f"account {auth.coordinator_id}",
                 detail=f"own; {ended} other session(s) ended")  # fmt: skip
    return ended


def accept_invite(tx: Tx, token: str, password_hash: str, now: datetime, remote: str,
                  session_token: str, session_hours: int) -> Accepted | None:  # fmt: skip
    """Use an invitation once: create the account with the chosen password and open its
    first session. None: the link was used, expired, or its email has an account now."""
    found = tx.claim_account_token(digest(token), links.INVITE, stamp(now))
    if found is None or not found["email"] or tx.email_taken(found["email"]):
        return None
    role = found["role"] or "coordinator"
    cid = tx.add_coordinator(found["program_id"], found["email"], password_hash, stamp(now),
                             role)  # fmt: skip
    who = audit.Actor("coordinator", cid, found["email"], found["program_id"], remote)
    audit.record(tx, who, "account.created", now, target=f"account {cid}",
                 detail=f"{role}; invitation")  # fmt: skip
    expires = now + timedelta(hours=session_hours)
    tx.add_session(digest(session_token), cid, stamp(now), stamp(expires), remote)
    audit.record(tx, who, "signin", now)
    return Accepted(session_token, expires)
