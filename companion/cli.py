"""`companion`: the terminal app by default, subcommands for scripting.

Argument parsing only; every command calls ``companion.actions``. Each subcommand lives in
``companion/commands/`` and registers itself through ``register(subparsers)``. Building the
parser imports no layer below the commands: each command imports what it uses when it runs,
so `--help` and `status` cost what they do (DESIGN.md's CLI budget, ``tests/test_cli_imports``).
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from companion import __version__
from companion.errors import ProfileError, UserError, one_line, os_problem

COMMAND_MODULES = (
    "companion.commands.status",
    "companion.commands.series",
    "companion.commands.journal",
    "companion.commands.catchup",
    "companion.commands.ics",
    "companion.commands.sync",
    "companion.commands.help_now",
    "companion.commands.data",
)
# Which module registers each command, so `companion status` builds only its own parser.
# `tests/test_cli.py` checks this against what the modules register.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(("demo", "status", "sessions", "mark"), "companion.commands.status"),
    "series": "companion.commands.series",
    "journal": "companion.commands.journal",
    "catchup": "companion.commands.catchup",
    **dict.fromkeys(("export-ics", "import-ics", "remind"), "companion.commands.ics"),
    **dict.fromkeys(
        ("enroll", "unenroll", "notify", "sync", "outbox", "accept-makeup"),
        "companion.commands.sync",
    ),
    "help-now": "companion.commands.help_now",
    **dict.fromkeys(("export", "erase"), "companion.commands.data"),
}


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the reason and where to look, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or when ``command`` is known only the part that parses it."""
    parser = Parser(
        prog="companion",
        description="Your IOP companion: schedule, attendance, reminders, journal, catch-up. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def fail(message: str) -> int:
    print(f"companion: {one_line(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    # No arguments: the app, with no parser built. A command: only its module's parser.
    given = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(given[0]).parse_args(given) if given else None
    try:
        if args is None or args.command is None:
            return run_app()
        if getattr(args, "paths_only", False):  # erase, help-now: work when a profile cannot
            from companion.paths import default_paths

            return int(args.func(default_paths(), args) or 0)
        from companion.actions.profile import Profile

        profile = Profile.open()
        try:
            return int(args.func(profile, args) or 0)
        finally:
            profile.close()
    except (UserError, ProfileError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the machine refused something no layer above explained
        where = Path(str(exc.filename)) if isinstance(exc.filename, str | Path) else None
        return fail(os_problem(exc, where or Path("a file"), "use"))
    except sqlite3.Error as exc:
        return fail(f"the local database reported a problem: {exc}; nothing was changed")


def run_app() -> int:
    """Start the Textual app (imported only now: the scripting commands do not need it)."""
    from companion.tui.app import run

    return run()
