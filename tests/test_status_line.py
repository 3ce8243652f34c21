"""`companion status --line` and `--format`: the one line a status bar (tmux, waybar,
i3blocks) shows, run as the bar runs it."""

from __future__ import annotations

from datetime import datetime, timedelta

from companion.actions.profile import Profile
from tests.conftest import FROZEN_NOW, run_cli

BEFORE = FROZEN_NOW - timedelta(hours=1)  # Thu 26 Nov 16:12 in New York; the workshop is at 17:00


def line(now: datetime = BEFORE, *args: str) -> str:
    done = run_cli("status", *(args or ("--line",)), now=now)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1, done.stdout  # one line, whatever the bar
    return done.stdout.rstrip("\n")


def test_the_line_says_what_is_next_how_soon_and_the_week(demo_profile: Profile) -> None:
    assert line() == "next: Coping Skills workshop 17:00 (in 48 min) · 2/5"
    assert line(FROZEN_NOW) == "now: Coping Skills workshop (since 17:00) · 2/5"
    friday_night = datetime.fromisoformat("2026-11-28T04:00:00+00:00")  # Fri 23:00 local
    assert line(friday_night) == "next: Process Group Mon 18:00 (in 2 d) · 2/5"


def test_the_line_counts_notices_waiting_to_go_out(demo_profile: Profile) -> None:
    sessions = run_cli("sessions", now=BEFORE).stdout.splitlines()
    friday = next(s.split()[0] for s in sessions if "Fri 27 Nov" in s)
    assert run_cli("notify", friday, "--barrier", "work", now=BEFORE).returncode == 0
    assert line().endswith("· 2/5 · 1 queued")


def test_discreet_mode_names_no_session_and_shows_no_link(demo_profile: Profile) -> None:
    demo_profile.settings.discreet = True
    demo_profile.save_settings()
    assert line() == "next: Appointment 17:00 (in 48 min) · 2/5"
    assert line(BEFORE, "--format", "[{join}] {next}") == "[] Appointment"


def test_format_fills_the_fields_asked_for(demo_profile: Profile) -> None:
    got = line(BEFORE, "--format", "{next}|{start}|{in}|{attended}/{week}|{rate} of {policy}"
               "|{queued}|{failed}|{catchup}|{unexcused}|{join}")  # fmt: skip
    assert got == (
        "Coping Skills workshop|17:00|48 min|2/5|67% of 80%|0|0|3|2|"
        "https://meet.example.org/skills-workshop"
    )
    assert line(BEFORE, "--format", "{{literal}} {next}") == "{literal} Coping Skills workshop"


def test_a_bad_format_is_one_line_naming_the_fields(demo_profile: Profile) -> None:
    for template in ("{nope}", "{next.__class__}", "{next!r}", "{}", "{next"):
        done = run_cli("status", "--format", template, now=BEFORE)
        assert done.returncode == 2, template
        assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert "{unexcused}" in run_cli("status", "--format", "{nope}").stderr


def test_an_empty_profile_has_a_line_too() -> None:
    assert line() == "no session scheduled"


def test_the_help_names_every_field() -> None:
    from companion.actions.status_line import FIELDS
    from companion.commands.status import STATUS_FIELDS

    assert STATUS_FIELDS.split(" (")[0].split(", ") == list(FIELDS)
