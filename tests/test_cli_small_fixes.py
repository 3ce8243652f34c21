"""Issue 11's smaller fixes through the real CLI: an attended session drops its catch-up
checklist, a checklist whose session is gone still ticks, "Queued" before enrolment says
it waits for it, and `unenroll` never prints "Forgot ."."""

from __future__ import annotations

import json
import sqlite3

from companion.paths import Paths
from tests.conftest import run_cli


def test_an_attended_session_drops_its_catch_up_checklist(paths: Paths) -> None:
    assert run_cli("demo").returncode == 0
    sessions = json.loads(run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-25",
                                  "--json").stdout)  # fmt: skip
    attended = next(s for s in sessions if s["status"] == "attended")
    assert run_cli("mark", attended["id"], "missed").returncode == 0
    added = run_cli("journal", "add", "--what", "wifi", "--occurrence", attended["id"])
    assert added.returncode == 0  # ticks "reflect": the checklist has been started
    mine = [c for c in json.loads(run_cli("catchup", "--json").stdout)
            if c["occurrence"] == attended["id"]]  # fmt: skip
    assert mine and mine[0]["done"] == 1
    marked = run_cli("mark", attended["id"], "attended")
    assert marked.returncode == 0 and "attended" in marked.stdout
    every = json.loads(run_cli("catchup", "--all", "--json").stdout)
    assert attended["id"] not in {c["occurrence"] for c in every}


def test_a_checklist_whose_session_is_gone_still_ticks(paths: Paths) -> None:
    """Space on the demo one said: no session with id '0bfc25af'."""
    assert run_cli("demo").returncode == 0
    [first, *_] = json.loads(run_cli("catchup", "--json").stdout)
    conn = sqlite3.connect(paths.database)  # as an older version left it: series gone
    conn.execute("DELETE FROM series WHERE uid = 'process-group@demo.companion'")
    conn.commit()
    conn.close()
    ticked = run_cli("catchup", "tick", first["occurrence"], "2")
    assert ticked.returncode == 0, ticked.stderr
    assert "[x] read the session notes" in ticked.stdout


def test_clearing_a_mark_on_a_past_session_says_not_marked(paths: Paths) -> None:
    assert run_cli("demo").returncode == 0
    sessions = json.loads(run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-25",
                                  "--json").stdout)  # fmt: skip
    attended = next(s for s in sessions if s["status"] == "attended")
    cleared = run_cli("mark", attended["id"], "upcoming")
    assert cleared.returncode == 0
    assert cleared.stdout.startswith("Cleared your mark on ") and "not marked." in cleared.stdout
    again = json.loads(run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-25",
                               "--json").stdout)  # fmt: skip
    assert next(s for s in again if s["id"] == attended["id"])["status"] == "unrecorded"
    text = run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-25").stdout
    assert f"{attended['id']}  " in text and "not marked" in text


def test_notify_before_enrolment_says_it_waits_for_enrolment(paths: Paths) -> None:
    assert run_cli("demo").returncode == 0
    sessions = json.loads(run_cli("sessions", "--json").stdout)
    upcoming = next(s for s in sessions if s["status"] == "upcoming")
    sent = run_cli("notify", upcoming["id"], "--barrier", "work")
    assert sent.returncode == 0
    assert "Queued: it goes out once you enrol with your program (`companion enroll`)." in (
        sent.stdout
    )
    assert "as soon as you are online" not in sent.stdout


def test_a_session_of_a_long_daily_series_is_found_by_its_id(paths: Paths) -> None:
    """An expansion stops at 10,000 starts: a daily series from 1990 ran out before today,
    so `mark` said "no session with id" for this week's session."""
    added = run_cli("series", "add", "--title", "Check-in", "--start", "1990-01-01 09:00",
                    "--repeat", "daily", "--duration", "15m", "--tz", "UTC")  # fmt: skip
    assert added.returncode == 0, added.stderr
    [monday] = json.loads(run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-23",
                                  "--json").stdout)  # fmt: skip
    marked = run_cli("mark", monday["id"], "attended")
    assert marked.returncode == 0, marked.stderr
    assert marked.stdout == "Marked Check-in on Mon 23 Nov 09:00 attended.\n"


def test_status_names_the_kind_only_when_the_title_does_not(paths: Paths) -> None:
    """`companion status` said "Individual counselling (individual counselling)"."""
    added = run_cli("series", "add", "--title", "Individual counselling", "--kind",
                    "individual", "--start", "2026-11-27 10:00", "--tz", "UTC")  # fmt: skip
    assert added.returncode == 0, added.stderr
    status = run_cli("status").stdout
    assert "Next session: Individual counselling Fri 27 Nov" in status
    assert "(individual counselling)" not in status
    run_cli("series", "add", "--title", "Check-in", "--kind", "individual",
            "--start", "2026-11-27 09:00", "--tz", "UTC")  # fmt: skip
    assert "Next session: Check-in (individual counselling) Fri 27 Nov" in run_cli("status").stdout


def test_status_lists_the_newest_catch_ups_and_counts_the_rest(paths: Paths) -> None:
    """On five years of data `companion status` printed every open checklist, 110 lines
    with no year, for a command a status bar runs every few seconds."""
    added = run_cli("series", "add", "--title", "Check-in", "--start", "2025-10-01 09:00",
                    "--repeat", "weekly", "--duration", "30m", "--tz", "UTC")  # fmt: skip
    assert added.returncode == 0, added.stderr
    sessions = json.loads(run_cli("sessions", "--from", "2025-10-01", "--to", "2026-01-31",
                                  "--json").stdout)  # fmt: skip
    for s in sessions[:9]:
        assert run_cli("mark", s["id"], "missed").returncode == 0
    lines = run_cli("status").stdout.splitlines()
    shown = lines[lines.index("Catch up:") + 1 :]
    assert len([line for line in shown if line.startswith("  ") and "Check-in" in line]) == 5
    assert shown[0].startswith("  Wed 26 Nov 2025 Check-in")  # newest first, with its year
    assert "  … and 4 older: `companion catchup`" in shown
    assert len(json.loads(run_cli("catchup", "--json").stdout)) == 9
