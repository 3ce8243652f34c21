"""The `companion` CLI as a script user meets it: real subprocesses on a temp profile."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli


def db_dump(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "data" / "companion.sqlite3")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_demo_then_status_json_is_a_real_week(home: Path) -> None:
    assert run_cli("demo").returncode == 0
    result = run_cli("status", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["program"]["name"] == "Evening IOP"
    week = status["week"]
    assert week["total"] >= 4 and week["threshold"] == 0.8
    assert (
        week["attended"] + week["missed"] + week["excused"] + week["remaining"] + week["unrecorded"]
        == week["total"]
    )
    assert set(week) >= {
        "attended",
        "missed",
        "excused",
        "remaining",
        "rate",
        "threshold",
        "needed_to_stay_above",
    }
    assert status["next"]["join_url"].startswith("https://")
    assert status["unexcused"]["limit"] == 3
    assert status["open_checklists"]


def test_demo_refuses_a_profile_with_sessions() -> None:
    run_cli("demo")
    again = run_cli("demo")
    assert again.returncode == 2 and "already has sessions" in again.stderr


def test_sessions_mark_and_catchup_flow(home: Path) -> None:
    run_cli("demo")
    sessions = json.loads(
        run_cli("sessions", "--from", "2026-11-23", "--to", "2026-11-26", "--json").stdout
    )
    assert {s["status"] for s in sessions} <= {
        "attended",
        "missed",
        "excused",
        "upcoming",
        "unrecorded",
        "cancelled",
    }
    attended = next(s for s in sessions if s["status"] == "attended")
    marked = run_cli("mark", attended["id"], "missed")
    assert marked.returncode == 0 and "catch-up checklist" in marked.stdout
    checklists = json.loads(run_cli("catchup", "--json").stdout)
    mine = next(c for c in checklists if c["occurrence"] == attended["id"])
    assert mine["items"][0]["text"] == "tell the coordinator" and mine["done"] == 0
    assert run_cli("catchup", "tick", attended["id"], "1").returncode == 0
    run_cli(
        "journal",
        "add",
        "--barrier",
        "technical",
        "--what",
        "wifi died",
        "--occurrence",
        attended["id"],
    )
    mine = next(
        c
        for c in json.loads(run_cli("catchup", "--json").stdout)
        if c["occurrence"] == attended["id"]
    )
    assert mine["done"] == 2


def test_series_add_list_remove(home: Path) -> None:
    added = run_cli(
        "series",
        "add",
        "--title",
        "Morning group",
        "--start",
        "2026-11-30 09:00",
        "--duration",
        "2h",
        "--repeat",
        "Mon, Wed",
        "--tz",
        "Europe/Berlin",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    series = json.loads(added.stdout)
    assert series["rrule"] == "FREQ=WEEKLY;BYDAY=MO,WE" and series["reminders"] == ["1d", "30m"]
    listed = json.loads(run_cli("series", "list", "--json").stdout)
    assert [s["title"] for s in listed] == ["Morning group"]
    sessions = json.loads(
        run_cli("sessions", "--from", "2026-11-30", "--to", "2026-12-06", "--json").stdout
    )
    assert [s["start"] for s in sessions] == [
        "2026-11-30T08:00:00+00:00",
        "2026-12-02T08:00:00+00:00",
    ]
    assert run_cli("series", "remove", "Morning group").returncode == 0
    assert json.loads(run_cli("series", "list", "--json").stdout) == []


def test_journal_insights_json(home: Path) -> None:
    run_cli(
        "journal",
        "add",
        "--barrier",
        "work",
        "--barrier",
        "forgot",
        "--mood",
        "2",
        "--plan",
        "alarm",
    )
    run_cli("journal", "add", "--barrier", "work/school", "--what", "overtime")
    insights = json.loads(run_cli("journal", "insights", "--json").stdout)
    assert insights["barriers"][0] == {
        "barrier": "work_school",
        "label": "work/school",
        "count": 2,
        "strategies": insights["barriers"][0]["strategies"],
    }
    assert insights["barriers"][0]["strategies"]
    listed = json.loads(run_cli("journal", "list", "--json").stdout)
    assert len(listed) == 2 and listed[0]["shared"] is False


@pytest.mark.parametrize(
    "args",
    [
        ("mark", "nope1234", "missed"),
        ("mark", "nope1234", "sideways"),
        ("sessions", "--from", "yesterday-ish"),
        ("series", "add", "--title", "X", "--start", "2026-13-45 10:00"),
        (
            "series",
            "add",
            "--title",
            "X",
            "--start",
            "2026-12-01 10:00",
            "--repeat",
            "FREQ=SOMETIMES",
        ),
        ("series", "add", "--title", "X", "--start", "2026-12-01 10:00", "--tz", "Mars/Base"),
        ("series", "add", "--title", "X", "--start", "2026-12-01 10:00", "--duration", "forever"),
        ("journal", "add", "--barrier", "aliens"),
        ("journal", "add", "--mood", "7", "--barrier", "health"),
        ("catchup", "tick", "nope1234", "1"),
        ("series", "remove", "no-such-series"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    home: Path, args: tuple[str, ...]
) -> None:
    run_cli("demo")
    before = db_dump(home)
    result = run_cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert db_dump(home) == before


def test_every_command_is_registered_by_the_module_cli_names_for_it() -> None:
    """`companion status` builds only the parser of its own module (`cli.COMMANDS`); a
    command missing from that table or listed under the wrong module would not parse."""
    import argparse
    import importlib

    from companion.cli import COMMAND_MODULES, COMMANDS, build_parser

    registered: dict[str, str] = {}
    for name in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        registered |= dict.fromkeys(sub.choices, name)
    assert registered == COMMANDS
    for command in COMMANDS:  # the partial parser knows the command and nothing else
        sub = build_parser(command)._subparsers._group_actions[0]  # type: ignore[union-attr]
        assert command in sub.choices
        assert set(sub.choices) <= {c for c, m in COMMANDS.items() if m == COMMANDS[command]}
