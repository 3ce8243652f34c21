"""A client's life in the program, with no HTTP: added with an enrolment code, a new
code for a lost device, devices revoked one by one or all at once, discharged and
re-admitted, erased. Each function runs in the caller's transaction and writes its audit entry
there; the command line (``admin.py``, as ``companion-server``), the dashboard and the
API (as the signed-in coordinator) all call these.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sync.server import audit
from sync.server.security import digest
from sync.server.security import new_code as new_code_text
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow, CoordinatorAuth, ProgramRow
from sync.server.storage.tables import stamp
from sync.wire import MAX_INT, one_line

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
    code = new_code_text()
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


class NotTheirs(LookupError):
    """No such client (or device) in the caller's program."""


def client_of(tx: Tx, program_id: int, client_id: int) -> ClientRow:
    """The program's client ``client_id``; raises :class:`NotTheirs`."""
    found = tx.clients_of(program_id, client_id) if 1 <= client_id <= MAX_INT else []
    if not found:
        raise NotTheirs("no such client")
    return found[0]


def new_code(tx: Tx, who: Who, client: ClientRow, now: datetime, code_days: int) -> dict:
    """A fresh one-time enrolment code for an existing client (a lost laptop): their
    other devices keep working until revoked; a client whose access was revoked as a
    whole can enrol again with it."""
    code = new_code_text()
    expires = now + timedelta(days=code_days)
    tx.reinstate_client(client.id)
    tx.add_code(digest(code), client.id, stamp(now), stamp(expires))
    audit.record(tx, who, "code.issued", now, client_id=client.id)
    return {"client_id": client.id, "name": client.name, "code": code,
            "expires_at": expires.isoformat()}  # fmt: skip


def revoke_device(tx: Tx, who: Who, client: ClientRow, device_id: int, now: datetime) -> bool:
    """Sign out one device; False when it is not the client's or is revoked already."""
    if not 1 <= device_id <= MAX_INT or not tx.revoke_device(client.id, device_id, stamp(now)):
        return False
    audit.record(tx, who, "device.revoked", now, client_id=client.id, target=f"device {device_id}")
    return True


def discharge(tx: Tx, who: Who, client: ClientRow, now: datetime) -> bool:
    """Discharge: kept for the record, off the at-risk list and the rosters; their
    devices and calendar feeds stop (until re-admitted). False: discharged already."""
    if not tx.set_discharged(client.id, stamp(now)):
        return False
    audit.record(tx, who, "client.discharged", now, client_id=client.id)
    return True


def readmit(tx: Tx, who: Who, client: ClientRow, now: datetime) -> bool:
    """Re-admit a discharged client: their devices that were not revoked work again."""
    if not tx.set_discharged(client.id, None):
        return False
    audit.record(tx, who, "client.readmitted", now, client_id=client.id)
    return True


def erase(tx: Tx, who: Who, client: ClientRow, now: datetime) -> dict[str, int]:
    """Erase the client: their notices, the replies to them, attendance and its history,
    changes meant for them, codes, devices and the client itself. The audit trail keeps
    the fact (and the ids of its earlier entries), not the data."""
    counts = tx.erase_client(client.id)
    detail = ", ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n and k != "clients"
    )
    audit.record(tx, who, "client.erased", now, client_id=client.id, detail=detail[:200] or None)
    return counts
