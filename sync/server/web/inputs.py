"""What the dashboard reads from query strings and forms, checked before it is used.

Dates in filters, exports and the attendance week, times naming a session, client ids:
out-of-range or malformed input is a :class:`BadInput` with a one-line message, which
the routes answer with a 422 page (:func:`~.render.bad_input`), never a 500 or a reset.
The windows are the wire models' own (``sync.wire``): years 1900-2200, ids within
PostgreSQL's INTEGER.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import TypeAdapter, ValidationError

from companion.domain.schedule import YEARS
from sync.wire import MAX_INT, UtcDatetime, one_line

FIRST_DAY, LAST_DAY = date(YEARS[0], 1, 1), date(YEARS[1], 12, 31)
_INSTANT: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)


class BadInput(ValueError):
    """Input the dashboard cannot use; the message says what to give instead."""


def day(text: str | None, name: str) -> date | None:
    """A date from ``<input type=date>`` (YYYY-MM-DD); None when empty."""
    if not text:
        return None
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{name}: give a date as YYYY-MM-DD") from None
    if len(text) != 10 or not FIRST_DAY <= found <= LAST_DAY:
        raise BadInput(f"{name}: give a date between {FIRST_DAY} and {LAST_DAY}")
    return found


def day_range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """``from`` and ``to`` of a filter or an export, in order."""
    first, last = day(start, "from"), day(end, "to")
    if first and last and first > last:
        raise BadInput("from: the first day comes after the last")
    return first, last


def instant(text: str | None, name: str) -> datetime:
    """An RFC 3339 time naming a session (as the pages write them), in UTC."""
    try:
        return _INSTANT.validate_python(text or "")
    except ValidationError:
        raise BadInput(f"{name}: not a session time") from None


def occurrence(query: Mapping[str, str]) -> tuple[str, datetime] | None:
    """The session a page's ``?series=UID&start=TIME`` names; None when either is unusable."""
    uid = query.get("series", "")
    try:
        start = instant(query.get("start"), "start")
    except BadInput:
        return None
    return (uid, start) if uid and one_line(uid) and len(uid) <= 255 else None


def record_id(text: str | None) -> int | None:
    """A client id from a filter; None when empty."""
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_INT:
        raise BadInput("client: not a client of this program")
    return int(text)
