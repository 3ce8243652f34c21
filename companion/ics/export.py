"""Export series as one iCalendar (RFC 5545) file that real calendar apps read right.

Every rule here answers a parser seen breaking (issue 3): VTIMEZONEs with yearly RRULEs
(see :mod:`companion.ics.vtimezone`), UNTIL in UTC, EXDATE in DTSTART's own TZID and local
time, alarm offsets as exact hours (``-PT24H``), the nearer alarm first (Outlook keeps
one), ``REFRESH-INTERVAL;VALUE=DURATION`` plus ``X-PUBLISHED-TTL`` for feeds, a stable
calendar UID, and EXDATE (never a cancelled override) for sessions the program called off.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration, vRecur

from companion import __version__
from companion.domain.schedule import Series, original_starts, parse_rrule, rule_until_utc
from companion.ics.vtimezone import vtimezone

PRODID = f"-//Companion//IOP Companion {__version__}//EN"
NEUTRAL_TITLE = "Appointment"
NEUTRAL_CALENDAR = "Appointments"
KIND_PROPERTY = "X-COMPANION-KIND"
EXCUSED = "Excused: notice sent"
_TICK = timedelta(seconds=1)
BEFORE_SESSION = (
    "Test your camera and microphone",
    "Find a quiet, private space",
    "Have your notes from last time at hand",
)
BEFORE_DISCREET = ("Test your camera and microphone", "Find a quiet, private space")


class ExactDuration(vDuration):
    """A duration written in hours, minutes and seconds only: ``-PT24H``, never ``-P1D``
    (a calendar day is 23 or 25 hours across a DST change)."""

    def to_ical(self) -> bytes:
        total = int(self.td.total_seconds())
        sign, total = ("-" if total < 0 else ""), abs(total)
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        text = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        text += f"{seconds}S" if seconds or not text else ""
        return f"{sign}PT{text}".encode()


def export_calendar(
    series: Sequence[Series],
    *,
    now: datetime,
    calendar_name: str,
    calendar_uid: str,
    program_name: str = "",
    timezone: str = "UTC",
    excused: Collection[tuple[str, datetime]] = (),
    discreet: bool = False,
    last_modified: Mapping[str, datetime] | None = None,
    refresh_interval: timedelta | None = None,
) -> bytes:
    """The whole calendar as bytes: CRLF line ends, folded at 75 octets, UTF-8.

    ``excused`` holds (series uid, original start) pairs the client gave notice for; they
    are written as RECURRENCE-ID overrides titled "Excused: notice sent" with no alarm.
    ``discreet`` writes neutral titles and descriptions (the join link stays) and a neutral
    calendar name, so a lock screen or shared calendar reveals nothing about treatment.
    """
    stamp = now.astimezone(UTC)
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("UID", calendar_uid)
    name = NEUTRAL_CALENDAR if discreet else calendar_name
    cal.add("NAME", name)
    cal.add("X-WR-CALNAME", name)
    cal.add("X-WR-TIMEZONE", timezone)
    if refresh_interval is not None:
        cal.add("REFRESH-INTERVAL", ExactDuration(refresh_interval),
                parameters={"VALUE": "DURATION"})  # fmt: skip
        cal.add("X-PUBLISHED-TTL", ExactDuration(refresh_interval))
    excused_set = {(uid, when.astimezone(UTC)) for uid, when in excused}
    years: dict[str, tuple[int, int]] = {}
    events: list[Event] = []
    for s in series:
        first, last = _years(s, stamp)
        low, high = years.get(s.tzid, (first, last))
        years[s.tzid] = (min(low, first), max(high, last))
        modified = (last_modified or {}).get(s.uid, stamp)
        text = _Text(s, program_name, discreet)
        events.append(_master(s, text, stamp, modified))
        events.extend(_overrides(s, text, stamp, modified, excused_set))
    for tzid in sorted(years):
        if tzid != "UTC":
            cal.add_component(vtimezone(tzid, *years[tzid]))
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


class _Text:
    """What the client reads: titles, descriptions and alarm texts, discreet or not."""

    def __init__(self, s: Series, program: str, discreet: bool) -> None:
        self.series, self.program, self.discreet = s, program, discreet

    @property
    def summary(self) -> str:
        s = self.series
        if self.discreet:
            return NEUTRAL_TITLE
        return s.title if s.kind.label in s.title.lower() else f"{s.title} ({s.kind.label})"

    @property
    def description(self) -> str:
        s = self.series
        lines = []
        if not self.discreet:
            lines.append(f"{s.title}: {s.kind.label}" + (f", {self.program}" if self.program
                                                         else ""))  # fmt: skip
        if s.join_url:
            lines.append(f"Join: {s.join_url}")
        if s.facilitator and not self.discreet:
            lines.append(f"Facilitator: {s.facilitator}")
        lines += ["", "Before the session:" if not self.discreet else "Before:"]
        lines += [f"- {item}" for item in (BEFORE_DISCREET if self.discreet else BEFORE_SESSION)]
        return "\n".join(lines).lstrip("\n")

    def alarm(self, offset: timedelta) -> str:
        return f"{self.summary} in {_in_words(offset)}" if offset else f"{self.summary} now"


def _in_words(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes" if minutes != 1 else "1 minute"


def _years(s: Series, now: datetime) -> tuple[int, int]:
    """The years a series' occurrences fall in (an open-ended one: until next year)."""
    starts = [s.start, *s.rdates, *(o.start for o in s.overrides.values() if o.start)]
    end = max(starts)
    until = rule_until_utc(s)
    if until is not None:
        end = max(end, until)
    elif s.rrule and "COUNT=" in s.rrule.upper():
        last = list(parse_rrule(s.rrule, s.start))[-1]
        end = max(end, last.replace(tzinfo=s.zone))
    elif s.rrule:
        end = max(end, now + timedelta(days=366))
    return min(starts).year, end.astimezone(s.zone).year


def _base(s: Series, text: _Text, stamp: datetime, modified: datetime) -> Event:
    event = Event()
    event.add("UID", s.uid)
    event.add("DTSTAMP", stamp)
    event.add("LAST-MODIFIED", modified.astimezone(UTC))
    event.add("SEQUENCE", s.sequence)
    if s.join_url:
        event.add("LOCATION", s.join_url)
        event.add("URL", s.join_url)
    if not text.discreet:
        event.add(KIND_PROPERTY, s.kind.value)
    return event


def _local(s: Series, when: datetime) -> datetime:
    """``when`` in the series' zone, so TZID and local time match DTSTART's."""
    return when.astimezone(s.zone)


def _master(s: Series, text: _Text, stamp: datetime, modified: datetime) -> Event:
    event = _base(s, text, stamp, modified)
    event.add("SUMMARY", text.summary)
    event.add("DESCRIPTION", text.description)
    event.add("DTSTART", _local(s, s.start))
    event.add("DTEND", _local(s, s.start + s.duration))
    if s.rrule:
        event.add("RRULE", _rrule(s))
    elif s.rdates:
        # ical.js (kewisch/ical.js#534) skips DTSTART of an RDATE-only event, and libical
        # lists DTSTART twice when an RDATE repeats it: a rule that yields DTSTART alone
        # gives every parser the same set.
        event.add("RRULE", vRecur({"FREQ": "DAILY", "COUNT": 1}))
    for rdate in sorted(set(s.rdates)):
        # In UTC: libical's icalcomponent_foreach_recurrence reads an RDATE's local time
        # as UTC, ignoring its TZID.
        event.add("RDATE", rdate.astimezone(UTC))
    for original in sorted(o.original_start for o in s.overrides.values() if o.cancelled):
        event.add("EXDATE", _local(s, original))
    _add_alarms(event, s, text)
    return event


def _rrule(s: Series) -> vRecur:
    """The series' RRULE with UNTIL as UTC (DTSTART has a TZID)."""
    assert s.rrule is not None
    rule = vRecur.from_ical(s.rrule.strip().removeprefix("RRULE:"))
    until = rule_until_utc(s)
    if until is not None:
        rule["UNTIL"] = [until]
    return rule


def _add_alarms(event: Event, s: Series, text: _Text) -> None:
    for offset in sorted(set(s.reminders)):  # nearest first: Outlook keeps only the first
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", text.alarm(offset))
        alarm.add("TRIGGER", ExactDuration(-offset), parameters={"RELATED": "START"})
        event.add_component(alarm)


def _overrides(
    s: Series,
    text: _Text,
    stamp: datetime,
    modified: datetime,
    excused: set[tuple[str, datetime]],
) -> list[Event]:
    """RECURRENCE-ID events: each moved occurrence, and each the client is excused from."""
    originals = {o.original_start for o in s.overrides.values() if o.start and not o.cancelled}
    originals |= {when for uid, when in excused if uid == s.uid}
    out = []
    for original in sorted(originals):
        override = s.overrides.get(original)
        if override is not None and override.cancelled:
            continue  # an EXDATE on the master already
        if override is None and original not in original_starts(s, original, original + _TICK):
            continue  # excused from a slot the series does not have
        start = override.start if override and override.start else original
        end = override.end if override and override.end else start + s.duration
        event = _base(s, text, stamp, modified)
        event.add("RECURRENCE-ID", _local(s, original))
        event.add("DTSTART", _local(s, start))
        event.add("DTEND", _local(s, end))
        if (s.uid, original) in excused:
            event.add("SUMMARY", f"{EXCUSED} – {text.summary}")
            event.add("DESCRIPTION", f"{EXCUSED}.\n\n{text.description}")
            event.add("TRANSP", "TRANSPARENT")
        else:
            event.add("SUMMARY", text.summary)
            event.add("DESCRIPTION", text.description)
            _add_alarms(event, s, text)
        out.append(event)
    return out
