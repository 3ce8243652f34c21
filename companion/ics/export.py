"""Export series (and day notes) as one iCalendar (RFC 5545) file real calendar apps read right.

Every rule here answers a parser seen breaking (issue 3): VTIMEZONEs with yearly RRULEs
(see :mod:`companion.ics.vtimezone`), UNTIL in UTC, EXDATE in DTSTART's own TZID and local
time, alarm offsets as exact hours (``-PT24H``), the nearer alarm first (Outlook keeps
one), ``REFRESH-INTERVAL;VALUE=DURATION`` plus ``X-PUBLISHED-TTL`` for feeds, a stable
calendar UID, and EXDATE (never a cancelled override) for sessions the program called off.

What calendar apps cache by: an override's SEQUENCE is above its series' when the client's
own excused marker is on it, and its LAST-MODIFIED is when the notice was given, so an app
that keeps events by SEQUENCE replaces the old one. A discreet file (``discreet=True``)
names nothing: neutral calendar name, titles and PRODID, UIDs that are keyed hashes
(stable from one export to the next, revealing no series uid), no X-COMPANION-*, no day
notes, and an excused session shown as cancelled (an EXDATE, the master's SEQUENCE up).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration, vRecur

from companion import __version__
from companion.domain.notes import DayNote
from companion.domain.schedule import (
    Series,
    occurrence_at,
    original_starts,
    parse_rrule,
    rule_parts,
    rule_until_utc,
)
from companion.ics.events import KIND_PROPERTY, ordinal_weekday
from companion.ics.notes import note_event
from companion.ics.text import EXCUSED, NEUTRAL_CALENDAR, Wording
from companion.ics.vtimezone import vtimezone

PRODID = f"-//Companion//IOP Companion {__version__}//EN"
DISCREET_PRODID = "-//Calendar//Calendar 1.0//EN"
_TICK = timedelta(seconds=1)

Excused = Collection[tuple[str, datetime]] | Mapping[tuple[str, datetime], datetime]


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


def opaque_uid(key: str, uid: str) -> str:
    """A UID that is the same for the same ``key`` (the calendar's UID) and ``uid``, and
    tells nothing about ``uid``: an HMAC-SHA256, shaped as a UUID."""
    digest = hmac.new(key.encode(), uid.encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def export_calendar(
    series: Sequence[Series],
    *,
    now: datetime,
    calendar_name: str,
    calendar_uid: str,
    program_name: str = "",
    timezone: str = "UTC",
    excused: Excused = (),
    discreet: bool = False,
    last_modified: Mapping[str, datetime] | None = None,
    refresh_interval: timedelta | None = None,
    notes: Sequence[DayNote] = (),
    no_links: bool = False,
) -> bytes:
    """The whole calendar as bytes: CRLF line ends, folded at 75 octets, UTF-8.

    ``excused`` holds the (series uid, original start) pairs the client gave notice for,
    or maps each to when the notice was given (its override's LAST-MODIFIED). They are
    written as RECURRENCE-ID overrides titled "Excused: notice sent" with no alarm; in a
    discreet file, as cancelled. ``no_links`` leaves join links (and meeting passcodes) out.
    """
    stamp = now.astimezone(UTC)
    words = Wording(program_name, discreet, links=not no_links)
    cal = Calendar()
    cal.add("PRODID", DISCREET_PRODID if discreet else PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("UID", opaque_uid(calendar_uid, "calendar") if discreet else calendar_uid)
    name = NEUTRAL_CALENDAR if discreet else calendar_name
    cal.add("NAME", name)
    cal.add("X-WR-CALNAME", name)
    cal.add("X-WR-TIMEZONE", timezone)
    if refresh_interval is not None:
        cal.add("REFRESH-INTERVAL", ExactDuration(refresh_interval),
                parameters={"VALUE": "DURATION"})  # fmt: skip
        cal.add("X-PUBLISHED-TTL", ExactDuration(refresh_interval))
    given = _excused_at(excused)
    years: dict[str, tuple[int, int]] = {}
    events: list[Event] = []
    for whole in series:
        s = _called_off(whole)
        if s is None:
            continue  # every session was called off: calendars drop the event
        first, last = _years(s, stamp)
        low, high = years.get(s.tzid, (first, last))
        years[s.tzid] = (min(low, first), max(high, last))
        writer = _Writer(s, words, stamp, (last_modified or {}).get(s.uid, stamp),
                         opaque_uid(calendar_uid, s.uid) if discreet else s.uid)  # fmt: skip
        mine = {o: at for (uid, o), at in given.items() if uid == s.uid and _takes_place(s, o)}
        events.extend(writer.events(mine))
    for tzid in sorted(years):
        if tzid != "UTC":
            cal.add_component(vtimezone(tzid, *years[tzid]))
    for event in events:
        cal.add_component(event)
    if not discreet:  # a note's title may name treatment ("No group – Thanksgiving")
        for note in notes:
            cal.add_component(note_event(note, stamp, (last_modified or {}).get(note.uid, stamp)))
    return cal.to_ical()


def _excused_at(excused: Excused) -> dict[tuple[str, datetime], datetime | None]:
    if isinstance(excused, Mapping):
        return {(uid, o.astimezone(UTC)): at.astimezone(UTC) for (uid, o), at in excused.items()}
    return {(uid, o.astimezone(UTC)): None for uid, o in excused}


def _takes_place(s: Series, original: datetime) -> bool:
    """True when ``original`` is a session of ``s`` that the program did not call off."""
    override = s.overrides.get(original)
    if override is not None:
        return not override.cancelled
    return original in original_starts(s, original, original + _TICK)


def _called_off(s: Series) -> Series | None:
    """``s`` as calendars should show it when the program called it off from
    ``cancelled_from``: the rule ends before then, later dates and changes are dropped;
    None when no session is left."""
    cut = s.cancelled_from
    if cut is None:
        return s
    if min([s.start, *s.rdates]) >= cut:
        return None
    rule = s.rrule
    if rule:
        parts = rule_parts(rule)
        until = rule_until_utc(s)
        last = list(parse_rrule(rule, s.start))[-1].replace(tzinfo=s.zone) if (
            "COUNT" in parts) else until  # fmt: skip
        if last is None or last >= cut:
            kept = [f"{k}={v}" for k, v in parts.items() if k not in ("COUNT", "UNTIL")]
            rule = ";".join([*kept, f"UNTIL={cut - _TICK:%Y%m%dT%H%M%SZ}"])
    return replace(
        s, rrule=rule, rdates=tuple(r for r in s.rdates if r < cut), cancelled_from=None,
        overrides={k: o for k, o in s.overrides.items() if k < cut},
    )  # fmt: skip


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


class _Writer:
    """The VEVENTs of one series: the master and its RECURRENCE-ID overrides."""

    def __init__(self, s: Series, words: Wording, stamp: datetime, modified: datetime,
                 uid: str) -> None:  # fmt: skip
        self.s, self.words, self.stamp, self.modified, self.uid = s, words, stamp, modified, uid

    def events(self, excused: Mapping[datetime, datetime | None]) -> list[Event]:
        s = self.s
        changed = {k for k, o in s.overrides.items() if not o.cancelled}
        if self.words.discreet:  # excused reads as cancelled: off the master, nothing else
            master = self._master(excused)
            return [master, *(self._override(o, None) for o in sorted(changed - set(excused)))]
        out = [self._master({})]
        for original in sorted(changed | set(excused)):
            out.append(self._override(original, excused.get(original, None),
                                      excused=original in excused))  # fmt: skip
        return out

    def _base(self, sequence: int, modified: datetime) -> Event:
        event = Event()
        event.add("UID", self.uid)
        event.add("DTSTAMP", self.stamp)
        event.add("LAST-MODIFIED", modified.astimezone(UTC))
        event.add("SEQUENCE", sequence)
        if not self.words.discreet:
            event.add(KIND_PROPERTY, self.s.kind.value)
        return event

    def _texts(self, event: Event, original: datetime | None, excused: bool = False) -> str:
        """SUMMARY, DESCRIPTION, LOCATION and URL of the master (``original`` None) or of
        one occurrence; returns the summary (for the alarms)."""
        s, words = self.s, self.words
        occ = occurrence_at(s, original) if original is not None else None
        title = occ.title if occ else s.title
        url = occ.join_url if occ else s.join_url
        location = occ.location if occ else s.location
        program_text = occ.description if occ else s.description
        summary = words.summary(title, s.kind)
        description = words.description(title, s.kind, url, s.facilitator, program_text)
        if excused:
            summary, description = f"{EXCUSED} – {summary}", f"{EXCUSED}.\n\n{description}"
        event.add("SUMMARY", summary)
        event.add("DESCRIPTION", description)
        place = url if words.discreet or not location else location
        if place and (words.links or "://" not in place):
            event.add("LOCATION", place)
        if url and words.links:
            event.add("URL", url)
        return summary

    def _master(self, excused: Mapping[datetime, datetime | None]) -> Event:
        s = self.s
        modified = max([self.modified, *(at for at in excused.values() if at)])
        event = self._base(s.sequence + len(excused), modified)
        summary = self._texts(event, None)
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
        off = {o.original_start for o in s.overrides.values() if o.cancelled} | set(excused)
        for original in sorted(off):
            event.add("EXDATE", _local(s, original))
        self._alarms(event, summary)
        return event

    def _override(self, original: datetime, at: datetime | None, excused: bool = False) -> Event:
        s = self.s
        occ = occurrence_at(s, original)
        bump = 1 if excused else 0
        event = self._base(s.sequence + bump, max(self.modified, at or self.modified))
        event.add("RECURRENCE-ID", _local(s, original))
        event.add("DTSTART", _local(s, occ.start))
        event.add("DTEND", _local(s, occ.end))
        summary = self._texts(event, original, excused)
        if excused:
            event.add("TRANSP", "TRANSPARENT")
        else:
            self._alarms(event, summary)
        return event

    def _alarms(self, event: Event, summary: str) -> None:
        for offset in sorted(set(self.s.reminders)):  # nearest first: Outlook keeps the first
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", self.words.alarm(summary, offset))
            alarm.add("TRIGGER", ExactDuration(-offset), parameters={"RELATED": "START"})
            event.add_component(alarm)


def _local(s: Series, when: datetime) -> datetime:
    """``when`` in the series' zone, so TZID and local time match DTSTART's."""
    return when.astimezone(s.zone)


def _rrule(s: Series) -> vRecur:
    """The series' RRULE with UNTIL as UTC (DTSTART has a TZID), and a BYSETPOS that
    picks the nth of one weekday written as that weekday's ordinal (``BYDAY=2TU``)."""
    assert s.rrule is not None
    rule = vRecur.from_ical(ordinal_weekday(s.rrule.strip().removeprefix("RRULE:")))
    until = rule_until_utc(s)
    if until is not None:
        rule["UNTIL"] = [until]
    return rule
