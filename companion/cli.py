"""`companion`: the terminal app by default, subcommands for scripting.

Argument parsing only; every command calls ``companion.actions``. Each subcommand lives in
``companion/commands/`` and registers itself through ``register(subparsers)``.
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
from companion.actions.profile import Profile, UserError
from companion.errors import ProfileError, one_line, os_problem

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


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the reason and where to look, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="companion",
        description="Your IOP companion: schedule, attendance, reminders, journal, catch-up. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def fail(message: str) -> int:
    print(f"companion: {one_line(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    # No arguments: the app. Skip building the parser, which imports every command's
    # layers (httpx, icalendar) and would cost the app's start-up budget.
    bare = not (sys.argv[1:] if argv is None else argv)
    args = None if bare else build_parser().parse_args(argv)
    try:
        if args is None or args.command is None:
            return run_app()
        if getattr(args, "paths_only", False):  # `erase`: works on a profile that cannot open
            from companion.paths import default_paths

            return int(args.func(default_paths(), args) or 0)
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
