"""The exported file itself: golden bytes under a frozen clock, and each trap the issue
names, checked on the text a calendar app receives."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar

from companion.ics.export import ExactDuration
from tests.ics import samples
from tests.ics.samples import export, program

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden_sample.ics"


def lines(data: bytes) -> list[str]:
    """Unfolded content lines."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_golden_file() -> None:
    data = export(program(), excused=[samples.EXCUSED])
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()


def test_crlf_folded_at_75_octets_valid_utf8() -> None:
    data = export(program())
    text = data.decode("utf-8")  # valid UTF-8, or this raises
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "a line longer than 75 octets"
    assert "SUMMARY:Achtsamkeit – Gruppe für Ängste 🌱 (group therapy)" in lines(data)


def test_calendar_headers_and_stable_uid() -> None:
    first = lines(export(program(), refresh_interval=timedelta(hours=6)))
    for wanted in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                   "X-WR-CALNAME:Evening IOP", "X-WR-TIMEZONE:America/New_York",
                   "UID:evening-iop@sample.companion", "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
                   "X-PUBLISHED-TTL:PT6H"):  # fmt: skip
        assert wanted in first
    assert any(line.startswith("PRODID:-//Companion//") for line in first)
    assert export(program()) == export(program())  # same input, same bytes


def test_vtimezones_are_yearly_rules_not_rdate_lists() -> None:
    cal = Calendar.from_ical(export(program()))
    zones = {str(z["TZID"]): z for z in cal.walk("VTIMEZONE")}
    assert set(zones) == {"America/New_York", "Europe/Berlin"}
    text = "\n".join(lines(export(program())))
    assert "RDATE" not in text.split("BEGIN:VEVENT")[0]
    ny = [(c.name, c["RRULE"].to_ical().decode()) for c in zones["America/New_York"].subcomponents]
    assert ("DAYLIGHT", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3") in ny
    assert ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11") in ny
    berlin = [(c.name, c["RRULE"].to_ical().decode()) for c in zones["Europe/Berlin"].subcomponents]
    assert ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3") in berlin
    assert ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10") in berlin


def test_until_in_utc_exdate_in_dtstart_zone_exact_offsets_nearest_alarm_first() -> None:
    text = lines(export(program()))
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261219T045959Z;BYDAY=MO,WE,FR" in text
    assert "EXDATE;TZID=America/New_York:20261104T180000" in text
    assert "EXDATE;TZID=Europe/Berlin:20260326T100000" in text
    assert "TRIGGER;RELATED=START:-PT24H" in text and not any("P1D" in x for x in text)
    first_alarms = [x for x in text if x.startswith("TRIGGER")][:2]
    assert first_alarms == ["TRIGGER;RELATED=START:-PT30M", "TRIGGER;RELATED=START:-PT24H"]
    assert "STATUS:CANCELLED" not in text  # cancelled sessions are EXDATEs


def test_moved_occurrence_is_a_recurrence_id_override() -> None:
    text = "\n".join(lines(export(program())))
    blocks = [b for b in text.split("BEGIN:VEVENT") if "RECURRENCE-ID" in b]
    assert len(blocks) == 1
    block = blocks[0]
    assert "RECURRENCE-ID;TZID=America/New_York:20260309T180000" in block
    assert "DTSTART;TZID=America/New_York:20260310T193000" in block
    assert "UID:process-group@sample.companion" in block
    assert "SEQUENCE:2" in block


def test_summary_location_url_description() -> None:
    cal = Calendar.from_ical(export(program()))
    group = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("process-group"))
    assert str(group["SUMMARY"]) == "Process Group (group therapy)"
    assert str(group["LOCATION"]) == str(group["URL"]) == "https://meet.example.org/evening-group"
    description = str(group["DESCRIPTION"])
    for part in ("Join: https://meet.example.org/evening-group", "Facilitator: Dr. Ana Rivera",
                 "Evening IOP", "Test your camera and microphone", "quiet, private space",
                 "notes from last time"):  # fmt: skip
        assert part in description
    assert group["LAST-MODIFIED"].dt == samples.FROZEN and group["DTSTAMP"].dt == samples.FROZEN


def test_discreet_reveals_nothing_but_keeps_the_join_link() -> None:
    data = export(program(), discreet=True, excused=[samples.EXCUSED]).decode()
    # UIDs too are opaque (tests/ics/test_discreet.py checks them and much more).
    unfolded = "\n".join(lines(data.encode()))
    for word in ("Process Group", "therapy", "counselling", "workshop", "Evening IOP",
                 "Rivera", "X-COMPANION-KIND", "Achtsamkeit", "sample.companion",
                 "Excused"):  # fmt: skip
        assert word not in unfolded, word
    assert "SUMMARY:Appointment" in unfolded
    assert "X-WR-CALNAME:Appointments" in unfolded
    assert "https://meet.example.org/evening-group" in unfolded
    assert re.search(r"DESCRIPTION:Appointment in 30 minutes", unfolded)


def test_sequence_goes_up_when_a_series_changes() -> None:
    before = program()[1]
    after = before.with_changes(start=before.start + timedelta(hours=1))
    assert after.sequence == before.sequence + 1
    assert f"SEQUENCE:{after.sequence}" in lines(export([after]))


def test_exact_duration() -> None:
    assert ExactDuration(-timedelta(days=2)).to_ical() == b"-PT48H"
    assert ExactDuration(-timedelta(minutes=90)).to_ical() == b"-PT1H30M"
    assert ExactDuration(timedelta(0)).to_ical() == b"PT0S"
