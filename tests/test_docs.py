"""Every CLI subcommand has --help and appears in the README (sqlite-utils' test_docs)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from companion.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text().replace("\\|", "|")


def commands(parser: argparse.ArgumentParser, prefix: str = "companion") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found += commands(sub, f"{prefix} {name}")
    return found


ALL = commands(build_parser())


def test_there_are_commands() -> None:
    assert {"companion status", "companion series add", "companion catchup tick"} <= set(ALL)


@pytest.mark.parametrize("command", ALL)
def test_command_is_in_the_readme(command: str) -> None:
    words = command.split()
    # "companion catchup tick|untick" counts for both
    pattern = r"`" + r"\s+".join(
        re.escape(w) if i < len(words) - 1 else rf"(?:[\w|-]+\|)?{re.escape(w)}(?:\|[\w|-]+)?\b"
        for i, w in enumerate(words)
    )
    assert re.search(pattern, README), f"{command} is not documented in README.md"


@pytest.mark.parametrize("command", ALL)
def test_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*command.split()[1:], "--help"])
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out
