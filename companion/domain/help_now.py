"""Need help now: who a client can reach in a crisis, and when the app offers to show it.

The "Need help now?" panel lists the program's own crisis contacts first, then the
defaults every client gets: the 988 Suicide & Crisis Lifeline (US, call or text 988) and,
for anyone outside the US, their local emergency number. A contact is a name and at
least one way to reach it (a number to call, a number to text, a link) with a short note.

Contacts come from a coordinator, so they are checked here, in one place, before either
end stores them (:func:`check_contact`): one line each, bounded lengths, numbers of digits
and the usual separators only, links only ``https``/``http``/``tel``/``sms``. A panel a
person opens in a crisis must never be broken by what a program typed.

The offer: after a reflection is saved with the lowest mood, or with the
emotional/symptoms barrier and a low mood, the app asks once whether it would help to
see the panel. At most once a day (:func:`offer_due`), so it never nags. Nothing about
it is sent anywhere. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from companion.domain.journal import Barrier
from companion.domain.links import is_web_link

MAX_CONTACTS = 10
NAME_LIMIT = 100
NOTE_LIMIT = 200
NUMBER_LIMIT = 32
LINK_LIMIT = 500
LOWEST_MOOD = 1  # the journal's mood scale is 1 (very low) .. 5 (very good)
LOW_MOOD = 2
SCHEMES = ("https://", "http://", "tel:", "sms:")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NUMBER = re.compile(r"^\+?[0-9(][0-9 ().-]*$")
_URI_NUMBER = re.compile(r"^\+?[0-9(][0-9().-]*$")  # tel:/sms: numbers carry no spaces


class ContactError(ValueError):
    """A crisis contact that cannot be stored; the message is one line naming the field."""


@dataclass(frozen=True, slots=True)
class CrisisContact:
    """Someone to reach: ``phone`` to call, ``sms`` to text, ``url`` (a chat page, or a
    ``tel:``/``sms:`` link), and a short ``note`` (hours, who it is for)."""

    name: str
    phone: str = ""
    sms: str = ""
    url: str = ""
    note: str = ""

    def ways(self) -> str:
        """How to reach it, in words: "call or text 988", "call 112", "https://…"."""
        parts = []
        if self.phone and self.phone == self.sms:
            parts.append(f"call or text {self.phone}")
        else:
            if self.phone:
                parts.append(f"call {self.phone}")
            if self.sms:
                parts.append(f"text {self.sms}")
        if self.url:
            parts.append(self.url)
        return ", ".join(parts)

    def line(self) -> str:
        """One line: "988 Suicide & Crisis Lifeline — call or text 988 (US)"."""
        ways = self.ways()
        if not ways:
            return f"{self.name}: {self.note}" if self.note else self.name
        return f"{self.name} — {ways}" + (f" ({self.note})" if self.note else "")


LIFELINE = CrisisContact("988 Suicide & Crisis Lifeline", phone="988", sms="988", note="US")
ELSEWHERE = CrisisContact("Outside the US", note="call your local emergency number")
DEFAULT_CONTACTS = (LIFELINE, ELSEWHERE)


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def _numbers(contact: CrisisContact) -> set[str]:
    return {_digits(n) for n in (contact.phone, contact.sms) if n}


def contacts_to_show(program: Sequence[CrisisContact]) -> list[CrisisContact]:
    """The program's contacts first, then the defaults; a default whose number the
    program already lists (its own line for 988, say) is not repeated."""
    listed = set().union(*(_numbers(c) for c in program)) if program else set()
    defaults = [d for d in DEFAULT_CONTACTS if not (_numbers(d) & listed)]
    return [*program, *defaults]


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ContactError(f"{field}: must be text")
    value = value.strip()
    if required and not value:
        raise ContactError(f"{field}: give a name, e.g. the program's after-hours line")
    if len(value) > limit:
        raise ContactError(f"{field}: at most {limit} characters")
    if _CONTROL.search(value):
        raise ContactError(f"{field}: must be one line without control characters")
    return value


def check_number(value: str, field: str = "phone") -> str:
    """A number to call or text: digits with spaces, ``+ ( ) - .``, 3-15 digits."""
    value = _text(value, field, NUMBER_LIMIT)
    if value and (not _NUMBER.match(value) or not 3 <= len(_digits(value)) <= 15):
        raise ContactError(
            f"{field}: a phone number of 3-15 digits (spaces, + ( ) - . allowed), e.g. 988"
        )
    return value


def check_link(value: str, field: str = "url") -> str:
    """A link the panel may offer: https/http with a host, or ``tel:``/``sms:`` + number."""
    value = _text(value, field, LINK_LIMIT)
    if not value:
        return value
    scheme = value.split(":", 1)[0].lower()
    if scheme in ("tel", "sms"):
        number = value.split(":", 1)[1]
        if _URI_NUMBER.match(number) and 3 <= len(_digits(number)) <= 15:
            return value
    elif scheme in ("https", "http") and is_web_link(value):
        return value
    raise ContactError(f"{field}: only https://, http://, tel: or sms: links (e.g. tel:988)")


def check_contact(
    name: str, phone: str = "", sms: str = "", url: str = "", note: str = ""
) -> CrisisContact:
    """A contact as a program may publish it, or :class:`ContactError` saying what is wrong."""
    contact = CrisisContact(
        name=_text(name, "name", NAME_LIMIT, required=True),
        phone=check_number(phone, "phone"),
        sms=check_number(sms, "sms"),
        url=check_link(url, "url"),
        note=_text(note, "note", NOTE_LIMIT),
    )
    if not (contact.phone or contact.sms or contact.url):
        raise ContactError(f"{contact.name}: give a number to call or text, or a link")
    return contact


def check_contacts(contacts: Iterable[CrisisContact]) -> list[CrisisContact]:
    """A program's whole list: each contact checked, at most :data:`MAX_CONTACTS`."""
    found = [check_contact(c.name, c.phone, c.sms, c.url, c.note) for c in contacts]
    if len(found) > MAX_CONTACTS:
        raise ContactError(f"at most {MAX_CONTACTS} crisis contacts")
    return found


def low_moment(mood: int | None, barriers: Iterable[Barrier]) -> bool:
    """A reflection that suggests a hard moment: the lowest mood, or the emotional/
    symptoms barrier with a low mood (2 or less)."""
    if mood is None:
        return False
    if mood <= LOWEST_MOOD:
        return True
    return mood <= LOW_MOOD and Barrier.EMOTIONAL in tuple(barriers)


def offer_due(last_offered: date | None, today: date) -> bool:
    """Whether the offer may show today: at most once a day, never nagging."""
    return last_offered is None or last_offered < today


def should_offer(
    mood: int | None, barriers: Iterable[Barrier], last_offered: date | None, today: date
) -> bool:
    """Offer the panel after this reflection: a hard moment, and not offered yet today."""
    return low_moment(mood, barriers) and offer_due(last_offered, today)
