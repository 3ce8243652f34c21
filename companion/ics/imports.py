"""Read a program's calendar file into series, day notes and amendments, keyed by UID.

Pure: bytes in, domain objects out; the store is written by :mod:`companion.actions.ics`.
A file that is not iCalendar, or whose content is malformed, raises :class:`IcsError` with
one line naming what is wrong and where. Events that are well formed but use what a series
cannot hold (EXRULE, RANGE=THISANDFUTURE, an unknown timezone, a repeat finer than daily)
are skipped with a reason. All-day events become day notes, never sessions; METHOD:CANCEL
and cancelled events become cancellations of what the client already has.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import x_wr_timezone
from icalendar import Calendar, Event

from companion.domain.notes import DayNote
from companion.domain.schedule import ScheduleError, Series, rule_until_utc, zone
from companion.ics.events import (
    Amendment,
    MissingStart,
    Skip,
    cancellation,
    is_all_day,
    is_cancelled,
    note_of,
    series_of,
    session_changes,
)
from companion.ics.props import BadValue, text
from companion.ics.unfold import DecodeError, Lines, unfolded_text

NO_MASTER = (
    "only changes to single sessions, and no event they belong to",
    "more than one event without RECURRENCE-ID",
)


class IcsError(ValueError):
    """A file that cannot be imported; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An event left out of an import, and why."""

    uid: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    series: list[Series]
    skipped: list[Skipped]
    notes: list[DayNote] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)


def import_calendar(data: bytes | str, *, default_tz: str = "UTC") -> ImportResult:
    """Parse ``data`` into series, day notes and amendments. Floating times are read in the
    file's X-WR-TIMEZONE, else in ``default_tz``."""
    try:
        content = unfolded_text(data)
    except DecodeError as exc:
        raise IcsError(str(exc)) from exc
    lines = Lines(data, lambda c: text(c, "UID").strip())
    cal = _parse(content, lines)
    version = str(cal.get("VERSION", "")).strip()
    if version != "2.0":
        raise IcsError(f"unsupported calendar version {version or '(none)'!r}: "
                       "only iCalendar 2.0 files can be imported")  # fmt: skip
    for component in cal.walk():
        for name, message in component.errors:
            where = lines.where(component, name, message)
            raise IcsError(f"{where}bad {name or 'line'} in {component.name}: {message}")
    wr = str(cal.get("X-WR-TIMEZONE", "")).strip()
    if wr:
        try:
            zone(wr)
        except ScheduleError as exc:
            raise IcsError(f"X-WR-TIMEZONE: {exc}") from exc
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = x_wr_timezone.to_standard(cal)
    fallback = wr or default_tz
    cancel = str(cal.get("METHOD", "")).strip().upper() == "CANCEL"
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in cal.events:
        groups[_uid(event)].append(event)
    result = ImportResult([], [])
    for uid, events in groups.items():
        try:
            _one(result, uid, events, fallback, cancel)
        except Skip as skip:
            masters = [e for e in events if "RECURRENCE-ID" not in e]
            title = text((masters or events)[0], "SUMMARY").strip()
            result.skipped.append(Skipped(uid, title, str(skip)))
        except BadValue as bad:
            where = lines.where(bad.component, bad.name)
            raise IcsError(f"{where}bad {bad.name} in {bad.component.name}: {bad}") from bad
        except MissingStart as missing:
            raise IcsError(f"{lines.where(missing.event)}VEVENT has no DTSTART") from missing
    return result


def _one(result: ImportResult, uid: str, events: list[Event], fallback: str,
         cancel: bool) -> None:  # fmt: skip
    """Add what one UID's events are to ``result``."""
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    if cancel:
        result.amendments.append(cancellation(uid, events, fallback))
    elif len(masters) > 1:
        raise Skip(NO_MASTER[1])
    elif not masters:
        result.amendments.append(session_changes(uid, events, fallback))
    elif is_cancelled(masters[0]):
        result.amendments.append(cancellation(uid, masters, fallback))
    elif is_all_day(masters[0]):
        result.notes.append(note_of(uid, masters[0], [e for e in events if e is not masters[0]]))
    else:
        changes = [e for e in events if e is not masters[0]]
        result.series.append(series_of(uid, masters[0], changes, fallback))


def same_content(a: Series, b: Series) -> bool:
    """True when ``a`` and ``b`` describe the same sessions, reminders and texts (SEQUENCE
    and origin aside); RRULE parts may come in any order and UNTIL in local time or UTC."""
    fields = ("title", "kind", "start", "duration", "tzid", "rdates", "join_url",
              "facilitator", "reminders", "description", "location",
              "cancelled_from")  # fmt: skip
    if any(getattr(a, f) != getattr(b, f) for f in fields):
        return False
    if _changes(a) != _changes(b):
        return False
    return _rule_parts(a) == _rule_parts(b) and rule_until_utc(a) == rule_until_utc(b)


def _changes(s: Series) -> dict[datetime, tuple[object, ...]]:
    """Overrides with an unset end spelled out (start + duration)."""
    return {
        k: (o.cancelled, o.start, o.end or (o.start + s.duration if o.start else None),
            o.title, o.location, o.join_url, o.description)
        for k, o in s.overrides.items()
    }  # fmt: skip


def _rule_parts(s: Series) -> dict[str, str] | None:
    if not s.rrule:
        return None
    text = s.rrule.upper().removeprefix("RRULE:")
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    parts.pop("UNTIL", None)
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return parts


def _parse(content: str, lines: Lines) -> Calendar:
    if not content.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise IcsError("not an iCalendar file: it does not start with BEGIN:VCALENDAR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cals = Calendar.from_ical(content, multiple=True)
        except (ValueError, KeyError, IndexError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise IcsError(f"{lines.find_error(message)}{message}") from exc
    if len(cals) != 1:
        raise IcsError(f"expected one VCALENDAR, found {len(cals)}")
    return cals[0]


def _uid(event: Event) -> str:
    """The event's UID; one made from its title and start when it has none."""
    uid = text(event, "UID").strip()
    if uid:
        return uid
    start = event.get("DTSTART")  # none: the import reports it, with the event's line
    seed = f"{event.get('SUMMARY', '')}|{start.to_ical().decode() if start is not None else ''}"
    return hashlib.sha1(seed.encode()).hexdigest()[:16] + "@import.companion"


__all__ = ["Amendment", "IcsError", "ImportResult", "Skipped", "import_calendar"]
