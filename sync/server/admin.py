"""Administration without HTTP: programs, coordinators, clients and their enrolment codes.

Used by ``companion-server`` (cli.py); each function is one transaction and returns a
plain dict, which is also what ``--json`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from companion.domain.help_now import ContactError, CrisisContact, check_contact
from companion.domain.schedule import ScheduleError, zone
from sync.server import audit, contacts, lifecycle, links
from sync.server.security import hash_password, normalize_email
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow, ProgramRow
from sync.server.storage.runner import transaction
from sync.server.storage.tables import stamp
from sync.wire import one_line

NO_PROGRAM = "no program yet: run `companion-server create-program NAME --timezone TZ`"


class AdminError(Exception):
    """A request the admin commands refuse; the message is one line for the user."""


def pick_program(tx: Tx, program: str | None) -> ProgramRow:
    """The program named (or numbered) ``program``; the only one when None."""
    rows = tx.programs()
    if program is None:
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise AdminError(NO_PROGRAM)
        names = ", ".join(r.name for r in rows)
        raise AdminError(f"this server has several programs ({names}): pass --program")
    for row in rows:
        if row.name == program or str(row.id) == program:
            return row
    raise AdminError(f"no program named {program!r}")


def create_program(
    engine: Engine,
    name: str,
    timezone: str,
    threshold: float,
    unexcused_limit: int,
    coordinator: str,
    now: datetime,
    discreet: bool = False,
) -> dict:
    """A new program; ``discreet`` makes discreet calendar feeds its default."""
    name = name.strip()
    if not name or len(name) > 200 or not one_line(name):
        raise AdminError("a program needs a name of 1-200 characters on one line")
    try:
        zone(timezone)
    except ScheduleError as exc:
        raise AdminError(str(exc)) from exc
    if not 0 < threshold <= 1:
        raise AdminError("--threshold is a share between 0 and 1, e.g. 0.8")
    if not 0 <= unexcused_limit <= 1000:
        raise AdminError("--unexcused-limit is between 0 and 1000")
    if len(coordinator) > 200 or not one_line(coordinator):
        raise AdminError("--coordinator is one line of at most 200 characters")
    with transaction(engine) as tx:
        if tx.program_by_name(name) is not None:
            raise AdminError(f"a program named {name!r} exists already")
        program_id = tx.add_program(
            name, timezone, threshold, unexcused_limit, coordinator, stamp(now), discreet
        )
    return {
        "program_id": program_id,
        "name": name,
        "timezone": timezone,
        "threshold": threshold,
        "unexcused_limit": unexcused_limit,
        "discreet": discreet,
    }


def set_program(engine: Engine, program: str | None, now: datetime, *,
                discreet: bool | None = None) -> dict:  # fmt: skip
    """Change a program's settings (today: its default for discreet calendar feeds).

    Devices that follow the default see their feed change at their next fetch; devices
    with a choice of their own keep it.
    """
    if discreet is None:
        raise AdminError("nothing to change: pass --discreet or --no-discreet")
    with transaction(engine) as tx:
        row = pick_program(tx, program)
        feeds = tx.set_discreet_default(row.id, discreet, stamp(now))
        if row.discreet_default != discreet:
            detail = "discreet feeds on" if discreet else "discreet feeds off"
            audit.record(tx, audit.command_line(row.id), "program.changed", now, detail=detail)
    return {"program_id": row.id, "name": row.name, "discreet": discreet,
            "changed": row.discreet_default != discreet, "feeds_changed": feeds}  # fmt: skip


CONTACT_FIELDS = ("name", "phone", "sms", "url", "note")
ContactsEdit = Callable[[list[CrisisContact]], list[CrisisContact]]


def contact_of(value: Any, where: str = "") -> CrisisContact:
    """A contact from JSON (``{"name", "phone", "sms", "url", "note"}``), checked."""
    prefix = f"{where}: " if where else ""
    if not isinstance(value, dict):
        raise AdminError(f"{prefix}a contact is an object with {', '.join(CONTACT_FIELDS)}")
    unknown = sorted(set(value) - set(CONTACT_FIELDS), key=str)
    if unknown:
        raise AdminError(f"{prefix}unknown field {str(unknown[0])[:40]!r} "
                         f"(use {', '.join(CONTACT_FIELDS)})")  # fmt: skip
    if not all(isinstance(v, str) for v in value.values()):
        raise AdminError(f"{prefix}every field of a contact is text")
    try:
        return check_contact(**value)
    except (ContactError, TypeError) as exc:
        raise AdminError(f"{prefix}{exc}") from None


def contact_json(contact: CrisisContact) -> dict[str, str]:
    return {f: getattr(contact, f) for f in CONTACT_FIELDS}


def crisis_contacts(engine: Engine, program: str | None) -> dict:
    """The program's crisis contacts (what its clients' "Need help now?" panel lists
    before 988 and the local emergency number)."""
    with transaction(engine) as tx:
        row = pick_program(tx, program)
    found = contacts.domain_contacts(row.crisis_contacts)
    return {"program_id": row.id, "name": row.name,
            "contacts": [contact_json(c) for c in found]}  # fmt: skip


def edit_crisis_contacts(engine: Engine, program: str | None, now: datetime,
                         edit: ContactsEdit) -> dict:  # fmt: skip
    """Change the program's crisis contacts with ``edit`` (old list -> new list) in one
    transaction; every client hears of it on its next sync."""
    with transaction(engine) as tx:
        row = pick_program(tx, program)
        new = edit(contacts.domain_contacts(row.crisis_contacts))
        try:
            changed = contacts.set_contacts(tx, row.id, new, now)
        except ContactError as exc:
            raise AdminError(str(exc)) from None
    return {"program_id": row.id, "name": row.name, "changed": changed,
            "contacts": [contact_json(c) for c in new]}  # fmt: skip


ROLES = ("admin", "coordinator")


def create_coordinator(
    engine: Engine,
    email: str,
    password: str,
    program: str | None,
    now: datetime,
    role: str | None = None,
) -> dict:
    """A coordinator login. ``role`` None: the program's first account is its admin,
    later ones are coordinators."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or not one_line(email):
        raise AdminError(f"{email!r} is not an email address")
    if len(password) < 8:
        raise AdminError("the password needs at least 8 characters")
    if role is not None and role not in ROLES:
        raise AdminError(f"--role is one of {', '.join(ROLES)}")
    hashed = hash_password(password)
    with transaction(engine) as tx:
        row = pick_program(tx, program)
        if tx.coordinator_by_email(email) is not None:
            raise AdminError(f"a coordinator with email {email} exists already")
        if role is None:
            role = "coordinator" if tx.count_accounts(row.id) else "admin"
        coordinator_id = tx.add_coordinator(row.id, email, hashed, stamp(now), role)
        audit.record(tx, audit.command_line(row.id), "account.created", now,
                     target=f"account {coordinator_id}", detail=role)  # fmt: skip
    return {"coordinator_id": coordinator_id, "email": email, "program": row.name, "role": role}


def add_client(
    engine: Engine, name: str, program: str | None, now: datetime, code_days: int = 7
) -> dict:
    try:
        name = lifecycle.client_name(name)
    except lifecycle.BadName as exc:
        raise AdminError(str(exc)) from None
    with transaction(engine) as tx:
        row = pick_program(tx, program)
        return lifecycle.add_client(tx, audit.command_line(row.id), row, name, now, code_days)


def revoke_client(engine: Engine, client_id: int, now: datetime) -> dict:
    with transaction(engine) as tx:
        client = tx.client(client_id)
        if client is None:
            raise AdminError(f"no client with id {client_id}")
        actor = audit.command_line(client.program_id)
        revoked = lifecycle.revoke_client(tx, actor, client_id, now)
    return {"client_id": client_id, "revoked_devices": revoked}


# -- a client's lifecycle and accounts, from the command line -----------------------------


def pick_client(tx: Tx, client: str, program: str | None) -> ClientRow:
    """The client numbered or named ``client`` (within ``--program`` when given)."""
    rows = tx.programs() if program is None else [pick_program(tx, program)]
    found: list[ClientRow] = []
    for row in rows:
        found += [c for c in tx.clients_of(row.id) if str(c.id) == client or c.name == client]
    by_id = [c for c in found if str(c.id) == client]
    if by_id:
        return by_id[0]
    if not found:
        raise AdminError(f"no client {client!r}: give the id (see the dashboard) or the name")
    if len(found) > 1:
        ids = ", ".join(str(c.id) for c in found)
        raise AdminError(f"several clients are named {client!r} (ids {ids}): give the id")
    return found[0]


def new_code(engine: Engine, client: str, program: str | None, now: datetime,
             code_days: int = 7) -> dict:  # fmt: skip
    with transaction(engine) as tx:
        row = pick_client(tx, client, program)
        return lifecycle.new_code(tx, audit.command_line(row.program_id), row, now, code_days)


def discharge(engine: Engine, client: str, program: str | None, now: datetime, *,
              readmit: bool = False) -> dict:  # fmt: skip
    with transaction(engine) as tx:
        row = pick_client(tx, client, program)
        who = audit.command_line(row.program_id)
        act = lifecycle.readmit if readmit else lifecycle.discharge
        changed = act(tx, who, row, now)
    return {"client_id": row.id, "name": row.name, "discharged": not readmit, "changed": changed}


def erase_client(engine: Engine, client: str, program: str | None, now: datetime,
                 confirm: str | None) -> dict:  # fmt: skip
    """Erase a client; ``confirm`` is the name typed back (None: ``--yes``)."""
    with transaction(engine) as tx:
        row = pick_client(tx, client, program)
        if confirm is not None and confirm.strip() != row.name:
            raise AdminError("the name typed does not match: nothing was erased")
        counts = lifecycle.erase(tx, audit.command_line(row.program_id), row, now)
    return {"client_id": row.id, "name": row.name, "erased": counts}


def client_name_of(engine: Engine, client: str, program: str | None) -> str:
    with transaction(engine) as tx:
        return pick_client(tx, client, program).name


def reset_password(engine: Engine, email: str, base_url: str, now: datetime,
                   hours: int = 24) -> dict:  # fmt: skip
    """A one-time link that sets a new password for the account of ``email``."""
    email = normalize_email(email)
    with transaction(engine) as tx:
        found = tx.coordinator_by_email(email)
        if found is None:
            raise AdminError(f"no coordinator with email {email}")
        coordinator_id, program_id, _ = found
        who = audit.command_line(program_id)
        token, expires = links.issue(
            tx, who, links.RESET, program_id, now, hours, coordinator_id=coordinator_id
        )
    return {
        "coordinator_id": coordinator_id,
        "email": email,
        "url": links.url(base_url, links.RESET, token),
        "expires_at": expires.isoformat(),
    }
