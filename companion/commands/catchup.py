"""`companion catchup [tick | untick | add]`: checklists for missed sessions."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from companion.commands.parse import print_json, whole

if TYPE_CHECKING:
    from companion.actions.profile import Profile
    from companion.domain.catchup import CatchUpChecklist

ITEM = whole(1, 1000)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "catchup",
        help="catch-up checklists for missed sessions",
        description="Show open catch-up checklists (--all for finished ones too).",
    )
    p.add_argument("--all", action="store_true", help="include finished checklists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    s = p.add_subparsers(dest="catchup_command", metavar="ACTION")

    t = s.add_parser("tick", help="tick an item", description="Tick item ITEM (1-based).")
    t.add_argument("occurrence", metavar="OCCURRENCE_ID")
    t.add_argument("item", type=ITEM, metavar="ITEM")
    t.set_defaults(func=cmd_tick, done=True)

    u = s.add_parser("untick", help="untick an item", description="Untick item ITEM.")
    u.add_argument("occurrence", metavar="OCCURRENCE_ID")
    u.add_argument("item", type=ITEM, metavar="ITEM")
    u.set_defaults(func=cmd_tick, done=False)

    a = s.add_parser("add", help="add an item", description="Add your own item to a checklist.")
    a.add_argument("occurrence", metavar="OCCURRENCE_ID")
    a.add_argument("text", metavar="TEXT")
    a.add_argument("--link", default="", help="a link to go with it")
    a.set_defaults(func=cmd_add)


def show(profile: Profile, c: CatchUpChecklist) -> None:
    from companion.domain.schedule import occurrence_id

    tz = profile.tz()
    print(
        f"{c.original_start.astimezone(tz):%a %d %b %H:%M} {c.title}  {c.progress()}  "
        f"[{occurrence_id(c.series_uid, c.original_start)}]"
    )
    for n, item in enumerate(c.items, 1):
        link = f"  → {item.link}" if item.link else ""
        print(f"  {n}. [{'x' if item.done else ' '}] {item.text}{link}")


def cmd_list(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.catchup import checklist_json, checklists

    found = checklists(profile, open_only=not args.all)
    if args.json:
        print_json([checklist_json(c) for c in found])
        return 0
    if not found:
        print("Nothing to catch up on." if not args.all else "No checklists yet.")
    for c in found:
        show(profile, c)
    return 0


def cmd_tick(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.catchup import set_item

    show(profile, set_item(profile, args.occurrence, args.item, args.done))
    return 0


def cmd_add(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.catchup import add_item

    show(profile, add_item(profile, args.occurrence, args.text, args.link))
    return 0
