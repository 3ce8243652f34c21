"""Issue 11's input ranges and bounded schedules, through the real CLI: every out-of-range
argument is one line and exit 2; a sub-daily repeat is refused; a store that already
holds one (from an older version) neither hangs nor crashes any command."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from companion.paths import Paths
from tests.conftest import run_cli
from tests.machine import COMMANDS

OUT_OF_RANGE = [
    (["sessions", "--from", "0001-01-01"], "use a year from 1900 to 2200"),
    (["sessions", "--to", "9999-12-31"], "use a year from 1900 to 2200"),
    (["sessions", "--from", "1990-01-01", "--to", "2030-01-01"], "at most 10 years apart"),
    (["journal", "insights", "--weeks", "-3"], "use a whole number from 1 to 520, not '-3'"),
    (["journal", "insights", "--weeks", "0"], "use a whole number from 1 to 520"),
    (["journal", "list", "--limit", "0"], "use a whole number of at least 1, not '0'"),
    (["catchup", "tick", "0bfc25af", "0"], "use a whole number from 1 to 1000"),
    (["accept-makeup", "-1"], "use a whole number of at least 1"),
    (["remind", "--within", "30d"], "use 0 minutes to 14 days"),
    (["remind", "--within", "99999999999999999999d"], "is too long"),
    (["sync", "--timeout", "nan"], "use a number of seconds above 0 and at most 300"),
    (["sync", "--timeout", "0"], "use a number of seconds above 0"),
    (["series", "add", "--title", "T", "--start", "1800-01-01 10:00"], "use a year from 1900"),
    (
        ["series", "add", "--title", "T", "--start", "2026-12-01", "--duration", "25h"],
        "use 1 minute to 24 hours",
    ),  # fmt: skip
    (
        ["series", "add", "--title", "T", "--start", "2026-12-01", "--reminders", "15d"],
        "use 0 minutes to 14 days",
    ),  # fmt: skip
    (
        ["series", "add", "--title", "T", "--start", "2026-12-01", "--repeat", "FREQ=SECONDLY"],
        "sessions cannot repeat more often than daily (FREQ=SECONDLY)",
    ),  # fmt: skip
    (
        ["series", "add", "--title", "T", "--start", "2026-12-01", "--repeat", "FREQ=HOURLY"],
        "more often than daily (FREQ=HOURLY)",
    ),  # fmt: skip
    (
        [
            "series",
            "add",
            "--title",
            "T",
            "--start",
            "2026-12-01",
            "--repeat",
            "FREQ=DAILY;BYMINUTE=0,30",
        ],
        "more often than daily (BYMINUTE=0,30)",
    ),  # fmt: skip
    (
        [
            "series",
            "add",
            "--title",
            "T",
            "--start",
            "2026-12-01",
            "--repeat",
            "FREQ=DAILY;COUNT=99999",
        ],
        "COUNT must be between 1 and 5000",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("argv", "message"), OUT_OF_RANGE)
def test_out_of_range_arguments_are_one_line_and_change_nothing(
    paths: Paths, argv: list[str], message: str
) -> None:
    assert run_cli("demo").returncode == 0
    before = run_cli("series", "list", "--json").stdout
    result = run_cli(*argv)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert message in lines[0] and "Traceback" not in result.stderr
    assert run_cli("series", "list", "--json").stdout == before


def test_the_widest_allowed_range_still_lists_every_session(paths: Paths) -> None:
    assert run_cli("demo").returncode == 0
    result = run_cli("sessions", "--from", "2020-01-01", "--to", "2029-12-31", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert sum(1 for s in found if s["title"] == "Process Group") > 150


SECONDLY = (
    "INSERT INTO series (uid, title, kind, tzid, start_local, duration_s, rrule, created, "
    "updated) VALUES ('old@x', 'Old check-in', 'group', 'UTC', '2026-11-01T10:00:00', 600, "
    "'FREQ=SECONDLY', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
)


def test_a_stored_sub_daily_series_from_an_older_version_is_set_aside(paths: Paths) -> None:
    """`companion status` ran past 60 s on such a store, and the app sat on "Loading…"."""
    assert run_cli("demo").returncode == 0
    conn = sqlite3.connect(paths.database)
    conn.execute(SECONDLY)
    conn.commit()
    conn.close()
    for argv in COMMANDS:
        result = run_cli(*argv, timeout=30)
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        assert len(result.stderr.strip().splitlines()) <= 1, (argv, result.stderr)
    status = run_cli("status", timeout=30)
    assert status.returncode == 0 and "Next session: Coping Skills workshop" in status.stdout
    assert "Set aside: Old check-in cannot be used (sessions cannot repeat more often " in (
        status.stdout
    )
    [unusable] = json.loads(run_cli("status", "--json").stdout)["set_aside"]
    assert unusable["uid"] == "old@x" and unusable["title"] == "Old check-in"
    assert unusable["reason"].startswith("sessions cannot repeat more often")
    listed = run_cli("series", "list")
    assert "Old check-in: set aside" in listed.stdout
    assert "`companion series remove old@x` removes it" in listed.stdout
    removed = run_cli("series", "remove", "old@x")
    assert removed.returncode == 0 and "Removed Old check-in" in removed.stdout
    assert "Set aside" not in run_cli("status").stdout
    assert json.loads(run_cli("status", "--json").stdout)["set_aside"] == []


def test_an_ics_with_a_sub_daily_repeat_is_refused_with_the_reason(
    paths: Paths, tmp_path: Path
) -> None:
    ics = tmp_path / "hourly.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:h@t\r\n"
        "DTSTAMP:20261101T000000Z\r\nDTSTART:20261201T150000Z\r\nDTEND:20261201T160000Z\r\n"
        "RRULE:FREQ=SECONDLY\r\nSUMMARY:Every second\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = run_cli("import-ics", str(ics), "--json", timeout=30)
    assert result.returncode == 0, result.stderr  # the rest of a file still imports
    (skipped,) = json.loads(result.stdout)["skipped"]
    assert skipped["reason"] == (
        "sessions cannot repeat more often than daily (FREQ=SECONDLY); use one series per "
        "session time"
    )
    assert run_cli("series", "list", "--json").stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "{path} is a folder; choose an .ics file in it"),
        (lambda p: os.mkfifo(p), "{path} is a pipe or socket, not a file"),
        (
            lambda p: p.write_bytes(b"BEGIN:VCALENDAR\r\n" + b" " * (10 * 2**20)),
            "{path} is larger than 10 MB; not a calendar to import",
        ),  # fmt: skip
        (lambda p: None, "cannot read {path}: no such file"),
    ],
)
def test_import_refuses_what_is_not_a_calendar_file(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    """A folder said "no such file"; a pipe would have blocked for ever."""
    target = tmp_path / "program.ics"
    make(target)
    result = run_cli("import-ics", str(target), timeout=20)
    assert result.returncode == 2
    assert result.stderr.strip() == "companion: " + message.format(path=target)


def test_import_of_dev_zero_returns_at_once() -> None:
    """`import-ics /dev/zero` never returned."""
    result = run_cli("import-ics", "/dev/zero", timeout=20)
    assert result.returncode == 2
    assert result.stderr.strip() == "companion: /dev/zero is a device, not a file"
