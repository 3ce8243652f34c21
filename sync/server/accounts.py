"""Coordinator accounts and program settings, with no HTTP: who is signed in, the team
(invite, disable and enable, change a role, issue a reset link), the program's settings.
Every function takes the caller's :class:`CoordinatorAuth` and touches only that
coordinator's program; the routes check the role (``CurrentAdmin``,
``web.deps.AdminSignedIn``) before calling the admin-only ones. Each change writes its
audit entry in the caller's transaction.

:func:`invite` is the one place an invitation is made, and so the one place it would be
emailed from: its ``on_invite`` hook (``app.state.on_invite`` in the server) is called
with the email and the link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sync.protocol_accounts import Account, Me, ProgramSettings
from sync.server import audit, links
from sync.server.security import normalize_email
from sync.server.storage.repo import Tx
from sync.server.storage.repo_accounts import AccountRow
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp, unstamp

INVITE_HOURS = 72  # how long an invitation link works
RESET_HOURS = 24  # how long a reset link from an admin works
ROLES = ("admin", "coordinator")

OnInvite = Callable[[Tx, "IssuedLink", datetime], None]
"""Called with (tx, the invitation, now) inside the invitation's transaction: where the
mail queue plugs in (``sync.server.mail.invite_mailer``), so the email is queued with it."""


class AccountProblem(Exception):
    """A change to an account that is refused; ``code``: missing, taken, self,
    last_admin, role."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A one-time link (invitation or reset) and when it stops working."""

    email: str
    role: str
    url: str
    expires_at: datetime


def me(tx: Tx, auth: CoordinatorAuth) -> Me:
    program = tx.program(auth.program_id)
    assert program is not None
    return Me(id=auth.coordinator_id, email=auth.email, role=auth.role,  # type: ignore[arg-type]
              program=program.name)  # fmt: skip


def team(tx: Tx, auth: CoordinatorAuth) -> list[Account]:
    return [_account(a) for a in tx.accounts_of(auth.program_id)]


def _account(a: AccountRow) -> Account:
    disabled = unstamp(a.disabled_at) if a.disabled_at else None
    return Account(id=a.id, email=a.email, role=a.role,  # type: ignore[arg-type]
                   created_at=unstamp(a.created_at), disabled_at=disabled)  # fmt: skip


def invite(tx: Tx, auth: CoordinatorAuth, email: str, role: str, now: datetime,
           base_url: str, *, hours: int = INVITE_HOURS,
           on_invite: OnInvite | None = None) -> IssuedLink:  # fmt: skip
    """Invite ``email`` to the program as ``role``: a one-time link, valid ``hours``,
    that lets them choose a password. Returns the link (shown once to the admin) and
    hands it to ``on_invite`` (the mail queue, when mail is configured)."""
    email = normalize_email(email)
    if role not in ROLES:
        raise AccountProblem("role", f"{role!r} is not a role")
    if tx.email_taken(email):
        raise AccountProblem("taken", f"There is an account for {email} already.")
    token, expires = links.issue(tx, auth, links.INVITE, auth.program_id, now, hours,
                                 email=email, role=role)  # fmt: skip
    link = links.url(base_url, links.INVITE, token)
    issued = IssuedLink(email, role, link, expires)
    if on_invite is not None:
        on_invite(tx, issued, now)
    return issued


def _target(tx: Tx, auth: CoordinatorAuth, account_id: int) -> AccountRow:
    found = tx.account_of(auth.program_id, account_id)
    if found is None:
        raise AccountProblem("missing", "There is no such account in this program.")
    return found


def reset_link(tx: Tx, auth: CoordinatorAuth, account_id: int, now: datetime,
               base_url: str) -> IssuedLink:  # fmt: skip
    """A one-time link that sets a new password for the program's account ``account_id``."""
    target = _target(tx, auth, account_id)
    token, expires = links.issue(tx, auth, links.RESET, auth.program_id, now, RESET_HOURS,
                                 coordinator_id=target.id)  # fmt: skip
    return IssuedLink(target.email, target.role, links.url(base_url, links.RESET, token),
                      expires)  # fmt: skip


def _keeps_an_admin(tx: Tx, auth: CoordinatorAuth, target: AccountRow) -> None:
    if (
        target.role == "admin"
        and target.disabled_at is None
        and tx.count_admins(auth.program_id) <= 1
    ):
        raise AccountProblem("last_admin", f"{target.email} is the program's only admin: make "
                             "another account an admin first.")  # fmt: skip


def set_disabled(tx: Tx, auth: CoordinatorAuth, account_id: int, disabled: bool,
                 now: datetime) -> Account:  # fmt: skip
    """Disable an account (it cannot sign in; its sessions end at once) or enable it."""
    target = _target(tx, auth, account_id)
    if disabled == (target.disabled_at is not None):
        return _account(target)
    name = f"account {target.id}"
    if disabled:
        if target.id == auth.coordinator_id:
            raise AccountProblem("self", "You cannot disable your own account.")
        _keeps_an_admin(tx, auth, target)
        tx.set_disabled(target.id, stamp(now))
        ended = tx.end_sessions(target.id)
        audit.record(tx, auth, "account.disabled", now, target=name,
                     detail=f"{ended} session(s) ended")  # fmt: skip
    else:
        tx.set_disabled(target.id, None)
        audit.record(tx, auth, "account.enabled", now, target=name)
    return _account(_target(tx, auth, account_id))


def set_role(tx: Tx, auth: CoordinatorAuth, account_id: int, role: str,
             now: datetime) -> Account:  # fmt: skip
    """Change an account's role, never leaving the program without an admin."""
    target = _target(tx, auth, account_id)
    if role not in ROLES:
        raise AccountProblem("role", f"{role!r} is not a role")
    if target.role == role:
        return _account(target)
    if role != "admin":
        _keeps_an_admin(tx, auth, target)
    tx.set_role(target.id, role)
    audit.record(tx, auth, "account.role", now, target=f"account {target.id}", detail=role)
    return _account(_target(tx, auth, account_id))


def change_account(tx: Tx, auth: CoordinatorAuth, account_id: int, role: str | None,
                   disabled: bool | None, now: datetime) -> Account:  # fmt: skip
    """The API's PUT: the role first (so a new admin can stand in), then disabled."""
    result = _account(_target(tx, auth, account_id))
    if role is not None:
        result = set_role(tx, auth, account_id, role, now)
    if disabled is not None:
        result = set_disabled(tx, auth, account_id, disabled, now)
    return result


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
