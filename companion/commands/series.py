"""`companion series add | list | remove`."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING

from companion.commands.parse import (
    format_offset,
    parse_datetime,
    parse_offsets,
    parse_repeat,
    print_json,
    session_length,
)
from companion.domain.terms import Kind

if TYPE_CHECKING:
    from companion.actions.profile import Profile
    from companion.domain.schedule import Series


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "series",
        help="add, list or remove recurring sessions",
        description="Manage your series (recurring sessions or one-offs).",
    )
    s = p.add_subparsers(dest="series_command", metavar="ACTION", required=True)

    a = s.add_parser(
        "add",
        help="add a series",
        description="Add a recurring session or a "
        "one-off. Times are in --tz (default: your display timezone).",
    )
    a.add_argument("--title", required=True)
    a.add_argument("--kind", choices=[k.value for k in Kind], default="group")
    a.add_argument(
        "--start", required=True, type=parse_datetime, help="first session, e.g. '2026-12-01 18:00'"
    )
    a.add_argument(
        "--duration",
        type=session_length,
        default=timedelta(hours=3),
        help="e.g. 90m, 3h (default 3h; at most 24h)",
    )
    a.add_argument(
        "--repeat",
        type=parse_repeat,
        default=None,
        help="'Mon, Wed, Fri', weekly, fortnightly, daily, once (default), or an RRULE; "
        "at most daily",
    )
    a.add_argument("--tz", help="IANA timezone, e.g. America/New_York")
    a.add_argument("--join", default="", help="join link")
    a.add_argument("--facilitator", default="")
    a.add_argument(
        "--reminders",
        type=parse_offsets,
        default=None,
        help="offsets before the start, e.g. '24h,30m' or 'none' (each at most 14d)",
    )
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_add)

    ls = s.add_parser("list", help="list series", description="List your series.")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    rm = s.add_parser(
        "remove",
        help="remove a series",
        description="Remove a series by uid (or a unique prefix) or exact title.",
    )
    rm.add_argument("series", metavar="SERIES")
    rm.set_defaults(func=cmd_remove)


def cmd_add(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.schedule import add_series
    from companion.domain.schedule import rule_in_words

    rule = args.repeat
    series = add_series(
        profile,
        title=args.title,
        kind=args.kind,
        start=args.start,
        duration=args.duration,
        rrule=rule,
        tzid=args.tz,
        join_url=args.join,
        facilitator=args.facilitator,
        reminders=args.reminders,
    )
    if args.json:
        print_json(series_json(series))
    else:
        print(
            f"Added {series.title} ({rule_in_words(series.rrule)}, from "
            f"{series.start:%a %d %b %Y %H:%M} {series.tzid}) as {series.uid}"
        )
    return 0


def series_json(s: Series) -> dict[str, object]:
    from companion.actions.schedule import series_json as common

    return {**common(s), "reminders": [format_offset(r) for r in s.reminders]}


def cmd_list(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.schedule import list_series, set_aside
    from companion.domain.schedule import rule_in_words

    found = list_series(profile)
    unusable = set_aside(profile)
    if args.json:
        print_json([series_json(s) for s in found])
        return 0
    if not found and not unusable:
        print("No series yet: `companion series add`, `companion import-ics` or `companion demo`.")
    for s in found:
        print(
            f"{s.uid}\n  {s.title} ({s.kind.value}) {rule_in_words(s.rrule)} at "
            f"{s.start:%H:%M} {s.tzid} from {s.start:%d %b %Y}, "
            f"{int(s.duration.total_seconds() // 60)} min"
        )
    for bad in unusable:
        print(
            f"{bad.uid}\n  {bad.title}: set aside, this version cannot use it ({bad.reason}); "
            f"`companion series remove {bad.uid}` removes it"
        )
    return 0


def cmd_remove(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.schedule import remove_series

    removed = remove_series(profile, args.series)
    print(f"Removed {removed.title} ({removed.uid}).")
    return 0
