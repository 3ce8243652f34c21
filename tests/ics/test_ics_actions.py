"""import-ics / export-ics / remind as a user runs them: a real store, the real CLI."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from companion.actions.ics import due_reminders, import_file
from companion.actions.profile import Profile
from companion.actions.schedule import occurrences
from companion.clock import fixed_clock
from companion.domain.attendance import Status
from companion.store import repo_schedule
from tests.conftest import run_cli
from tests.ics.samples import export, program

DATA = Path(__file__).resolve().parent.parent / "data"


def test_reimport_changes_nothing_and_update_keeps_past_attendance(
    profile: Profile, tmp_path: Path
) -> None:
    series = program()
    v1 = tmp_path / "v1.ics"
    v1.write_bytes(export(series))
    first = import_file(profile, v1)
    assert len(first.added) == 5 and not first.updated
    again = import_file(profile, v1)
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], 5)
    assert len(repo_schedule.list_series(profile.store.conn)) == 5
    # A past session was attended; then the program moves the group to 18:30 for good.
    attended = datetime(2026, 10, 5, 22, tzinfo=UTC)  # Mon 5 Oct 18:00 EDT
    with profile.store.transaction() as conn:
        repo_schedule.set_mark(conn, series[0].uid, attended, Status.ATTENDED, profile.now())
    group = series[0]
    moved = replace(group.with_changes(start=group.start + timedelta(minutes=30)), sequence=5)
    v2 = tmp_path / "v2.ics"
    v2.write_bytes(export([moved, *series[1:]]))
    second = import_file(profile, v2)
    assert second.updated == ["Process Group"] and len(second.unchanged) == 4
    stored = repo_schedule.get_series(profile.store.conn, group.uid)
    assert stored is not None and f"{stored.start:%H:%M}" == "18:30" and stored.sequence == 5
    marks = repo_schedule.marks(profile.store.conn)
    assert marks[(group.uid, attended)] is Status.ATTENDED
    week = occurrences(profile, attended - timedelta(days=1), attended + timedelta(days=1))
    day = [(v.occurrence.start, v.status) for v in week if v.occurrence.series_uid == group.uid]
    # The attended 18:00 session stays; the new 18:30 slot that day never happened.
    assert day == [(attended, Status.ATTENDED), (attended + timedelta(minutes=30),
                                                 Status.CANCELLED)]  # fmt: skip
    future = occurrences(profile, profile.now(), profile.now() + timedelta(days=3))
    assert {f"{v.occurrence.local_start():%H:%M}" for v in future
            if v.occurrence.series_uid == group.uid} == {"18:30"}  # fmt: skip
    # Importing v2 again is a no-op, the kept record included.
    assert import_file(profile, v2).updated == []


def test_cli_import_bad_file_exit_2_one_line_nothing_changed(tmp_path: Path) -> None:
    good = tmp_path / "good.ics"
    good.write_bytes(export(program()))
    assert run_cli("import-ics", str(good)).returncode == 0
    before = run_cli("series", "list", "--json").stdout
    bad = tmp_path / "broken.ics"
    good_start = b"DTSTART;TZID=America/New_York:20260202T180000"
    bad.write_bytes(export(program()).replace(good_start, good_start[:-9] + b"-02-02"))
    done = run_cli("import-ics", str(bad))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("companion: broken.ics: line ")
    assert "bad DTSTART" in done.stderr
    assert run_cli("series", "list", "--json").stdout == before
    missing = run_cli("import-ics", str(tmp_path / "nope.ics"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_cli_import_summary_and_json(tmp_path: Path) -> None:
    done = run_cli("import-ics", str(DATA / "google_export.ics"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("3 added: Process Group")
    assert "1 skipped" in done.stdout and "the event is cancelled" in done.stdout
    again = json.loads(run_cli("import-ics", str(DATA / "google_export.ics"), "--json").stdout)
    assert set(again) == {"added", "updated", "unchanged", "cancelled", "skipped"}
    assert again["added"] == [] and len(again["unchanged"]) == 3
    assert again["skipped"][0]["reason"] == "the event is cancelled"


def test_cli_export_to_private_file_and_discreet_preference(tmp_path: Path, home: Path) -> None:
    assert run_cli("demo").returncode == 0
    out = tmp_path / "mine.ics"
    done = run_cli("export-ics", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    data = out.read_bytes()
    assert b"SUMMARY:Process Group (group therapy)" in data and b"\r\n" in data
    assert b"Excused: notice sent" in data  # the demo's excused session
    discreet = run_cli("export-ics", "--discreet").stdout
    assert "therapy" not in discreet and "Appointment" in discreet
    config = home / "config" / "config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"discreet": True}))
    saved = run_cli("export-ics").stdout
    assert "Evening IOP" not in saved and "https://meet.example.org/evening-group" in saved


def soon_profile(profile: Profile, now: datetime) -> Profile:
    """A group session 20 minutes from now, reminders 24 h and 30 min before."""
    from companion.actions.schedule import add_series

    add_series(profile, title="Process Group", kind="group", start=now + timedelta(minutes=20),
               duration=timedelta(hours=3), rrule="FREQ=DAILY;COUNT=3",
               join_url="https://meet.example.org/g",
               reminders=(timedelta(hours=24), timedelta(minutes=30)))  # fmt: skip
    return profile


def test_remind_fires_once_nearest_only(profile: Profile, now: datetime) -> None:
    soon_profile(profile, now)
    fired = due_reminders(profile)
    assert [(r.offset, r.occurrence.start) for r in fired] == [
        (timedelta(minutes=30), now + timedelta(minutes=20))
    ]
    assert fired[0].message.startswith("Process Group starts in 20 min")
    assert "https://meet.example.org/g" in fired[0].message
    assert due_reminders(profile) == []  # each reminder once
    # A day later: tomorrow's 24-hour reminder is due, then its 30-minute one.
    later = Profile(profile.paths, profile.store, profile.settings,
                    fixed_clock(now + timedelta(minutes=21)))  # fmt: skip
    assert [r.offset for r in due_reminders(later)] == [timedelta(hours=24)]
    assert [r.offset for r in due_reminders(later, within=timedelta(hours=23, minutes=30))] == [
        timedelta(minutes=30)
    ]


def test_remind_skips_excused(profile: Profile, now: datetime) -> None:
    soon_profile(profile, now)
    (series,) = repo_schedule.list_series(profile.store.conn)
    with profile.store.transaction() as conn:
        repo_schedule.set_mark(conn, series.uid, now + timedelta(minutes=20), Status.EXCUSED, now)
    assert due_reminders(profile) == []


def test_cli_remind_json_and_notify_send(tmp_path: Path, now: datetime) -> None:
    start = now + timedelta(minutes=10)
    add = run_cli("series", "add", "--title", "Skills", "--kind", "workshop", "--start",
                  start.isoformat(), "--join", "https://meet.example.org/s")  # fmt: skip
    assert add.returncode == 0, add.stderr
    log = tmp_path / "notified"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "notify-send").write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> {log}\necho >> {log}\n')
    (fake / "notify-send").chmod(0o755)
    env = {"PATH": f"{fake}:{os.environ['PATH']}"}
    done = run_cli("remind", "--json", env=env)
    assert done.returncode == 0, done.stderr
    (item,) = json.loads(done.stdout)
    assert set(item) == {"occurrence_id", "series_uid", "title", "start", "due",
                         "minutes_before", "join_url", "message"}  # fmt: skip
    assert item["minutes_before"] == 30 and item["title"] == "Skills"
    assert log.read_text().startswith("--app-name=Companion|Skills|Skills starts in 10 min")
    assert json.loads(run_cli("remind", "--json", env=env).stdout) == []  # fired once
    assert len(log.read_text().splitlines()) == 1
    plain = run_cli("remind", "--within", "30h", "--no-notify", env=env)
    assert plain.returncode == 0 and plain.stdout == ""  # 24 h reminder of a one-off passed
