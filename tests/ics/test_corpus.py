"""Calendar files as programs really send them (tests/data/ics/): each imports with the
sessions, join links, passcodes, places, descriptions and day notes a person reads in it.

The expectations are written by hand from each file; a parser we did not write
(recurring-ical-events) reading the original file gives the same sessions, so the
expectations are checked too, not only our reading of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from companion.domain.meeting import access_lines
from companion.domain.notes import note_days
from companion.domain.schedule import expand_all
from companion.ics import import_calendar
from tests.ics.corpus import NAMES, Expected, load


def days_of(exp: Expected) -> tuple:
    tz = ZoneInfo(exp.raw["timezone"])
    first, last = (w.astimezone(tz).date() for w in exp.window)
    return first, last


def test_every_file_folds_inside_a_multibyte_character() -> None:
    """What the issue found: RFC 5545 folds by octets, so real files split characters."""
    for name in NAMES:
        physical = load(name).path.read_bytes().split(b"\r\n")
        broken = [line for line in physical if not _decodes(line)]
        assert broken, f"{name}: no fold inside a character"


def _decodes(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("name", NAMES)
def test_a_parser_we_did_not_write_agrees_with_the_expectations(name: str) -> None:
    exp = load(name)
    calendar = Calendar.from_ical(exp.path.read_bytes())
    events = recurring_ical_events.of(calendar).between(*exp.window)
    timed = [e for e in events if isinstance(e["DTSTART"].dt, datetime)]
    found = sorted((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
                   for e in timed if str(e.get("STATUS", "")).upper() != "CANCELLED")  # fmt: skip
    assert found == exp.occurrences()
    all_day = sorted((str(e["UID"]), e["DTSTART"].dt + timedelta(days=n))
                     for e in events if not isinstance(e["DTSTART"].dt, datetime)
                     for n in range((e["DTEND"].dt - e["DTSTART"].dt).days))  # fmt: skip
    assert all_day == exp.note_days()


@pytest.mark.parametrize("name", NAMES)
def test_import_keeps_what_the_program_wrote(name: str) -> None:
    exp = load(name)
    result = import_calendar(exp.path.read_bytes(), default_tz="UTC")
    assert (result.skipped, result.amendments) == ([], [])
    by_uid = {s.uid: s for s in result.series}
    assert set(by_uid) == {s["uid"] for s in exp.series}
    for want in exp.series:
        got = by_uid[want["uid"]]
        assert (got.title, got.kind.value, got.tzid) == (want["title"], want["kind"], want["tzid"])
        assert got.join_url == want["join_url"], got.uid
        assert got.location == want["location"], got.uid
        assert list(access_lines(got.description)) == want["access"], got.uid
        for part in want["description_has"]:
            assert part in got.description, (got.uid, part)
        minutes = sorted(int(r.total_seconds() // 60) for r in got.reminders)
        assert minutes == sorted(want["reminders_min"]), got.uid
    # Every session at its time, the cancelled ones gone, the moved ones moved ...
    occurrences = [o for o in expand_all(result.series, *exp.window) if not o.cancelled]
    assert sorted((o.series_uid, o.start, o.end) for o in occurrences) == exp.occurrences()
    # ... each with what its own event says, even when it kept its start.
    by_key = {(o.series_uid, o.start): o for o in occurrences}
    series = {s["uid"]: s for s in exp.series}
    for session in exp.sessions:
        occ, base = by_key[(session.uid, session.start)], series[session.uid]
        for name_ in ("title", "join_url", "location"):
            assert getattr(occ, name_) == session.changes.get(name_, base[name_]), (occ, name_)
        access = session.changes.get("access", base["access"])
        assert list(access_lines(occ.description)) == access
    # All-day events are day notes, never sessions.
    notes = {n.uid: n for n in result.notes}
    assert set(notes) == set(exp.notes)
    for uid, (title, days) in exp.notes.items():
        assert notes[uid].title == title
        assert note_days(notes[uid], *days_of(exp)) == days
        wanted = next(n for n in exp.raw["notes"] if n["uid"] == uid)["description_has"]
        assert wanted in notes[uid].description
