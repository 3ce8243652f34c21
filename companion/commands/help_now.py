"""`companion help-now`: who you can reach right now, as the app's "Need help now?" panel
shows it. It reads the program's contacts from this device; nothing is sent anywhere.

It must always answer: it is registered to receive the profile's paths, and a profile
that is missing, damaged or has a mistyped config.json still gives 988 and the local
emergency number (with one line on standard error saying why the program's are missing).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from companion.commands.parse import print_json

if TYPE_CHECKING:
    from companion.paths import Paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "help-now",
        help="who you can reach right now (crisis contacts)",
        description="Your program's crisis contacts, then the 988 Suicide & Crisis Lifeline "
        "(US: call or text 988) and, outside the US, your local emergency number. Nothing "
        "is sent anywhere.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of the contacts")
    p.set_defaults(func=cmd_help_now, paths_only=True)


def cmd_help_now(paths: Paths, args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from companion.actions import help_now

    found, problem = help_now.from_paths(paths)
    if problem:
        print(f"companion: {problem}", file=sys.stderr)
    if args.json:
        print_json([{**asdict(c), "line": c.line()} for c in found.contacts()])
    else:
        print("\n".join(help_now.panel_lines(found)))
    return 0
