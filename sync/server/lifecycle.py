"""A client's life in the program, with no HTTP: added with an enrolment code, access
revoked. Each function runs in the caller's transaction and writes its audit entry
there; the command line (``admin.py``, as ``companion-server``), the dashboard and the
API (as the signed-in coordinator) all call these.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sync.server import audit
from sync.server.security import digest, new_code
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth, ProgramRow
from sync.server.storage.tables import stamp
from sync.wire import one_line

Who = audit.Actor | CoordinatorAuth


class BadName(ValueError):
    """A client's name the server does not store; the message says why."""


def client_name(name: str) -> str:
    """The name as stored (trimmed); raises :class:`BadName`."""
    name = name.strip()
    if not name or len(name) > 200 or not one_line(name):
        raise BadName("a client needs a name of 1-200 characters on one line")
    return name


def add_client(tx: Tx, who: Who, program: ProgramRow, name: str, now: datetime,
               code_days: int) -> dict:  # fmt: skip
    """A new client of ``program`` and their one-time enrolment code (``name`` checked
    by :func:`client_name`)."""
    code = new_code()
    expires = now + timedelta(days=code_days)
    client_id = tx.add_client(program.id, name, stamp(now))
    tx.add_code(digest(code), client_id, stamp(now), stamp(expires))
    audit.record(tx, who, "client.added", now, client_id=client_id)
    return {
        "client_id": client_id,
        "name": name,
        "program": program.name,
        "code": code,
        "expires_at": expires.isoformat(),
    }


def revoke_client(tx: Tx, who: Who, client_id: int, now: datetime) -> int:
    """Sign out every device of the client (the caller checked it is theirs); how many
    devices lost access."""
    revoked = tx.revoke_client(client_id, stamp(now))
    audit.record(tx, who, "client.revoked", now, client_id=client_id,
                 detail=f"{revoked} device(s)")  # fmt: skip
    return revoked
