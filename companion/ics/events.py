"""One UID's events as what the client keeps: a series, a day note, or an amendment to a
series the client already has (a cancellation, sessions changed by invites of their own).

Everything the program wrote next to the time is kept: the title, the join link, the
place and the verbatim description, and, on a RECURRENCE-ID override, each of them that
differs from the series', even when the session keeps its start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Event, vRecur

from companion.domain.notes import DayNote
from companion.domain.schedule import Kind, Override, ScheduleError, Series, rule_parts
from companion.ics.kinds import classify
from companion.ics.links import join_link
from companion.ics.props import first, moment, span, text, time_value
from companion.ics.text import EXCUSED, clean, program_text
from companion.ics.zones import iana_name

KIND_PROPERTY = "X-COMPANION-KIND"
DEFAULT_LENGTH = timedelta(hours=1)
# The providers' own meeting properties, strongest first (Teams, Google, RFC 7986).
PROVIDER_PROPERTIES = ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-GOOGLE-CONFERENCE",
                       "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK", "CONFERENCE")  # fmt: skip
LINK_PROPERTIES = (*PROVIDER_PROPERTIES, "URL", "LOCATION", "DESCRIPTION")


class Skip(Exception):
    """An event that is well formed but cannot become a series (``str()`` says why)."""


class MissingStart(Exception):
    """A VEVENT without DTSTART: the file is malformed (the import names the line)."""

    def __init__(self, event: Event) -> None:
        super().__init__("VEVENT has no DTSTART")
        self.event = event


@dataclass(frozen=True, slots=True)
class Amendment:
    """Changes to a series the file does not hold: the program called it off
    (``cancel_all``: METHOD:CANCEL, or STATUS:CANCELLED on the event), or changed or
    cancelled single sessions with events of their own. The overrides spell out every
    property they carry; the import compares them with the stored series."""

    uid: str
    title: str
    sequence: int
    cancel_all: bool = False
    overrides: tuple[Override, ...] = ()
    days: tuple[date, ...] = ()  # the days a cancellation names as dates (a day note's)


@dataclass(frozen=True, slots=True)
class Looks:
    """What an event says beside its time."""

    title: str
    kind: Kind
    join_url: str
    location: str
    description: str
    facilitator: str


def looks(event: Event) -> Looks:
    title = clean(text(event, "SUMMARY")).replace("\n", " ").strip() or "Untitled session"
    marked = text(event, KIND_PROPERTY).strip().lower()
    if marked in {k.value for k in Kind}:  # our own export: the kind, and its label added
        kind = Kind(marked)
        title = title.removesuffix(f" ({kind.label})").strip() or title
    else:
        kind = classify(title, [str(c) for c in event.categories])
    raw = text(event, "DESCRIPTION")
    if marked and "URL" in event:  # our own export: URL is the join link
        url = text(event, "URL").strip()
    else:
        providers = [str(v) for name in PROVIDER_PROPERTIES for v in _all(event, name)]
        url = join_link(providers, [text(event, "URL"), text(event, "LOCATION")], raw)
    location = clean(text(event, "LOCATION"))
    return Looks(
        title=title, kind=kind, join_url=url, location="" if location == url else location,
        description=program_text(raw, title, kind if marked else None),
        facilitator=_facilitator(event, raw),
    )  # fmt: skip


def _all(event: Event, name: str) -> list[object]:
    value = event.get(name)
    return value if isinstance(value, list) else [] if value is None else [value]


def is_cancelled(event: Event) -> bool:
    return text(event, "STATUS").strip().upper() == "CANCELLED"


def sequence_of(event: Event) -> int:
    try:
        return max(0, int(str(first(event, "SEQUENCE") or 0)))
    except ValueError:
        return 0


def series_of(uid: str, master: Event, changes: list[Event], fallback: str) -> Series:
    """The series of a timed master event and its RECURRENCE-ID overrides."""
    if "DTSTART" not in master:
        raise MissingStart(master)
    if "EXRULE" in master:
        raise Skip("EXRULE is not supported (RFC 5545 deprecated it)")
    raw = moment(master, "DTSTART")
    tzid = _tzid(raw, master, fallback)
    tz = ZoneInfo(tzid)
    start = aware(raw, tz, raw)
    duration = _duration(master, start, tz, raw)
    rules = master.rrules
    if len(rules) > 1:
        raise Skip("more than one RRULE")
    base = looks(master)
    overrides: dict[datetime, Override] = {}
    for event in changes:
        override = _override(event, tz, raw, duration, base)
        if override is not None:
            overrides[override.original_start] = override
    for when in master.exdates:
        original = aware(when, tz, raw).astimezone(UTC)
        overrides[original] = Override(original, cancelled=True)
    try:
        return Series(
            uid=uid, title=base.title, kind=base.kind, start=start, duration=duration,
            tzid=tzid, rrule=_rule_text(rules),
            rdates=tuple(sorted({aware(s, tz, raw) for s, _ in master.rdates} - {start})),
            join_url=base.join_url, facilitator=base.facilitator,
            reminders=_reminders(master, duration, start), overrides=overrides,
            sequence=sequence_of(master), origin="import", description=base.description,
            location=base.location,
        )  # fmt: skip
    except ScheduleError as exc:
        raise Skip(str(exc)) from exc


def note_of(uid: str, master: Event, changes: list[Event]) -> DayNote:
    """The day note of an all-day master event (cancelled days of a repeating one left
    out; other changes to one of its days keep the day as the master has it)."""
    first_day = moment(master, "DTSTART")
    days = 1
    if "DTEND" in master:
        days = (_day(moment(master, "DTEND")) - first_day).days
    elif "DURATION" in master:
        days = span(master, "DURATION").days
    rules = master.rrules
    if len(rules) > 1:
        raise Skip("more than one RRULE")
    skipped = {_day(d) for d in master.exdates}
    skipped |= {_day(moment(e, "RECURRENCE-ID")) for e in changes if is_cancelled(e)}
    base = looks(master)
    try:
        return DayNote(
            uid=uid, title=base.title if text(master, "SUMMARY").strip() else "Note",
            first_day=first_day, days=max(1, days),
            rrule=rules[0].to_ical().decode() if rules else None,
            exdates=tuple(sorted(skipped)), description=base.description,
            sequence=sequence_of(master),
        )  # fmt: skip
    except ScheduleError as exc:
        raise Skip(str(exc)) from exc


def is_all_day(event: Event) -> bool:
    return "DTSTART" in event and not is_timed(event, "DTSTART")


def is_timed(event: Event, name: str) -> bool:
    """True when ``name`` holds a DATE-TIME, not a DATE."""
    return isinstance(moment(event, name), datetime)


def cancellation(uid: str, events: list[Event], fallback: str) -> Amendment:
    """A METHOD:CANCEL message (or a cancelled event): the whole series when it names
    the event itself, else the sessions its RECURRENCE-IDs name."""
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    head = (masters or events)[0]
    title = looks(head).title
    sequence = max(sequence_of(e) for e in events)
    if masters:
        return Amendment(uid, title, sequence, cancel_all=True)
    tz = ZoneInfo(fallback)
    originals = {_original(e, tz) for e in events}
    overrides = tuple(Override(o, cancelled=True) for o in sorted(originals))
    days = {_day(moment(e, "RECURRENCE-ID")) for e in events if not is_timed(e, "RECURRENCE-ID")}
    return Amendment(uid, title, sequence, overrides=overrides, days=tuple(sorted(days)))


def session_changes(uid: str, events: list[Event], fallback: str) -> Amendment:
    """Invites for single sessions of a series the file does not hold (Outlook sends a
    changed occurrence alone): each override with every property its event carries."""
    tz = ZoneInfo(fallback)
    out = []
    for event in events:
        original = _original(event, tz)
        if is_cancelled(event):
            out.append(Override(original, cancelled=True))
            continue
        mine = looks(event)
        start = end = None
        if "DTSTART" in event:
            raw = moment(event, "DTSTART")
            start = aware(raw, tz, raw).astimezone(UTC)
            if "DTEND" in event or "DURATION" in event:
                end = start + _duration(event, start, tz, raw)
        out.append(Override(
            original, start, end, title=mine.title if "SUMMARY" in event else None,
            location=mine.location if "LOCATION" in event else None,
            join_url=mine.join_url if any(p in event for p in LINK_PROPERTIES) else None,
            description=mine.description if "DESCRIPTION" in event else None,
        ))  # fmt: skip
    title = looks(events[0]).title
    return Amendment(uid, title, max(sequence_of(e) for e in events), overrides=tuple(out))


def _original(event: Event, tz: ZoneInfo) -> datetime:
    if str(event["RECURRENCE-ID"].params.get("RANGE", "")).upper() == "THISANDFUTURE":
        raise Skip("RECURRENCE-ID;RANGE=THISANDFUTURE is not supported")
    rid = moment(event, "RECURRENCE-ID")
    return aware(rid, tz, rid).astimezone(UTC)


def _override(
    event: Event, tz: ZoneInfo, like: date, duration: timedelta, base: Looks
) -> Override | None:
    """A change to one occurrence: everything in it that differs from the series (its time,
    end, title, place, join link, description); None when nothing does (our own "Excused"
    marker included: it is the client's, not the program's)."""
    if str(event["RECURRENCE-ID"].params.get("RANGE", "")).upper() == "THISANDFUTURE":
        raise Skip("RECURRENCE-ID;RANGE=THISANDFUTURE is not supported")
    original = aware(moment(event, "RECURRENCE-ID"), tz, like).astimezone(UTC)
    if is_cancelled(event):
        return Override(original, cancelled=True)
    start, end = original, original + duration
    if "DTSTART" in event:
        raw = moment(event, "DTSTART")
        start = aware(raw, tz, like).astimezone(UTC)
        end = start + _duration(event, start, tz, raw)
    mine = looks(event)
    ours = mine.title.startswith(f"{EXCUSED} – ")

    def changed(value: str, of: str, present: bool) -> str | None:
        return value if present and not ours and value != of else None

    override = Override(
        original, None if start == original else start,
        None if end == start + duration or end <= start else end,
        title=changed(mine.title, base.title, "SUMMARY" in event),
        location=changed(mine.location, base.location, "LOCATION" in event),
        join_url=changed(mine.join_url, base.join_url, bool(mine.join_url)),
        description=changed(mine.description, base.description, "DESCRIPTION" in event),
    )  # fmt: skip
    return None if override == Override(original) else override


def _rule_text(rules: list[vRecur]) -> str | None:
    """The RRULE value; None for a rule that yields DTSTART alone (COUNT=1)."""
    if not rules:
        return None
    if rules[0].get("COUNT") == [1]:
        return None
    return ordinal_weekday(rules[0].to_ical().decode())


_SETPOS_SAFE = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYMONTH", "BYDAY", "BYSETPOS"}


def ordinal_weekday(text: str) -> str:
    """``FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2`` (how Proton writes "second Tuesday") as
    ``FREQ=MONTHLY;BYDAY=2TU``: the same days, in the form every calendar app reads
    (calcurse ignores BYSETPOS). Any other rule is left as it is."""
    parts = rule_parts(text)
    day, pos = parts.get("BYDAY", ""), parts.get("BYSETPOS", "")
    if (
        parts.get("FREQ") in ("MONTHLY", "YEARLY")
        and set(parts) <= _SETPOS_SAFE
        and day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
        and pos.lstrip("-").isdigit()
        and 1 <= abs(int(pos)) <= 5
    ):
        parts = {k: v for k, v in parts.items() if k != "BYSETPOS"} | {"BYDAY": f"{pos}{day}"}
        return ";".join(f"{k}={v}" for k, v in parts.items())
    return text


def _tzid(raw: date, event: Event, fallback: str) -> str:
    if not isinstance(raw, datetime) or raw.tzinfo is None:
        tzid = event["DTSTART"].params.get("TZID")
        if tzid and isinstance(raw, datetime):
            raise Skip(f"unknown timezone {tzid!r} and no VTIMEZONE for it")
        return fallback
    tzid = str(event["DTSTART"].params.get("TZID", ""))
    name = iana_name(raw.tzinfo, raw, prefer=(fallback,), tzid=tzid)
    if name is None:
        raise Skip(f"timezone {event['DTSTART'].params.get('TZID')!r} matches no known zone")
    return name


def aware(value: date, tz: ZoneInfo, like: date) -> datetime:
    """A DATE, floating or aware value as an aware datetime; a DATE takes the local time
    of DTSTART (``like``), so an EXDATE;VALUE=DATE removes that day's session."""
    if not isinstance(value, datetime):
        clock = like.time() if isinstance(like, datetime) else time(0)
        return datetime.combine(value, clock, tzinfo=tz)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _duration(event: Event, start: datetime, tz: ZoneInfo, raw: date) -> timedelta:
    if "DTEND" in event:
        end = moment(event, "DTEND")
        if not isinstance(end, datetime):  # all day: whole days, not 24-hour blocks
            return timedelta(days=(end - raw).days) if isinstance(raw, date) else DEFAULT_LENGTH
        return aware(end, tz, raw).astimezone(UTC) - start.astimezone(UTC)
    if "DURATION" in event:
        return span(event, "DURATION")
    return DEFAULT_LENGTH if isinstance(raw, datetime) else timedelta(days=1)


def _facilitator(event: Event, description: str) -> str:
    for line in description.splitlines():
        if line.lower().startswith("facilitator:"):
            return line.split(":", 1)[1].strip()
    organizer = first(event, "ORGANIZER")
    return str(organizer.params.get("CN", "")).strip() if organizer is not None else ""


def _reminders(event: Event, duration: timedelta, start: datetime) -> tuple[timedelta, ...]:
    """VALARM triggers as offsets before the start, largest first, without duplicates.
    Apple's ACTION:NONE placeholders and alarms after the start are left out."""
    found: set[timedelta] = set()
    for alarm in event.walk("VALARM"):
        if str(alarm.get("ACTION", "")).upper() not in ("DISPLAY", "AUDIO", "EMAIL"):
            continue
        if "TRIGGER" not in alarm:
            continue
        value = time_value(alarm, "TRIGGER")
        if isinstance(value, timedelta):
            related = alarm["TRIGGER"].params.get("RELATED", "START")
            related_end = str(related).upper() == "END"
            offset = -(value + duration) if related_end else -value
        elif isinstance(value, datetime):
            moment_ = value if value.tzinfo else value.replace(tzinfo=_tz(start))
            offset = start - moment_
        else:
            continue
        if offset >= timedelta(0):
            found.add(offset)
    return tuple(sorted(found, reverse=True))


def _tz(when: datetime) -> tzinfo:
    assert when.tzinfo is not None
    return when.tzinfo
