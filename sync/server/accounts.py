"""Coordinator accounts and program settings, with no HTTP: who is signed in, the team,
the program's settings. Every function takes the caller's :class:`CoordinatorAuth` and
touches only that coordinator's program; the routes check the role (``CurrentAdmin``,
``web.deps.AdminSignedIn``) before calling the admin-only ones.
"""

from __future__ import annotations

from datetime import datetime

from sync.protocol_accounts import Account, Me, ProgramSettings
from sync.server import audit
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp, unstamp


def me(tx: Tx, auth: CoordinatorAuth) -> Me:
    program = tx.program(auth.program_id)
    assert program is not None
    return Me(id=auth.coordinator_id, email=auth.email, role=auth.role,  # type: ignore[arg-type]
              program=program.name)  # fmt: skip


def team(tx: Tx, auth: CoordinatorAuth) -> list[Account]:
    return [
        Account(id=a.id, email=a.email, role=a.role, created_at=unstamp(a.created_at))  # type: ignore[arg-type]
        for a in tx.accounts_of(auth.program_id)
    ]


def program_settings(tx: Tx, auth: CoordinatorAuth) -> ProgramSettings:
    program = tx.program(auth.program_id)
    assert program is not None
    return ProgramSettings(discreet_default=program.discreet_default)


def set_program_settings(tx: Tx, auth: CoordinatorAuth, body: ProgramSettings,
                         now: datetime) -> ProgramSettings:  # fmt: skip
    program = tx.program(auth.program_id)
    assert program is not None
    if program.discreet_default != body.discreet_default:
        tx.set_discreet_default(auth.program_id, body.discreet_default, stamp(now))
        detail = "discreet feeds on" if body.discreet_default else "discreet feeds off"
        audit.record(tx, auth, "program.changed", now, detail=detail)
    return body
