"""Wire models of the coordinator API's accounts side: who is signed in and their role,
the program's team and settings (issue 13).

Beside ``sync.protocol`` (which was at its size limit) and built the same way, from
``sync.wire``'s bounded types; only the program server and its API's callers use these,
never the client app.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sync.protocol import Wire
from sync.wire import Bool, Id, Line, Secret, UtcDatetime

Role = Literal["admin", "coordinator"]


class Me(Wire):
    """The signed-in coordinator."""

    id: Id
    email: Line = Field(max_length=254)
    role: Role
    program: Line = Field(max_length=200)


class Account(Wire):
    """A coordinator account of the program."""

    id: Id
    email: Line = Field(max_length=254)
    role: Role
    created_at: UtcDatetime
    disabled_at: UtcDatetime | None = None


EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$"


class InviteIn(Wire):
    """Invite a coordinator to the program (admin)."""

    email: str = Field(min_length=3, max_length=254, pattern=EMAIL)
    role: Role = "coordinator"


class Invitation(Wire):
    """A one-time link that lets the invitee choose a password; shown once."""

    email: Line = Field(max_length=254)
    role: Role
    url: Line = Field(max_length=2000)
    expires_at: UtcDatetime


class AccountChange(Wire):
    """Change an account (admin): its role, or disable (true) or enable (false) it.
    A field left out stays as it is."""

    role: Role | None = None
    disabled: Bool | None = None


class PasswordChange(Wire):
    """Change your own password: the current one, and the new one (8 characters or more)."""

    current: Secret = Field(min_length=1, max_length=1000)
    new: Secret = Field(min_length=8, max_length=1000)


class SessionOut(Wire):
    """One of your sessions: where it was opened from, when, and when last used."""

    id: Line = Field(max_length=40)
    address: Line | None = Field(None, max_length=100)
    started_at: UtcDatetime
    last_used_at: UtcDatetime
    expires_at: UtcDatetime
    current: Bool


class ProgramSettings(Wire):
    """What an admin may change about the program from the API or the dashboard."""

    discreet_default: Bool


class AuditEntry(Wire):
    """One line of the audit trail: ids and fixed words, never message text."""

    id: Id
    at: UtcDatetime
    actor: Line = Field(max_length=254)  # the coordinator's email, "device 7", "companion-server"
    actor_kind: Literal["coordinator", "device", "cli"]
    actor_id: Id | None
    action: Line = Field(max_length=40)
    client_id: Id | None
    target: Line | None = Field(None, max_length=600)
    detail: Line | None = Field(None, max_length=200)
    address: Line | None = Field(None, max_length=100)


# -- a client's lifecycle ---------------------------------------------------------------


class ClientIn(Wire):
    name: Line = Field(min_length=1, max_length=200)


class EnrolmentCode(Wire):
    """A one-time enrolment code, shown once (the server keeps only its digest)."""

    client_id: Id
    name: Line = Field(max_length=200)
    code: Line = Field(max_length=20)
    expires_at: UtcDatetime


class DeviceOut(Wire):
    id: Id
    name: Line = Field(max_length=100)
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None
    discreet: Bool | None


class ClientState(Wire):
    """A client after a lifecycle action."""

    client_id: Id
    discharged: Bool
    revoked: Bool
    devices: int = Field(ge=0)


class EraseIn(Wire):
    """The client's name, typed back: erasing is for good."""

    name: Line = Field(min_length=1, max_length=200)


class Erased(Wire):
    client_id: Id
    erased: dict[str, int]
