"""config.json is typed: a wrong key is one line naming it, its value and what is allowed."""

from __future__ import annotations

import json

import pytest

from companion.config import Invalid, Settings, parse_settings
from companion.paths import Paths
from tests.conftest import run_cli
from tests.machine import COMMANDS

BAD = [
    ({"timezone": 5}, '"timezone" is 5; use a timezone name'),
    ({"timezone": "Mars/Base"}, '"timezone" is "Mars/Base", not a known timezone'),
    ({"default_reminders_min": "abc"}, '"default_reminders_min" is "abc"; use a list'),
    ({"default_reminders_min": [30, -5]}, "whole numbers of minutes from 0 to 20160"),
    ({"default_reminders_min": [30.5]}, "whole numbers of minutes"),
    ({"discreet": "no"}, '"discreet" is "no"; use true or false'),
    ({"discreet": 1}, '"discreet" is 1; use true or false'),
    ({"sync_interval_s": True}, '"sync_interval_s" is true; use a whole number from 30'),
    ({"sync_interval_s": 5}, "from 30 to 86400"),
    ({"journal_lock_min": -1}, '"journal_lock_min" is -1; use a whole number from 0 to 1440'),
    ({"journal_lock_min": 2000}, "from 0 to 1440"),
    ({"client_name": ["Jo"]}, '"client_name" is ["Jo"]; use text'),
    ({"discret": True}, 'unknown setting "discret"; the settings are timezone, discreet'),
]


@pytest.mark.parametrize(("raw", "message"), BAD)
def test_each_wrong_value_names_the_key_the_value_and_what_is_allowed(
    raw: dict, message: str
) -> None:
    with pytest.raises(Invalid) as caught:
        parse_settings(raw)
    assert message in str(caught.value)


def test_good_values_are_typed_settings() -> None:
    raw = {"timezone": "Europe/Paris", "discreet": True, "default_reminders_min": [60]}
    assert parse_settings(raw) == Settings(
        timezone="Europe/Paris", discreet=True, default_reminders_min=[60]
    )
    assert parse_settings({}) == Settings()


def test_every_command_refuses_a_mistyped_config_in_one_line(paths: Paths) -> None:
    """{"timezone": 5} was a TypeError traceback in 10 of 19 commands."""
    assert run_cli("demo").returncode == 0
    text = json.dumps({"timezone": 5})
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text)
    for argv in COMMANDS:
        result = run_cli(*argv)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, (argv, result.stderr)
        assert f'{paths.config_file}: "timezone" is 5; use a timezone name' in lines[0]
        assert "it was left as it is" in lines[0]
    assert paths.config_file.read_text() == text


def test_discreet_no_does_not_turn_discreet_mode_on(paths: Paths) -> None:
    assert run_cli("demo").returncode == 0
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('{"discreet": "no"}')
    exported = run_cli("export-ics")
    assert exported.returncode == 2 and '"discreet" is "no"' in exported.stderr
    assert "BEGIN:VCALENDAR" not in exported.stdout
    paths.config_file.write_text('{"discreet": false}')
    exported = run_cli("export-ics")
    assert exported.returncode == 0 and "Process Group" in exported.stdout


def test_bad_reminders_in_config_no_longer_crash_series_add(paths: Paths) -> None:
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('{"default_reminders_min": "abc"}')
    added = run_cli("series", "add", "--title", "Yoga", "--start", "2026-12-02 08:00")
    assert added.returncode == 2 and "Traceback" not in added.stderr
    assert '"default_reminders_min" is "abc"' in added.stderr
