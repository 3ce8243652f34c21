"""`companion journal add | list | insights`: the private barrier-reflection journal."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from companion.commands.parse import print_json, whole
from companion.domain.terms import Barrier

if TYPE_CHECKING:
    from companion.actions.profile import Profile


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "journal",
        help="your private reflection journal",
        description="Reflections stay on this device unless you attach one to "
        "a notice for your coordinator.",
    )
    s = p.add_subparsers(dest="journal_command", metavar="ACTION", required=True)

    a = s.add_parser(
        "add",
        help="write a reflection",
        description=f"Write a reflection. Barriers: {', '.join(b.value for b in Barrier)}.",
    )
    a.add_argument(
        "--barrier",
        action="append",
        default=[],
        metavar="BARRIER",
        help="what got in the way (repeat for several)",
    )
    a.add_argument("--what", default="", help="what happened")
    a.add_argument("--plan", default="", help="plan for next time")
    a.add_argument("--mood", type=int, choices=range(1, 6), metavar="1-5")
    a.add_argument("--occurrence", metavar="OCCURRENCE_ID", help="the session it is about")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_add)

    ls = s.add_parser("list", help="list reflections", description="List your reflections.")
    ls.add_argument("--limit", type=whole(1), metavar="N",
                    help="the N newest (default: all)")  # fmt: skip
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    i = s.add_parser(
        "insights",
        help="barrier counts with strategies",
        description="How often each barrier came up, with strategies that help.",
    )
    i.add_argument("--weeks", type=whole(1, 520), default=12,
                   help="period, 1 to 520 weeks (default 12)")  # fmt: skip
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_insights)


def cmd_add(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import add_reflection, reflection_json

    r = add_reflection(
        profile,
        barriers=args.barrier,
        what_happened=args.what,
        plan=args.plan,
        mood=args.mood,
        occurrence_id=args.occurrence,
    )
    if args.json:
        print_json(reflection_json(r))
    else:
        print(f"Saved reflection {r.id} (private to this device).")
    return 0


def cmd_list(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import list_reflections, reflection_json

    found = list_reflections(profile, args.limit)
    if args.json:
        print_json([reflection_json(r) for r in found])
        return 0
    if not found:
        print("No reflections yet: `companion journal add`.")
    tz = profile.tz()
    for r in found:
        barriers = ", ".join(b.label for b in r.barriers) or "-"
        mood = f" mood {r.mood}/5" if r.mood else ""
        print(f"#{r.id} {r.when.astimezone(tz):%a %d %b %Y}  {barriers}{mood}")
        if r.what_happened:
            print(f"  what happened: {r.what_happened}")
        if r.plan:
            print(f"  next time: {r.plan}")
    return 0


def cmd_insights(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import barrier_insights

    found = barrier_insights(profile, args.weeks)
    if args.json:
        print_json(
            {
                "weeks": args.weeks,
                "barriers": [
                    {
                        "barrier": i.barrier.value,
                        "label": i.barrier.label,
                        "count": i.count,
                        "strategies": list(i.strategies),
                    }
                    for i in found
                ],
            }
        )
        return 0
    print(f"Last {args.weeks} weeks")
    if not found:
        print("  no barriers recorded")
    for i in found:
        print(f"  {i.barrier.label:<18} {'▮' * i.count} {i.count}")
        print(f"    → try: {'; '.join(i.strategies[:2])}")
    return 0
