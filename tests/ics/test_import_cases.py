"""import-ics on what programs send after the first file: a cancellation (of one session,
then of the whole series), a changed session on its own, an all-day event an earlier
import made a session, a repeat finer than daily, the same file again. A real store, the
real CLI, a clock frozen on Thu 26 Nov 2026 17:12 New York."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from companion.actions.ics import due_reminders, export_profile, import_file
from companion.actions.profile import Profile
from companion.actions.schedule import occurrences
from companion.actions.today import load_today
from companion.domain.attendance import Status
from companion.domain.schedule import Kind, Series
from companion.ics import import_calendar
from companion.store import repo_catchup, repo_notes, repo_schedule
from tests.conftest import run_cli
from tests.ics.corpus import CORPUS, NAMES

NY = ZoneInfo("America/New_York")
FAMILY = ("040000008200E00074C5B7101A82E00800000000D2E3F4A5B65BDB01000000000000000010000000"
          "CC33DD44EE55FF66778899AABBCC0022")  # fmt: skip


def at(day: int, month: int = 11, hour: int = 19) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=NY).astimezone(UTC)


def statuses(profile: Profile) -> dict[str, str]:
    found = occurrences(profile, at(1, hour=0), at(31, 12, 0))
    return {f"{v.occurrence.local_start(NY):%d %b}": v.status.value for v in found}


def test_a_cancellation_calls_off_what_is_to_come_and_keeps_every_mark(profile: Profile) -> None:
    assert import_file(profile, CORPUS / "teams_invite.ics").added == ["Family Session"]
    with profile.store.transaction() as conn:
        repo_schedule.set_mark(conn, FAMILY, at(5), Status.ATTENDED, profile.now())
    assert run_cli("mark", _id(profile, at(12)), "missed").returncode == 0
    # One session called off: that one is cancelled, nothing else changes.
    one = import_file(profile, CORPUS / "teams_cancel_one.ics")
    assert (one.cancelled, one.skipped) == (["Family Session"], [])
    assert statuses(profile)["10 Dec"] == "cancelled"
    assert statuses(profile)["03 Dec"] == "upcoming"
    # The whole series called off (METHOD:CANCEL, SEQUENCE 2): from now on, all cancelled.
    done = run_cli("import-ics", str(CORPUS / "teams_cancel.ics"))
    assert done.returncode == 0, done.stderr
    assert "1 cancelled: Family Session" in done.stdout
    assert statuses(profile) == {
        "05 Nov": "attended", "12 Nov": "missed", "19 Nov": "unrecorded",  # past: as it was
        "26 Nov": "cancelled", "03 Dec": "cancelled", "10 Dec": "cancelled",
        "17 Dec": "cancelled", "24 Dec": "cancelled",
    }  # fmt: skip
    assert repo_catchup.get_checklist(profile.store.conn, FAMILY, at(12)) is not None
    # No reminder, no next session, nothing counted this week.
    assert due_reminders(profile, within=timedelta(days=40)) == []
    today = load_today(profile)
    assert today.next_occurrence is None and today.week.counted == 0
    # The same message again changes nothing; the old invite (SEQUENCE 0) is older.
    again = import_file(profile, CORPUS / "teams_cancel.ics")
    assert (again.cancelled, again.unchanged) == ([], ["Family Session"])
    old = import_file(profile, CORPUS / "teams_invite.ics")
    assert [s.reason for s in old.skipped] == ["older than the stored version (SEQUENCE 0 < 2)"]
    assert statuses(profile)["03 Dec"] == "cancelled"
    # Calendar apps see the series end before the cancellation.
    events = recurring_ical_events.of(Calendar.from_ical(export_profile(profile))).between(
        at(1, hour=0), at(31, 12, 0))  # fmt: skip
    assert sorted(e["DTSTART"].dt.astimezone(UTC) for e in events) == [at(5), at(12), at(19)]


def _id(profile: Profile, original: datetime) -> str:
    found = occurrences(profile, original, original + timedelta(hours=1))
    return next(v.occurrence.id for v in found if v.occurrence.original_start == original)


def test_a_cancellation_of_what_the_client_does_not_have_is_a_skip(profile: Profile) -> None:
    done = import_file(profile, CORPUS / "teams_cancel.ics")
    assert [(s.title, s.reason) for s in done.skipped] == [
        ("Canceled: Family Session", "the event is cancelled")]  # fmt: skip
    one = import_file(profile, CORPUS / "teams_cancel_one.ics")
    assert [s.reason for s in one.skipped] == ["it cancels sessions that are not in your schedule"]
    assert repo_schedule.list_series(profile.store.conn) == []


def test_a_changed_session_sent_on_its_own(profile: Profile, tmp_path: Path) -> None:
    """Outlook sends "this occurrence changed" as an invite with only that occurrence."""
    import_file(profile, CORPUS / "teams_invite.ics")
    moved = tmp_path / "moved.ics"
    moved.write_text(
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange\r\n"
        "BEGIN:VEVENT\r\nUID:" + FAMILY + "\r\nRECURRENCE-ID;TZID=America/New_York:"
        "20261203T190000\r\nDTSTART;TZID=America/New_York:20261203T193000\r\n"
        "DTEND;TZID=America/New_York:20261203T203000\r\nSEQUENCE:1\r\n"
        "SUMMARY:Family Session\r\nLOCATION:https://zoom.us/j/5550100199\r\n"
        "DTSTAMP:20261125T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert import_file(profile, moved).updated == ["Family Session"]
    week = occurrences(profile, at(3, 12, 0), at(4, 12, 0))
    (occ,) = [v.occurrence for v in week]
    assert (occ.local_start(NY).hour, occ.local_start(NY).minute, occ.moved) == (19, 30, True)
    assert occ.join_url == "https://zoom.us/j/5550100199"
    assert occ.title == "Family Session"  # the same as the series: nothing of its own
    assert import_file(profile, moved).unchanged == ["Family Session"]


def test_all_day_events_an_earlier_import_made_sessions_become_notes(profile: Profile) -> None:
    uid = "B7C6D5E4-F3A2-4B1C-8D9E-0F1A2B3C4D5E"
    la = ZoneInfo("America/Los_Angeles")
    bogus = Series(uid=uid, title="No group – Thanksgiving 🦃", kind=Kind.GROUP,
                   start=datetime(2026, 11, 26, tzinfo=la), duration=timedelta(days=1),
                   tzid=la.key, origin="import")  # fmt: skip
    with profile.store.transaction() as conn:
        repo_schedule.save_series(conn, bogus, profile.now())
    summary = import_file(profile, CORPUS / "apple_icloud.ics")
    assert "No group – Thanksgiving 🦃" in summary.updated
    assert repo_schedule.get_series(profile.store.conn, uid) is None
    (note,) = repo_notes.list_notes(profile.store.conn)
    assert (note.uid, note.first_day) == (uid, date(2026, 11, 26))
    thanksgiving = occurrences(profile, at(26, hour=0), at(27, hour=0))
    assert [v.occurrence.series_uid for v in thanksgiving if v.occurrence.series_uid == uid] == []


def test_store_keeps_every_field_the_file_had(profile: Profile) -> None:
    result = import_calendar((CORPUS / "apple_icloud.ics").read_bytes(), default_tz="UTC")
    import_file(profile, CORPUS / "apple_icloud.ics")
    for series in result.series:
        assert repo_schedule.get_series(profile.store.conn, series.uid) == series
    assert repo_notes.list_notes(profile.store.conn) == result.notes
    again = import_file(profile, CORPUS / "apple_icloud.ics")
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], 3)


def test_cli_says_what_did_not_change_and_why_a_rule_is_refused(tmp_path: Path) -> None:
    first = run_cli("import-ics", str(CORPUS / "google.ics"))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("4 added: Relapse Prevention Workshop, Intake, ")
    again = run_cli("import-ics", str(CORPUS / "google.ics"))
    assert again.stdout.splitlines()[:3] == [
        "0 added", "0 updated",
        "4 unchanged: Relapse Prevention Workshop, Intake, Program closed – winter break, "
        "No sessions – New Year’s Day",
    ]  # fmt: skip
    hourly = tmp_path / "hourly.ics"
    hourly.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:h1\r\n"
        "DTSTAMP:20261101T000000Z\r\nSUMMARY:Check-in\r\nDTSTART:20261201T180000Z\r\n"
        "RRULE:FREQ=HOURLY;COUNT=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    done = run_cli("import-ics", str(hourly), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["skipped"] == [{
        "uid": "h1", "title": "Check-in",
        "reason": "sessions cannot repeat more often than daily (FREQ=HOURLY); "
                  "use one series per session time",
    }]  # fmt: skip
    plain = run_cli("import-ics", str(hourly))
    assert "  Check-in: sessions cannot repeat more often than daily (FREQ=HOURLY)" in plain.stdout


def test_sessions_lists_the_day_notes(profile: Profile) -> None:
    import_file(profile, CORPUS / "microsoft365.ics")
    done = run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-27")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    note = next(n for n, line in enumerate(lines) if "No group – Thanksgiving" in line)
    assert "Thu 26 Nov all day" in lines[note] and "note" in lines[note]
    assert "Mon 23 Nov 22:00-00:00  not marked" in lines[0]  # (a profile without a zone: UTC)
    assert "Wed 25 Nov 22:00-00:00  cancelled" in lines[1]
    status = run_cli("status")
    assert "Meeting ID: 283 551 906 417 · Passcode: Xy7Ab9Q2" in status.stdout


def test_a_reminder_carries_the_passcode_the_join_link_asks_for(profile: Profile) -> None:
    import_file(profile, CORPUS / "zoom.ics")  # Thu 26 Nov 17:30 Denver, 10 minutes before
    (reminder,) = due_reminders(profile, within=timedelta(hours=3))
    assert reminder.message.endswith(
        "Join: https://us02web.zoom.us/j/85551234567?pwd=dFh1V2xQbUZ3K1N0ZzZKYk5XTT09 "
        "(Meeting ID: 855 5123 4567, Passcode: 246810)"
    )


def calendar_file(path: Path, *events: str, method: str = "PUBLISH") -> Path:
    body = "".join(f"BEGIN:VEVENT\r\n{e}\r\nDTSTAMP:20261101T000000Z\r\nEND:VEVENT\r\n"
                   for e in events)  # fmt: skip
    path.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:{method}\r\n"
                    f"{body}END:VCALENDAR\r\n")  # fmt: skip
    return path


def test_a_published_calendar_that_marks_the_event_cancelled(profile: Profile, tmp_path) -> None:
    event = ("UID:night@p\r\nSUMMARY:Family night\r\nDTSTART;TZID=America/New_York:"
             "20261201T180000\r\nDTEND;TZID=America/New_York:20261201T200000\r\n"
             "RRULE:FREQ=WEEKLY;COUNT=4\r\nSEQUENCE:{seq}\r\nSTATUS:{status}")  # fmt: skip
    v1 = calendar_file(tmp_path / "v1.ics", event.format(seq=0, status="CONFIRMED"))
    v2 = calendar_file(tmp_path / "v2.ics", event.format(seq=1, status="CANCELLED"))
    assert import_file(profile, v1).added == ["Family night"]
    assert import_file(profile, v2).cancelled == ["Family night"]
    found = occurrences(profile, at(1, 12, 0), at(31, 12, 0))
    assert [v.status.value for v in found] == ["cancelled"] * 4


def test_a_note_called_off_on_one_day_or_all_of_it(profile: Profile, tmp_path) -> None:
    note = "UID:closed@p\r\nSUMMARY:Closed\r\nDTSTART;VALUE=DATE:20261224\r\nRRULE:FREQ=YEARLY"
    assert import_file(profile, calendar_file(tmp_path / "n.ics", note)).added == ["Closed"]
    day = "UID:closed@p\r\nSUMMARY:Closed\r\nRECURRENCE-ID;VALUE=DATE:20271224\r\nSEQUENCE:1"
    one = calendar_file(tmp_path / "one.ics", day, method="CANCEL")
    assert import_file(profile, one).cancelled == ["Closed"]
    (stored,) = repo_notes.list_notes(profile.store.conn)
    assert stored.exdates == (date(2027, 12, 24),)
    assert import_file(profile, one).unchanged == ["Closed"]
    whole = calendar_file(tmp_path / "all.ics", note + "\r\nSEQUENCE:2", method="CANCEL")
    assert import_file(profile, whole).cancelled == ["Closed"]
    assert repo_notes.list_notes(profile.store.conn) == []


@pytest.mark.parametrize("name", NAMES)
def test_our_export_of_a_program_file_imports_as_unchanged(
    profile: Profile, tmp_path: Path, name: str
) -> None:
    """Export what a program's file gave, import the export: everything is unchanged
    (descriptions, places, sessions' own titles and links, notes, rules)."""
    first = import_file(profile, CORPUS / f"{name}.ics")
    ours = tmp_path / "ours.ics"
    ours.write_bytes(export_profile(profile))
    again = import_file(profile, ours)
    assert (again.added, again.updated, again.cancelled, again.skipped) == ([], [], [], [])
    assert sorted(again.unchanged) == sorted(first.added)
