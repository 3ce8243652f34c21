"""`companion journal add | list | show | insights | protect | unprotect`: the private
barrier-reflection journal, and locking its text with a passphrase."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from companion.commands.parse import print_json, whole
from companion.commands.passphrase import ENV, journal_key, new_passphrase
from companion.domain.terms import Barrier
from companion.domain.vault import FORGOTTEN
from companion.errors import UserError

if TYPE_CHECKING:
    from companion.actions.profile import Profile
    from companion.domain.journal import Reflection

LOCKED_LINE = f"🔒 text locked: give the passphrase at a terminal or in {ENV} to read it"
PROTECT_HELP = (
    "Encrypt the free text of every reflection (what happened, the plan) with a "
    "passphrase: AES-256-GCM, under a key derived from it by Argon2id with a random salt. "
    "Only a key check is stored, never the passphrase. Barriers, mood and dates stay "
    "readable, so insights and the catch-up ticks work while the journal is locked. "
    "Unlocking takes about 0.2 s and 64 MiB. The passphrase is asked twice; "
    "--passphrase-file reads it from a file (scripts). " + FORGOTTEN
)


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

    unlocking = (
        f" A protected journal asks for its passphrase at a terminal, or reads the file "
        f"{ENV} names; without either the text shows as locked."
    )
    ls = s.add_parser(
        "list", help="list reflections", description="List your reflections." + unlocking
    )
    ls.add_argument("--limit", type=whole(1), metavar="N",
                    help="the N newest (default: all)")  # fmt: skip
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    sh = s.add_parser(
        "show", help="show one reflection", description="Show one reflection." + unlocking
    )
    sh.add_argument("id", type=whole(1), metavar="REFLECTION_ID", help="from `journal list`")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_show)

    pr = s.add_parser(
        "protect", help="lock the journal's text with a passphrase", description=PROTECT_HELP
    )
    pr.add_argument(
        "--change",
        action="store_true",
        help=f"set a new passphrase (the current one is asked, or read from {ENV}); "
        "everything is re-encrypted in one step",
    )
    pr.add_argument("--passphrase-file", metavar="FILE", help="read the new passphrase from FILE")
    pr.set_defaults(func=cmd_protect)

    un = s.add_parser(
        "unprotect",
        help="decrypt the journal and forget its passphrase",
        description=f"Decrypt every reflection for good (the current passphrase is asked, or "
        f"read from {ENV}).",
    )
    un.set_defaults(func=cmd_unprotect)

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

    has_text = bool(args.what.strip() or args.plan.strip())
    r = add_reflection(
        profile,
        barriers=args.barrier,
        what_happened=args.what,
        plan=args.plan,
        mood=args.mood,
        occurrence_id=args.occurrence,
        key=journal_key(profile, need=True) if has_text else None,
    )
    if args.json:
        print_json(reflection_json(r))
    else:
        print(f"Saved reflection {r.id} (private to this device).")
    from companion.actions import help_now

    if help_now.offer_after(profile, r):  # a hard moment: once a day, on stderr
        print(help_now.CLI_OFFER, file=sys.stderr)
    return 0


def cmd_list(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import readable_reflections, reflection_json

    key = journal_key(profile, need=False)
    found = readable_reflections(profile, key, args.limit)
    if args.json:
        print_json([reflection_json(r) for r in found])
        return 0
    if not found:
        print("No reflections yet: `companion journal add`.")
    for r in found:
        print_reflection(profile, r)
    return 0


def print_reflection(profile: Profile, r: Reflection, *, full: bool = False) -> None:
    """A reflection as `journal list` and `journal show` print it."""
    tz = profile.tz()
    barriers = ", ".join(b.label for b in r.barriers) or "-"
    mood = f" mood {r.mood}/5" if r.mood else ""
    stamp = (
        f"{r.when.astimezone(tz):%a %d %b %Y, %H:%M}"
        if full
        else f"{r.when.astimezone(tz):%a %d %b %Y}"
    )
    print(f"#{r.id} {stamp}  {barriers}{mood}")
    if r.locked:
        print(f"  {LOCKED_LINE}")
    if r.what_happened:
        print(f"  what happened: {r.what_happened}")
    if r.plan:
        print(f"  next time: {r.plan}")
    if full:
        print("  shared with your coordinator" if r.shared else "  private")


def cmd_show(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import get_reflection, reflection_json

    get_reflection(profile, args.id)  # a missing one is an error before any prompt
    r = get_reflection(profile, args.id, journal_key(profile, need=False))
    if args.json:
        print_json(reflection_json(r))
    else:
        print_reflection(profile, r, full=True)
    return 0


def cmd_protect(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import change_passphrase, protect

    if args.change:
        key = journal_key(profile, need=True)
        if key is None:
            raise UserError("the journal is not protected yet: `companion journal protect`")
        done = change_passphrase(profile, key, new_passphrase(args.passphrase_file))
        print(f"Changed the passphrase: {_count(done.reflections)} re-encrypted.")
    else:
        done = protect(profile, new_passphrase(args.passphrase_file))
        print(f"Protected the journal: the text of {_count(done.reflections)} is encrypted.")
    print(FORGOTTEN)
    if done.waiting_shared:
        print(
            f"{done.waiting_shared} notice(s) in the outbox carry a reflection you shared: "
            "its text stays readable there until it is delivered."
        )
    _wiped(done.wiped)
    return 0


def cmd_unprotect(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.journal import unprotect

    key = journal_key(profile, need=True)
    if key is None:
        raise UserError("the journal is not protected")
    done = unprotect(profile, key)
    print(f"Decrypted {_count(done.reflections)}; the journal has no passphrase now.")
    _wiped(done.wiped)
    return 0


def _count(n: int) -> str:
    return f"{n} reflection{'' if n == 1 else 's'}"


def _wiped(wiped: bool) -> None:
    if not wiped:
        print(
            "Another Companion has the journal open: old copies stay in the database's log "
            "until it closes."
        )


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
