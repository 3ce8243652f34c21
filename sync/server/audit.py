"""The audit trail: who did what to which client, when and from where.

Every operation that shows or changes a client's data, and every sign-in, writes its
entry with :func:`record` through the same :class:`~.storage.repo.Tx` as the change
itself, so the entry and the change commit (or roll back) together; a page or an API
answer that shows client data is loaded in the write transaction that records the
view. Entries hold ids and the fixed words below, never message, reply or reflection
text, nor names (a client's name is data an erasure removes; the trail keeps the id).

Actors: a coordinator (their email as it was), a device (``device 7``: enrolment), or
``companion-server`` (the command line). The trail is append-only: storage has no
update or delete for it, and the database refuses both (revision 0010).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sync.protocol_accounts import AuditEntry
from sync.server.storage.repo import Tx
from sync.server.storage.repo_audit import AuditFilter
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp, unstamp

__all__ = ["ACTIONS", "Actor", "AuditFilter", "entries", "record", "record_many"]

# Every action the trail records, with how the dashboard words it.
ACTIONS: dict[str, str] = {
    "signin": "signed in",
    "signin.failed": "failed to sign in",
    "signin.locked": "sign-in locked (security)",
    "signout": "signed out",
    "clients.viewed": "viewed the clients",
    "client.viewed": "viewed a client",
    "client.added": "added a client",
    "client.revoked": "revoked a client's access",
    "notice.viewed": "viewed a notice",
    "notice.acknowledged": "acknowledged a notice",
    "notice.replied": "replied to a notice",
    "materials.attached": "attached materials",
    "materials.edited": "edited a material",
    "materials.withdrawn": "withdrew a material",
    "attendance.recorded": "recorded attendance",
    "schedule.changed": "changed the schedule",
    "export": "exported",
    "program.changed": "changed program settings",
    "account.created": "created an account",
    "device.enrolled": "enrolled a device",
    "code.issued": "issued a new enrolment code",
    "device.revoked": "revoked a device",
    "client.discharged": "discharged a client",
    "client.readmitted": "re-admitted a client",
    "client.erased": "erased a client's data",
    "account.reset": "issued a password reset link",
    "account.password": "changed a password",
    "account.invited": "invited a coordinator",
    "account.disabled": "disabled an account",
    "account.enabled": "enabled an account",
    "account.role": "changed an account's role",
    "sessions.ended": "signed out other sessions",
    "account.alerts": "turned their alert emails on or off",
    "retention.purged": "deleted what is past the retention windows",
    "client.exported": "exported everything held about a client",
    "makeup.accepted": "accepted a make-up slot",
    "makeup.declined": "declined the make-up slots",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who an entry names, in which program, from which address."""

    kind: str  # coordinator, device, cli
    id: int | None
    label: str
    program_id: int
    address: str | None = None


def coordinator(auth: CoordinatorAuth) -> Actor:
    return Actor("coordinator", auth.coordinator_id, auth.email, auth.program_id, auth.address)


def device(device_id: int, program_id: int, address: str | None) -> Actor:
    return Actor("device", device_id, f"device {device_id}", program_id, address)


def command_line(program_id: int) -> Actor:
    return Actor("cli", None, "companion-server", program_id)


def entries(tx: Tx, program_id: int, where: AuditFilter, limit: int) -> list[AuditEntry]:
    """The program's entries matching ``where``, newest first, as the API gives them."""
    out = []
    for row in tx.audit_entries(program_id, where, limit):
        row.pop("program_id")
        out.append(AuditEntry.model_validate({**row, "at": unstamp(row["at"])}))
    return out


def session_key(series_uid: str, original_start: datetime) -> str:
    """How an entry names one session: the series uid (never holds a space) and its start."""
    return f"{series_uid} {stamp(original_start)}"


def record(tx: Tx, who: Actor | CoordinatorAuth, action: str, at: datetime, *,
           client_id: int | None = None, target: str | None = None,
           detail: str | None = None) -> None:  # fmt: skip
    """Append one entry (in ``tx``: it commits with the change it records)."""
    record_many(tx, who, action, at, [(client_id, target, detail)])


def record_many(tx: Tx, who: Actor | CoordinatorAuth, action: str, at: datetime,
                items: Sequence[tuple[int | None, str | None, str | None]]) -> None:  # fmt: skip
    """Append an entry per (client id, target, detail), e.g. each notice a page shows."""
    assert action in ACTIONS, action
    actor = coordinator(who) if isinstance(who, CoordinatorAuth) else who
    when = stamp(at)
    tx.add_audit([
        {"program_id": actor.program_id, "at": when, "actor_kind": actor.kind,
         "actor_id": actor.id, "actor": actor.label[:254], "action": action,
         "client_id": client_id, "target": target[:600] if target else target,
         "detail": detail, "address": actor.address}
        for client_id, target, detail in items
    ])  # fmt: skip
