"""Importing real-shaped exports (Google, Outlook, Apple), every feature the issue lists,
and files that must be refused with one line that says what and where."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from companion.domain.schedule import Kind, expand
from companion.ics import IcsError, import_calendar

DATA = Path(__file__).resolve().parent.parent / "data"
NY = ZoneInfo("America/New_York")


def load(name: str, default_tz: str = "America/Chicago"):
    return import_calendar((DATA / name).read_bytes(), default_tz=default_tz)


def by_title(result) -> dict:
    return {s.title: s for s in result.series}


def test_google_export() -> None:
    result = load("google_export.ics")
    series = by_title(result)
    assert set(series) == {"Process Group", "Individual counselling (intake)"}
    # A cancelled event is a cancellation (of what the client may have), not a series.
    assert [(a.title, a.cancel_all) for a in result.amendments] == [
        ("Family night (cancelled)", True)
    ]
    assert result.skipped == []
    group = series["Process Group"]
    assert (group.tzid, group.kind, group.sequence) == ("America/New_York", Kind.GROUP, 3)
    assert group.join_url == "https://meet.google.com/abc-defg-hij"
    assert group.reminders == (timedelta(days=1), timedelta(minutes=30))  # EMAIL + DISPLAY
    week = expand(group, datetime(2026, 10, 19, tzinfo=NY), datetime(2026, 10, 24, tzinfo=NY))
    assert [f"{o.local_start():%a %H:%M}" for o in week] == ["Mon 19:00", "Wed 18:00", "Fri 18:00"]
    holiday = expand(group, datetime(2026, 11, 23, tzinfo=NY), datetime(2026, 11, 28, tzinfo=NY))
    assert [(f"{o.local_start():%a}", o.cancelled) for o in holiday] == [
        ("Mon", False), ("Wed", False), ("Fri", True)]  # fmt: skip
    last = expand(group, datetime(2026, 12, 14, tzinfo=NY), datetime(2027, 1, 1, tzinfo=NY))
    assert f"{last[-1].local_start():%a %d %b %H:%M}" == "Fri 18 Dec 18:00"  # UNTIL kept it
    # A one-off written in UTC, read in the calendar's X-WR-TIMEZONE.
    intake = series["Individual counselling (intake)"]
    assert intake.tzid == "America/New_York" and f"{intake.start:%H:%M}" == "17:00"
    assert intake.join_url == "https://zoom.us/j/5550100123" and intake.kind is Kind.INDIVIDUAL
    # All day: a note on that day, never a session.
    (closed,) = result.notes
    assert (closed.title, closed.first_day, closed.days) == ("Program closed (holiday)",
                                                             date(2026, 12, 25), 1)  # fmt: skip
    assert closed.description == "No sessions: program closed"


def test_outlook_export_windows_and_customized_zones() -> None:
    series = by_title(load("outlook_export.ics"))
    counselling = series["Individual counselling"]
    assert counselling.tzid == "America/New_York"
    assert counselling.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert counselling.facilitator == "Sam Okafor"  # ORGANIZER's CN
    assert counselling.reminders == (timedelta(minutes=15),)
    cancelled = [o for o in expand(counselling, datetime(2026, 11, 20, tzinfo=UTC),
                                   datetime(2026, 12, 2, tzinfo=UTC)) if o.cancelled]  # fmt: skip
    assert [f"{o.local_start():%d %b %H:%M}" for o in cancelled] == ["24 Nov 17:00"]
    workshop = series["Skills workshop (Berlin)"]
    assert workshop.tzid == "Europe/Berlin"  # "Customized Time Zone" matched by its rules
    assert workshop.reminders == (timedelta(hours=24),)
    occs = expand(workshop, workshop.start, workshop.start + timedelta(days=200))
    times = {f"{o.local_start():%H:%M}" for o in occs}
    assert times == {"10:00"}  # across the October change


def test_apple_export_rdates_floating_and_placeholder_alarm() -> None:
    series = by_title(load("apple_export.ics"))
    group = series["Achtsamkeit – Gruppe für Ängste"]
    assert group.kind is Kind.GROUP and group.tzid == "Europe/Berlin"
    assert group.reminders == (timedelta(hours=1),)  # ACTION:NONE placeholder left out
    starts = [f"{o.local_start():%d %b %H:%M}" for o in expand(
        group, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))]  # fmt: skip
    assert starts == ["03 Oct 09:30", "17 Oct 09:30", "31 Oct 09:30"]
    floating = series["Peer support (floating time)"]
    assert floating.tzid == "America/Chicago" and f"{floating.start:%H:%M}" == "18:00"
    assert floating.reminders == (timedelta(minutes=30),)  # RELATED=END -1h30m of a 1h event


def test_utc_times_without_x_wr_timezone_stay_utc() -> None:
    extra = "DTSTART:20261201T180000Z\r\nDTEND:20261201T190000Z\r\nRRULE:FREQ=DAILY;COUNT=2"
    text = CAL.format(events=EVENT.format(uid="u1", extra=extra))
    (series,) = import_calendar(text).series
    assert series.tzid == "UTC" and series.start == datetime(2026, 12, 1, 18, tzinfo=UTC)


def test_tzid_without_vtimezone_and_unknown_zone() -> None:
    events = EVENT.format(uid="known", extra="DTSTART;TZID=Europe/Berlin:20261201T180000")
    events += EVENT.format(uid="unknown", extra="DTSTART;TZID=Mars/Olympus:20261201T180000")
    result = import_calendar(CAL.format(events=events))
    assert [s.tzid for s in result.series] == ["Europe/Berlin"]
    assert result.series[0].duration == timedelta(hours=1)  # no DTEND: one hour
    assert [(s.uid, s.reason) for s in result.skipped] == [
        ("unknown", "unknown timezone 'Mars/Olympus' and no VTIMEZONE for it")
    ]


def test_unsupported_features_are_skipped_with_reasons() -> None:
    start = "DTSTART;TZID=Europe/Berlin:20261201T180000\r\n"
    events = EVENT.format(uid="exrule", extra=start + "RRULE:FREQ=DAILY\r\nEXRULE:FREQ=WEEKLY")
    events += EVENT.format(uid="orphan", extra=start + "RECURRENCE-ID:20261201T170000Z")
    events += EVENT.format(uid="hourly", extra=start + "RRULE:FREQ=HOURLY;COUNT=3")
    events += EVENT.format(uid="many-times", extra=start + "RRULE:FREQ=DAILY;BYHOUR=9,18")
    result = import_calendar(CAL.format(events=events))
    assert result.series == []
    assert {s.uid: s.reason for s in result.skipped} == {
        "exrule": "EXRULE is not supported (RFC 5545 deprecated it)",
        "hourly": "sessions cannot repeat more often than daily (FREQ=HOURLY); "
        "use one series per session time",
        "many-times": "sessions cannot repeat more often than daily (BYHOUR=9,18); "
        "use one series per session time",
    }
    # A change to one session with no event it belongs to: for a series the client may
    # already have (Outlook sends a changed occurrence alone).
    (orphan,) = result.amendments
    assert orphan.uid == "orphan" and not orphan.cancel_all
    assert [o.original_start for o in orphan.overrides] == [datetime(2026, 12, 1, 17, tzinfo=UTC)]


CAL = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"
EVENT = (
    "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:S\r\n{extra}\r\n"
    "END:VEVENT\r\n"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an iCalendar file: it does not start with BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\n\xff\xfe", "not UTF-8 text (byte 17): is this an .ics file?"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", "not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nEND:VCALENDAR\r\n",
         "unsupported calendar version '1.0': only iCalendar 2.0 files can be imported"),
        (CAL.format(events=EVENT.format(uid="bad-date", extra="DTSTART:2026120XT180000")),
         "line 8: event 'bad-date': bad DTSTART in VEVENT: Wrong datetime format"),
        (CAL.format(events=EVENT.format(uid="bad-rule", extra="DTSTART:20261201T180000\r\n"
                                        "RRULE:FREQ=SOMETIMES")),
         "line 9: event 'bad-rule': bad RRULE in VEVENT"),
        (CAL.format(events=EVENT.format(uid="x", extra="DTSTART:20261201T180000\r\nnot a line")),
         "line 9: "),
        (CAL.format(events=EVENT.format(uid="no-start", extra="DURATION:PT1H")),
         "line 4: event 'no-start': VEVENT has no DTSTART"),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Nowhere/Land\r\nEND:VCALENDAR\r\n",
         "X-WR-TIMEZONE: unknown timezone 'Nowhere/Land'"),
        (CAL.format(events=EVENT.format(uid="twice", extra="DTSTART:20261201T180000\r\n"
                                        "DTSTART:20261202T180000")),
         "event 'twice': bad DTSTART in VEVENT: given more than once"),
        (CAL.format(events=EVENT.format(uid="per", extra="DTSTART;VALUE=PERIOD:"
                                        "20261201T180000/PT1H")),
         "event 'per': bad DTSTART in VEVENT"),
    ],
)  # fmt: skip
def test_malformed_files_get_one_line_naming_what_and_where(data, message: str) -> None:
    with pytest.raises(IcsError) as err:
        import_calendar(data)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_repeated_organizer_takes_the_first() -> None:
    """Seen in the wild: ORGANIZER twice. The first one's name is the facilitator."""
    data = CAL.format(
        events=EVENT.format(
            uid="org",
            extra=(
                "DTSTART:20261201T180000\r\nORGANIZER;CN=Dr. Ana Rivera:mailto:ana@example.org\r\n"
                "ORGANIZER;CN=Front desk:mailto:desk@example.org"
            ),
        )
    )
    (series,) = import_calendar(data).series
    assert series.facilitator == "Dr. Ana Rivera"
