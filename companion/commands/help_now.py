"""`companion help-now`: who you can reach right now, as the app's "Need help now?" panel
shows it. It reads the program's contacts from this device; nothing is sent anywhere."""

from __future__ import annotations

import argparse

from companion.actions.profile import Profile
from companion.commands.parse import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "help-now",
        help="who you can reach right now (crisis contacts)",
        description="Your program's crisis contacts, then the 988 Suicide & Crisis Lifeline "
        "(US: call or text 988) and, outside the US, your local emergency number. Nothing "
        "is sent anywhere.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of the contacts")
    p.set_defaults(func=cmd_help_now)


def cmd_help_now(profile: Profile, args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from companion.actions import help_now

    if args.json:
        print_json([{**asdict(c), "line": c.line()} for c in help_now.contacts(profile)])
    else:
        print("\n".join(help_now.lines(profile)))
    return 0
