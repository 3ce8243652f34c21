"""Day notes as all-day events: DTSTART;VALUE=DATE, TRANSP:TRANSPARENT, no alarm.

Written the way Google and Outlook write a holiday, so a calendar app shows the note on
its day without blocking the time, and an import reads it back as a note.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Event, vRecur

from companion.domain.notes import DayNote, split_until


def note_event(note: DayNote, stamp: datetime, modified: datetime) -> Event:
    """The VEVENT of ``note``."""
    event = Event()
    event.add("UID", note.uid)
    event.add("DTSTAMP", stamp)
    event.add("LAST-MODIFIED", modified.astimezone(UTC))
    event.add("SEQUENCE", note.sequence)
    event.add("SUMMARY", note.title)
    if note.description:
        event.add("DESCRIPTION", note.description)
    event.add("DTSTART", note.first_day)
    event.add("DTEND", note.first_day + timedelta(days=note.days))
    if note.rrule:
        rule, until = split_until(note.rrule)
        value = vRecur.from_ical(rule)
        if until is not None:
            value["UNTIL"] = [until]  # a DATE, as DTSTART is (RFC 5545 3.3.10)
        event.add("RRULE", value)
    if note.exdates:
        event.add("EXDATE", sorted(note.exdates))
    event.add("TRANSP", "TRANSPARENT")
    event.add("X-MICROSOFT-CDO-ALLDAYEVENT", "TRUE")
    return event
