"""`companion demo`, `status`, `sessions`, `mark`.

Each command imports the actions it uses when it runs (see ``companion.commands``)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from companion.commands.parse import parse_datetime, print_json
from companion.errors import UserError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from companion.actions.profile import Profile
    from companion.actions.today import TodayView

STATUS_FIELDS = (
    "next, start, in, join, attended, week, rate, policy, queued, failed, catchup, unexcused "
    "(see README)"
)
MAX_SPAN = timedelta(days=3653)  # ten years: every series' sessions in it are listed
CATCH_UP_SHOWN = 5  # the newest open checklists; `companion catchup` lists them all


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="fill this profile with a sample program",
        description="Fill the current (empty) profile with a realistic sample "
        "program: three series, six weeks of history, reflections, checklists.",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "status",
        help="next session, this week's attendance, open checklists",
        description="Show the next session, this week's attendance against the "
        "program's policy, unexcused absences and open catch-up checklists.",
    )
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print one JSON object")
    shape.add_argument("--line", action="store_true",
                       help="one short line for a status bar: 'next: Process Group 18:00 "
                       "(in 48 min) · 3/5 · 1 queued' (discreet when discreet is on)")  # fmt: skip
    shape.add_argument("--format", metavar="TEMPLATE",
                       help="one line from fields, e.g. '{next} {start} · {attended}/{week}'. "
                       f"Fields: {STATUS_FIELDS}")  # fmt: skip
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "sessions",
        help="list occurrences with their ids and statuses",
        description="List occurrences (default: this week and next) with the id "
        "other commands take.",
    )
    p.add_argument("--from", dest="start", type=parse_datetime, metavar="DATE")
    p.add_argument("--to", dest="end", type=parse_datetime, metavar="DATE")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=cmd_sessions)

    p = sub.add_parser(
        "mark",
        help="record your attendance for a session",
        description="Record your own (provisional) attendance. Marking a "
        "session missed creates its catch-up checklist.",
    )
    p.add_argument("occurrence", metavar="OCCURRENCE_ID")
    p.add_argument("status", choices=["attended", "missed", "made_up", "upcoming"])
    p.set_defaults(func=cmd_mark)


def cmd_demo(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.demo import load_demo

    counts = load_demo(profile)
    print(
        f"Loaded the demo program Evening IOP: {counts['series']} series, "
        f"{counts['attended']} attended, {counts['missed']} missed, {counts['excused']} excused, "
        f"{counts['reflections']} reflections. Try `companion status`."
    )
    return 0


def cmd_status(profile: Profile, args: argparse.Namespace) -> int:
    if args.line or args.format is not None:
        from companion.actions import status_line
        from companion.actions.today import load_today

        if args.format is not None:
            status_line.check_format(args.format)  # a typo fails before any work
        view, tz, discreet = load_today(profile), profile.tz(), profile.discreet()
        if args.line:
            print(status_line.line(view, tz, discreet))
        else:
            print(status_line.formatted(args.format, view, tz, discreet))
        return 0
    if args.json:
        from dataclasses import asdict

        from companion.actions.schedule import set_aside
        from companion.actions.today import load_today

        unusable = [asdict(bad) for bad in set_aside(profile)]  # uid, title, reason
        print_json({**load_today(profile).as_json(), "set_aside": unusable})
    else:
        print_status(profile)
    return 0


def print_status(profile: Profile) -> None:
    from companion.actions.schedule import set_aside
    from companion.actions.today import load_today, occurrence_id_of
    from companion.domain.meeting import access_lines

    view = load_today(profile)
    tz = profile.tz()
    print(f"{view.program.name} · {view.now.astimezone(tz):%a %d %b %H:%M}")
    nxt = view.next_occurrence
    if nxt is None:
        print("Next session: none scheduled (`companion demo` or `companion series add`)")
    else:
        start = nxt.local_start(tz)
        print(
            f"Next session: {nxt.title}{nxt.kind.after(nxt.title)} {start:%a %d %b %H:%M}"
            f"-{nxt.local_end(tz):%H:%M}  [{nxt.id}]"
        )
        if nxt.join_url:
            print(f"  join: {nxt.join_url}")
        access = access_lines(nxt.description)
        if access:
            print(f"  {' · '.join(access)}")
    w = view.week
    rate = "-" if w.rate is None else f"{w.rate:.0%}"
    print(
        f"This week: {w.attended} attended, {w.missed} missed, {w.excused} excused, "
        f"{w.remaining} to go (rate {rate}, policy {w.threshold:.0%})"
    )
    print(f"  {w.forecast()}")
    if w.unrecorded:
        print(f"  {w.unrecorded} past session(s) not marked yet")
    u = view.unexcused
    print(f"Unexcused absences in {u.window_days} days: {u.count} of {u.limit}")
    if view.open_checklists:
        print("Catch up:")
        now_year = profile.now().astimezone(tz).year
        for c in view.open_checklists[:CATCH_UP_SHOWN]:
            start = c.original_start.astimezone(tz)
            day = f"{start:%a %d %b}" + ("" if start.year == now_year else f" {start:%Y}")
            print(f"  {day} {c.title}: {c.progress()} [{occurrence_id_of(c)}]")
        hidden = len(view.open_checklists) - CATCH_UP_SHOWN
        if hidden > 0:
            print(f"  … and {hidden} older: `companion catchup`")
    print_replies(profile, view, tz)
    for bad in set_aside(profile):
        print(f"Set aside: {bad.title} cannot be used ({bad.reason}); see `companion series list`")


def print_replies(profile: Profile, view: TodayView, tz: ZoneInfo) -> None:
    """The coordinator's replies and the outbox, when there are any."""
    from sync.credentials import credentials_problem

    if view.replies:
        print("From your coordinator:")
    for r in view.replies:
        about = ""
        if r.notice_start is not None:
            about = f" about {r.notice_title} {r.notice_start.astimezone(tz):%a %d %b}"
        said = f'"{r.text}"' if r.text else "acknowledged your notice"
        print(f"  {r.at.astimezone(tz):%a %d %b}{about}: {said}")
        for title, url in r.materials:
            print(f"    {title}: {url}")
        offer = r.makeup
        if offer is not None:
            slots = offer.all_slots()
            for n, s in enumerate(slots, 1):
                when = f"{s.start.astimezone(tz):%a %d %b %H:%M}-{s.end.astimezone(tz):%H:%M}"
                if offer.declined:
                    todo = "declined"
                elif offer.accepted_uid and (offer.chosen_slot or 1) == n:
                    todo = "accepted"
                else:
                    pick = f" {n}" if len(slots) > 1 else ""
                    todo = f"`companion accept-makeup {r.id}{pick}`"
                label = f"make-up slot {n}" if len(slots) > 1 else "make-up offered"
                print(f"    {label}: {s.title} {when} ({todo})")
    queued, failed = view.outbox.get("queued", 0), view.outbox.get("failed", 0)
    if queued or failed:
        parts = [f"{n} {s}" for n, s in ((queued, "queued"), (failed, "failed")) if n]
        print(f"Notices: {', '.join(parts)} (`companion outbox`)")
    problem = credentials_problem(profile)
    if problem:
        print(f"Cannot sync: {problem}.")


def cmd_sessions(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.notes import notes_between
    from companion.actions.schedule import occurrences

    tz = profile.tz()
    now = profile.now().astimezone(tz)
    start = (
        _aware(args.start, tz)
        if args.start
        else (now - timedelta(days=now.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    )
    end = _aware(args.end, tz) if args.end else start + timedelta(days=14)
    if args.end and args.end.time() == datetime.min.time():
        end += timedelta(days=1)  # a bare --to date includes that day
    if end <= start:
        raise UserError("--to must be after --from")
    if end - start > MAX_SPAN:
        raise UserError("--from and --to can be at most 10 years apart")
    views = occurrences(profile, start, end)
    if args.json:
        print_json([v.as_json() for v in views])
        return 0
    notes = notes_between(profile, start.date(), (end - timedelta(microseconds=1)).date()
                          + timedelta(days=1))  # fmt: skip
    if not views and not notes:
        print("No sessions in that range.")
    rows = [(o.local_start(tz).date(), 1, f"{o.id}  {o.local_start(tz):%a %d %b %H:%M}-"
             f"{o.local_end(tz):%H:%M}  {v.status.label:<9}  {o.title}")
            for v in views for o in (v.occurrence,)]  # fmt: skip
    rows += [(day, 0, f"{'':8}  {day:%a %d %b} all day      note       {n.title}")
             for day, found in notes.items() for n in found]  # fmt: skip
    for _day, _order, line in sorted(rows, key=lambda r: (r[0], r[1])):
        print(line)
    return 0


def _aware(value: datetime, tz) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def cmd_mark(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.schedule import mark
    from companion.domain.attendance import UNMARKED, Status

    view = mark(profile, args.occurrence, Status(args.status))
    o = view.occurrence
    when = f"{o.title} on {o.local_start(profile.tz()):%a %d %b %H:%M}"
    if view.status in UNMARKED:
        print(f"Cleared your mark on {when}: {view.status.label}.")
        return 0
    extra = (
        " A catch-up checklist is ready (`companion catchup`)."
        if view.status is Status.MISSED
        else ""
    )
    print(f"Marked {when} {view.status.label}.{extra}")
    return 0
