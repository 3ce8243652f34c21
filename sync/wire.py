"""What a field of a wire model may hold: the bounds both ends (and both databases) can hold.

Every value that crosses the network is one of these types, so the one rule is written
once, checked by pydantic on the way in (at the server and at the client), and published
in /openapi.json as a JSON Schema ``pattern``/``minimum``/``maximum`` that a generator of
requests (schemathesis) can read:

- integers within PostgreSQL's ``INTEGER`` (the smallest column type that holds them), far
  inside the client's SQLite int64; strict, so ``"5"`` or ``5.0`` is not an integer;
- text without control characters (Unicode category Cc: NUL, escapes, C1); a single line
  for names and titles, line breaks and tabs allowed in messages;
- date-times only as RFC 3339 strings with an offset, years 1900-2200 (the schedule's own
  window), never a number; local wall-clock times as exact dates (a 30 February is refused
  by the pattern itself, so the schema promises only what is accepted);
- links ``https://`` or ``http://`` only, with a host and nothing a browser would run.

Pure: no I/O. The messages are one line a person can act on (:func:`describe`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict, WithJsonSchema

from companion.domain.links import MAX_LINK, WEB_LINK
from companion.domain.schedule import MAX_REMINDER, YEARS

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER; also iCalendar's SEQUENCE (RFC 5545: 32-bit)
MAX_REMINDER_MIN = int(MAX_REMINDER.total_seconds() // 60)

_YEAR = r"(19[0-9]{2}|2[01][0-9]{2}|2200)"
assert YEARS == (1900, 2200), "the year pattern above spells out the schedule's window"

# Text: no control characters (Cc). Messages may keep tabs and line breaks.
LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
SECRET = r"^[^\x00]*$"  # passwords: anything a person can type, but never NUL
# A uid names a path segment (/v1/coordinator/series/{uid}): printable, no blanks or / ? #.
UID = r"^[^\x00-\x20\x7f-\x9f/?#\\]+$"

# https/http only (companion.domain.links, the rule the app applies before opening one).
OPTIONAL_WEB_LINK = f"^({WEB_LINK.removeprefix('^').removesuffix('$')})?$"

_DAY31 = r"(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
_DAY30 = r"(0[469]|11)-(0[1-9]|[12][0-9]|30)"
_FEB = r"02-(0[1-9]|1[0-9]|2[0-8])"
_LEAP = r"((19|20|21)(0[48]|[2468][048]|[13579][26])|2000)-02-29"
_DATE = rf"({_YEAR}-({_DAY31}|{_DAY30}|{_FEB})|{_LEAP})"  # a day that exists
_HOUR, _MINUTE = r"([01][0-9]|2[0-3])", r"[0-5][0-9]"
_CLOCK = rf"{_HOUR}:{_MINUTE}(:{_MINUTE}(\.[0-9]{{1,6}})?)?"
# Exact, so that every string the pattern admits is a date-time the server accepts.
RFC3339 = (
    rf"^{_DATE}[Tt]{_HOUR}:{_MINUTE}:{_MINUTE}(\.[0-9]{{1,9}})?"
    rf"([Zz]|[+-]{_HOUR}:{_MINUTE})$"
)
LOCAL_TIME = rf"^{_DATE}T{_CLOCK}$"

# The one-line reason for each pattern (pydantic only says "should match pattern ...").
PATTERN_MESSAGES = {
    LINE: "must be one line without control characters",
    TEXT: "must not contain control characters",
    SECRET: "must not contain NUL characters",
    UID: "must be printable, without spaces, '/', '?', '#' or '\\'",
    WEB_LINK: "must be an https:// or http:// link",
    OPTIONAL_WEB_LINK: "must be an https:// or http:// link (or empty)",
}
TIME_MESSAGE = (
    "must be an RFC 3339 date-time with an offset (2026-11-30T23:00:00Z), "
    f"in the years {YEARS[0]}-{YEARS[1]}"
)
LOCAL_MESSAGE = (
    f"must be a local date and time (2026-11-30T18:00), in the years {YEARS[0]}-{YEARS[1]}"
)
_RFC3339_RE = re.compile(RFC3339)
_LOCAL_RE = re.compile(LOCAL_TIME)


def _rfc3339(value: object) -> object:
    """Only an RFC 3339 string (or, from Python, a datetime): never 0 or "1700000000"."""
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339_RE.match(value)):
        return value
    raise ValueError(TIME_MESSAGE)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time on the wire must carry its offset")
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(TIME_MESSAGE)
    return value.astimezone(UTC)


def _local_text(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _LOCAL_RE.match(value)):
        return value
    raise ValueError(LOCAL_MESSAGE)


def _naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError("a local time carries no offset; the series' tzid says where it is")
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(LOCAL_MESSAGE)
    return value


UtcDatetime = Annotated[
    datetime,
    Strict(False),
    BeforeValidator(_rfc3339),
    AfterValidator(_utc),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": RFC3339}),
]
LocalDatetime = Annotated[
    datetime,
    Strict(False),
    BeforeValidator(_local_text),
    AfterValidator(_naive),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME,
            "description": "local wall-clock time in tzid, no offset",
        }
    ),
]

Line = Annotated[str, Field(pattern=LINE)]
Text = Annotated[str, Field(pattern=TEXT)]
Secret = Annotated[str, Field(pattern=SECRET)]
Uid = Annotated[str, Field(min_length=1, max_length=255, pattern=UID)]
WebLink = Annotated[str, Field(min_length=1, max_length=MAX_LINK, pattern=WEB_LINK)]
OptionalWebLink = Annotated[str, Field(max_length=MAX_LINK, pattern=OPTIONAL_WEB_LINK)]

Int = Annotated[int, Strict(), Field(ge=-MAX_INT - 1, le=MAX_INT)]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_INT)]
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_INT)]
Bool = Annotated[bool, Strict()]
ReminderMin = Annotated[int, Strict(), Field(ge=0, le=MAX_REMINDER_MIN)]


_LINE_RE = re.compile(LINE)


def one_line(text: str) -> bool:
    """Whether ``text`` is a :data:`Line` (no control characters, no line breaks)."""
    return _LINE_RE.match(text) is not None


def describe(error: Any) -> str:
    """One pydantic error as ``field: reason``, in the words of :data:`PATTERN_MESSAGES`."""
    loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "string_pattern_mismatch":
        message = PATTERN_MESSAGES.get(str(error.get("ctx", {}).get("pattern")), message)
    elif error.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def describe_all(errors: list[Any], limit: int = 3) -> str:
    """The first few errors of a ``ValidationError`` on one line."""
    return "; ".join(describe(e) for e in errors[:limit])
