"""Read a program's schedule from an iCalendar file into :class:`Series`, keyed by UID.

Pure: bytes in, series out; the store is written by :mod:`companion.actions.ics`. A file
that is not iCalendar, or whose content is malformed, raises :class:`IcsError` with one
line naming what is wrong and where. Events that are well formed but use what a series
cannot hold (EXRULE, RANGE=THISANDFUTURE, an unknown timezone) are skipped with a reason.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import x_wr_timezone
from icalendar import (
    Calendar,
    Component,
    Event,
    vDate,
    vDatetime,
    vDDDTypes,
    vDuration,
    vPeriod,
    vRecur,
    vTime,
)

from companion.domain.schedule import Kind, Override, ScheduleError, Series, rule_until_utc, zone
from companion.ics.export import KIND_PROPERTY
from companion.ics.zones import iana_name

URL = re.compile(r"https?://[^\s<>\"']+")
DEFAULT_LENGTH = timedelta(hours=1)
NO_MASTER = (
    "only changes to single sessions, and no event they belong to",
    "more than one event without RECURRENCE-ID",
)
KIND_WORDS = (
    (Kind.INDIVIDUAL, ("individual", "counselling", "counseling", "1:1", "one-on-one")),
    (Kind.WORKSHOP, ("workshop", "skills", "education", "psychoeducation", "class")),
    (Kind.GROUP, ("group", "gruppe", "groupe", "grupo", "process", "dbt", "cbt")),
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


class _Skip(Exception):
    """An event that is well formed but cannot become a series."""


class _BadValue(Exception):
    """A property whose value is not of the type it must have (``str()`` says which);
    :func:`import_calendar` turns it into an :class:`IcsError` naming the line."""

    def __init__(self, component: Component, name: str, problem: str) -> None:
        super().__init__(problem)
        self.component = component
        self.name = name


def import_calendar(data: bytes | str, *, default_tz: str = "UTC") -> ImportResult:
    """Parse ``data`` into series. Floating times (and all-day events) are read in the
    file's X-WR-TIMEZONE, else in ``default_tz``."""
    text = _decode(data)
    lines = _Lines(text)
    cal = _parse(text, lines)
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
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in cal.events:
        groups[_uid(event)].append(event)
    result = ImportResult([], [])
    for uid, events in groups.items():
        masters = [e for e in events if "RECURRENCE-ID" not in e]
        title = str(_first((masters or events)[0], "SUMMARY") or "").strip()
        try:
            if len(masters) != 1:
                raise _Skip(NO_MASTER[bool(masters)])
            changes = [e for e in events if e is not masters[0]]
            result.series.append(_series(uid, masters[0], changes, fallback, lines))
        except _Skip as skip:
            result.skipped.append(Skipped(uid, title, str(skip)))
        except _BadValue as bad:
            where = lines.where(bad.component, bad.name)
            raise IcsError(f"{where}bad {bad.name} in {bad.component.name}: {bad}") from bad
    return result


def same_content(a: Series, b: Series) -> bool:
    """True when ``a`` and ``b`` describe the same sessions, reminders and texts (SEQUENCE
    and origin aside); RRULE parts may come in any order and UNTIL in local time or UTC."""
    fields = ("title", "kind", "start", "duration", "tzid", "rdates", "join_url",
              "facilitator", "reminders")  # fmt: skip
    if any(getattr(a, f) != getattr(b, f) for f in fields):
        return False
    if _changes(a) != _changes(b):
        return False
    return _rule_parts(a) == _rule_parts(b) and rule_until_utc(a) == rule_until_utc(b)


def _changes(s: Series) -> dict[datetime, tuple[bool, datetime | None, datetime | None]]:
    """Overrides with an unset end spelled out (start + duration)."""
    return {
        k: (o.cancelled, o.start, o.end or (o.start + s.duration if o.start else None))
        for k, o in s.overrides.items()
    }


def _rule_parts(s: Series) -> dict[str, str] | None:
    if not s.rrule:
        return None
    text = s.rrule.upper().removeprefix("RRULE:")
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    parts.pop("UNTIL", None)
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return parts


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IcsError(f"not UTF-8 text (byte {exc.start}): is this an .ics file?") from exc


def _parse(text: str, lines: _Lines) -> Calendar:
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise IcsError("not an iCalendar file: it does not start with BEGIN:VCALENDAR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cals = Calendar.from_ical(text, multiple=True)
        except (ValueError, KeyError, IndexError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise IcsError(f"{lines.find_error(message)}{message}") from exc
    if len(cals) != 1:
        raise IcsError(f"expected one VCALENDAR, found {len(cals)}")
    return cals[0]


class _Lines:
    """Line numbers for error messages, from the unfolded text."""

    def __init__(self, text: str) -> None:
        self.numbered: list[tuple[int, str]] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if line[:1] in (" ", "\t") and self.numbered:
                first, head = self.numbered[-1]
                self.numbered[-1] = (first, head + line[1:])
            else:
                self.numbered.append((n, line))
        self.blocks: dict[str, int] = {}  # UID -> index of its first component's BEGIN
        begin = 0
        for i, (_n, line) in enumerate(self.numbered):
            if line.upper().startswith("BEGIN:"):
                begin = i
            elif line.upper().startswith("UID:"):
                self.blocks.setdefault(line[4:].strip(), begin)

    def find_error(self, message: str) -> str:
        quoted = re.search(r"'(.*?)'", message)
        if quoted:
            for n, line in self.numbered:
                if line.strip() == quoted.group(1).strip():
                    return f"line {n}: "
        return ""

    def where(self, component: Component, name: str | None = None, message: str = "") -> str:
        """ "line N: event 'uid': " for a component, at property ``name`` when given."""
        uid = str(_first(component, "UID") or "").strip()
        label = f"event {uid!r}: " if uid else ""
        found = self.find_error(message) if message else ""
        if not found and uid in self.blocks:
            index = self.blocks[uid]
            found = f"line {self.numbered[index][0]}: "
            for n, line in self.numbered[index + 1 :]:
                upper = line.upper()
                if upper.startswith("END:"):
                    break
                if name and upper.startswith((f"{name.upper()}:", f"{name.upper()};")):
                    found = f"line {n}: "
                    break
        return found + label


def _uid(event: Event) -> str:
    """The event's UID; one made from its title and start when it has none."""
    uid = str(_first(event, "UID") or "").strip()
    if uid:
        return uid
    start = event.get("DTSTART")  # none: _series reports it, with the event's line
    seed = f"{event.get('SUMMARY', '')}|{start.to_ical().decode() if start is not None else ''}"
    return hashlib.sha1(seed.encode()).hexdigest()[:16] + "@import.companion"


def _series(uid: str, master: Event, changes: list[Event], fallback: str, lines: _Lines) -> Series:
    if "DTSTART" not in master:
        raise IcsError(f"{lines.where(master)}VEVENT has no DTSTART")
    if str(_first(master, "STATUS") or "").upper() == "CANCELLED":
        raise _Skip("the event is cancelled")
    if "EXRULE" in master:
        raise _Skip("EXRULE is not supported (RFC 5545 deprecated it)")
    raw = _moment(master, "DTSTART")
    tzid = _tzid(raw, master, fallback)
    tz = ZoneInfo(tzid)
    start = _aware(raw, tz, raw)
    duration = _duration(master, start, tz, raw)
    rules = master.rrules
    if len(rules) > 1:
        raise _Skip("more than one RRULE")
    title, kind = _title_kind(master)
    description = str(_first(master, "DESCRIPTION") or "")
    overrides = {
        o.original_start: o for o in (_override(e, tz, raw, duration) for e in changes) if o
    }
    for when in master.exdates:
        original = _aware(when, tz, raw).astimezone(UTC)
        overrides[original] = Override(original, cancelled=True)
    try:
        return Series(
            uid=uid, title=title, kind=kind, start=start, duration=duration, tzid=tzid,
            rrule=_rule_text(rules),
            rdates=tuple(sorted({_aware(s, tz, raw) for s, _ in master.rdates} - {start})),
            join_url=_join_url(master, description), facilitator=_facilitator(master, description),
            reminders=_reminders(master, duration, start), overrides=overrides,
            sequence=int(master.get("SEQUENCE", 0) or 0), origin="import",
        )  # fmt: skip
    except ScheduleError as exc:
        raise _Skip(str(exc)) from exc


def _rule_text(rules: list[vRecur]) -> str | None:
    """The RRULE value; None for a rule that yields DTSTART alone (COUNT=1)."""
    if not rules:
        return None
    if rules[0].get("COUNT") == [1]:
        return None
    return rules[0].to_ical().decode()


def _tzid(raw: date, event: Event, fallback: str) -> str:
    if not isinstance(raw, datetime) or raw.tzinfo is None:
        tzid = event["DTSTART"].params.get("TZID")
        if tzid and isinstance(raw, datetime):
            raise _Skip(f"unknown timezone {tzid!r} and no VTIMEZONE for it")
        return fallback
    tzid = str(event["DTSTART"].params.get("TZID", ""))
    name = iana_name(raw.tzinfo, raw, prefer=(fallback,), tzid=tzid)
    if name is None:
        raise _Skip(f"timezone {event['DTSTART'].params.get('TZID')!r} matches no known zone")
    return name


def _aware(value: date, tz: ZoneInfo, like: date) -> datetime:
    """A DATE, floating or aware value as an aware datetime; a DATE takes the local time
    of DTSTART (``like``), so an EXDATE;VALUE=DATE removes that day's session."""
    if not isinstance(value, datetime):
        clock = like.time() if isinstance(like, datetime) else time(0)
        return datetime.combine(value, clock, tzinfo=tz)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _duration(event: Event, start: datetime, tz: ZoneInfo, raw: date) -> timedelta:
    if "DTEND" in event:
        end = _moment(event, "DTEND")
        if not isinstance(end, datetime):  # all day: whole days, not 24-hour blocks
            return timedelta(days=(end - raw).days) if isinstance(raw, date) else DEFAULT_LENGTH
        return _aware(end, tz, raw).astimezone(UTC) - start.astimezone(UTC)
    if "DURATION" in event:
        return _span(event, "DURATION")
    return DEFAULT_LENGTH if isinstance(raw, datetime) else timedelta(days=1)


def _override(event: Event, tz: ZoneInfo, like: date, duration: timedelta) -> Override | None:
    """A change to one occurrence; None when it changes nothing a series keeps (a new
    title only, or our own "Excused" marker)."""
    rid = _moment(event, "RECURRENCE-ID")
    if str(event["RECURRENCE-ID"].params.get("RANGE", "")).upper() == "THISANDFUTURE":
        raise _Skip("RECURRENCE-ID;RANGE=THISANDFUTURE is not supported")
    original = _aware(rid, tz, like).astimezone(UTC)
    if str(_first(event, "STATUS") or "").upper() == "CANCELLED":
        return Override(original, cancelled=True)
    if "DTSTART" not in event:
        return None
    raw = _moment(event, "DTSTART")
    start = _aware(raw, tz, like).astimezone(UTC)
    end = start + _duration(event, start, tz, raw)
    if start == original:
        return None
    return Override(original, start, None if end == start + duration else end)


def _title_kind(event: Event) -> tuple[str, Kind]:
    title = str(_first(event, "SUMMARY") or "").strip() or "Untitled session"
    marked = str(event.get(KIND_PROPERTY, "")).strip().lower()
    if marked in {k.value for k in Kind}:
        kind = Kind(marked)
        return title.removesuffix(f" ({kind.label})").strip() or title, kind
    low = " ".join([title, *map(str, event.categories)]).lower()
    for kind, hints in KIND_WORDS:
        if any(h in low for h in hints):
            return title, kind
    return title, Kind.OTHER


def _join_url(event: Event, description: str) -> str:
    for name in ("URL", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "LOCATION"):
        value = str(event.get(name, "")).strip()
        if URL.fullmatch(value):
            return value
    found = URL.search(description) or URL.search(str(_first(event, "LOCATION") or ""))
    return found.group(0).rstrip(".,;)>") if found else ""


def _facilitator(event: Event, description: str) -> str:
    for line in description.splitlines():
        if line.lower().startswith("facilitator:"):
            return line.split(":", 1)[1].strip()
    organizer = _first(event, "ORGANIZER")
    return str(organizer.params.get("CN", "")).strip() if organizer is not None else ""


def _first(component: Component, name: str) -> Any:
    """A text property's value; the first one when a file repeats it (seen with ORGANIZER)."""
    value = component.get(name)
    return value[0] if isinstance(value, list) and value else value


def _reminders(event: Event, duration: timedelta, start: datetime) -> tuple[timedelta, ...]:
    """VALARM triggers as offsets before the start, largest first, without duplicates.
    Apple's ACTION:NONE placeholders and alarms after the start are left out."""
    found: set[timedelta] = set()
    for alarm in event.walk("VALARM"):
        if str(alarm.get("ACTION", "")).upper() not in ("DISPLAY", "AUDIO", "EMAIL"):
            continue
        if "TRIGGER" not in alarm:
            continue
        value = _time_value(alarm, "TRIGGER")
        if isinstance(value, timedelta):
            related = alarm["TRIGGER"].params.get("RELATED", "START")
            related_end = str(related).upper() == "END"
            offset = -(value + duration) if related_end else -value
        elif isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=_tz(start))
            offset = start - moment
        else:
            continue
        if offset >= timedelta(0):
            found.add(offset)
    return tuple(sorted(found, reverse=True))


def _tz(when: datetime) -> tzinfo:
    assert when.tzinfo is not None
    return when.tzinfo


def _time_value(component: Component, name: str) -> object:
    """The parsed value of a date, time, duration or period property: ``date``,
    ``datetime``, ``time``, ``timedelta`` or a period's ``(start, end or duration)``."""
    prop = component[name]
    if isinstance(prop, list):  # icalendar gives a property that repeats as a list
        raise _BadValue(component, name, "given more than once")
    if not isinstance(prop, (vDDDTypes, vDate, vDatetime, vDuration, vPeriod, vTime)):
        raise _BadValue(component, name, "not a date, time or duration")
    return prop.dt


def _moment(component: Component, name: str) -> date:
    """The DATE or DATE-TIME value of DTSTART, DTEND or RECURRENCE-ID."""
    value = _time_value(component, name)
    if not isinstance(value, date):
        raise _BadValue(component, name, "not a date or date-time")
    return value


def _span(component: Component, name: str) -> timedelta:
    """The DURATION value of ``name``."""
    value = _time_value(component, name)
    if not isinstance(value, timedelta):
        raise _BadValue(component, name, "not a duration")
    return value
