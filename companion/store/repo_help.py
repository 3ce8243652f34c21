"""The program's crisis contacts and the help-now state in the store (migration v8).

The contacts are replaced as a whole, in the program's order, each time the program
publishes them (the enrolment answer, a ``crisis_contacts`` change). They are checked on
the way in (the wire models) and again on the way out, so a row no version could have
written (edited by hand, say) is skipped rather than shown: the panel must always open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from companion.domain.help_now import ContactError, CrisisContact, check_contact
from companion.store.db import to_db

_COLUMNS = "name, phone, sms, url, note"


def program_contacts(conn: sqlite3.Connection) -> list[CrisisContact]:
    """The program's contacts in its order; rows that fail the checks are left out."""
    found = []
    for row in conn.execute(f"SELECT {_COLUMNS} FROM crisis_contact ORDER BY position"):
        try:
            found.append(check_contact(*(str(v) for v in row)))
        except (ContactError, TypeError):
            continue
    return found


def set_program_contacts(
    conn: sqlite3.Connection, contacts: Sequence[CrisisContact], now: datetime
) -> bool:
    """Replace the program's contacts; True when they differ from those stored."""
    before = program_contacts(conn)
    conn.execute("DELETE FROM crisis_contact")
    conn.executemany(
        f"INSERT INTO crisis_contact (position, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        [(i, c.name, c.phone, c.sms, c.url, c.note) for i, c in enumerate(contacts)],
    )
    conn.execute(
        "INSERT INTO help_now (id, contacts_heard) VALUES (1, ?) "
        "ON CONFLICT(id) DO UPDATE SET contacts_heard = excluded.contacts_heard",
        (to_db(now),),
    )
    return before != list(contacts)


def contacts_heard(conn: sqlite3.Connection) -> bool:
    """Whether the program ever told this client its contacts (none counts)."""
    row = conn.execute("SELECT contacts_heard FROM help_now WHERE id = 1").fetchone()
    return row is not None and row[0] is not None


def offered_on(conn: sqlite3.Connection) -> date | None:
    """The local day the panel was last offered after a low-mood reflection."""
    row = conn.execute("SELECT offered_on FROM help_now WHERE id = 1").fetchone()
    if row is None or not row[0]:
        return None
    try:
        return date.fromisoformat(row[0])
    except ValueError:
        return None  # unreadable: offering once more is the harmless side


def mark_offered(conn: sqlite3.Connection, day: date) -> None:
    conn.execute(
        "INSERT INTO help_now (id, offered_on) VALUES (1, ?) "
        "ON CONFLICT(id) DO UPDATE SET offered_on = excluded.offered_on",
        (day.isoformat(),),
    )
