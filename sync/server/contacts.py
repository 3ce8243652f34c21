"""The program's crisis contacts: checked before they are stored, published to every
client in the changes feed, and in the enrolment answer of a client that understands them.

Coordinators set them with ``companion-server crisis-contacts`` or on the dashboard's
Program page; both come here. Each contact is checked by the domain's one rule
(``companion.domain.help_now.check_contact``: one line, bounded, numbers of digits, links
only https/http/tel/sms) and the list holds at most ten, so nothing stored can break a
client's "Need help now?" panel.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from companion.domain.help_now import CrisisContact, check_contacts
from sync.protocol import CrisisContacts, CrisisContactsChanged, CrisisContactWire
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp

_LIST: TypeAdapter[list[CrisisContactWire]] = TypeAdapter(CrisisContacts)


def stored(body: str) -> list[CrisisContactWire]:
    """The contacts of a program row (its JSON); [] for anything unreadable."""
    try:
        return _LIST.validate_json(body or "[]")
    except ValidationError:
        return []


def domain_contacts(body: str) -> list[CrisisContact]:
    return [c.to_domain() for c in stored(body)]


def body_of(contacts: Iterable[CrisisContact]) -> str:
    """The JSON to store; ``ContactError`` (a ValueError) names the first problem."""
    wires = [CrisisContactWire.of(c) for c in check_contacts(contacts)]
    return _LIST.dump_json(wires).decode()


def set_contacts(tx: Tx, program_id: int, contacts: Iterable[CrisisContact], now: datetime) -> bool:
    """Replace the program's contacts and tell every client; True when they changed
    (an unchanged list writes nothing and adds no change to the feed)."""
    body = body_of(contacts)
    if not tx.set_crisis_contacts(program_id, body):
        return False
    change = CrisisContactsChanged(contacts=stored(body))
    tx.append_changes(program_id, [(None, change.model_dump_json())], stamp(now))
    return True
