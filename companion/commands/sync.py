"""`companion enroll | unenroll | notify | sync | outbox | accept-makeup`: the program link.

The sync layer (httpx, pydantic) is imported inside each command, never at start-up: the
parser registers every command, and `companion status` must not pay for the network.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from companion.commands.parse import print_json, seconds, whole
from companion.domain.terms import Barrier
from companion.errors import UserError

if TYPE_CHECKING:
    from companion.actions.profile import Profile
    from sync.client import SyncResult

BARRIERS = ", ".join(b.value for b in Barrier)
FEED_NOW = {True: "your calendar feed is now discreet",
            False: "your calendar feed now shows session titles"}  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "enroll",
        help="connect this profile to your program's server",
        description="Exchange the one-time code from your coordinator for a device token "
        "(kept private in your config directory, never shown) and import the program's "
        "schedule.",
    )
    p.add_argument("server_url", metavar="SERVER_URL")
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "--device-name",
        default="",
        metavar="NAME",
        help="how this device shows to the coordinator (default: the host name)",
    )
    p.add_argument(
        "--replace-demo",
        action="store_true",
        help="when this profile holds the demo, remove it (asked otherwise); your own "
        "series and reflections stay",
    )
    p.add_argument(
        "--ca-file",
        default="",
        metavar="PATH",
        help="a PEM file of the certificate authority your program's server uses, when it "
        "is not a public one (kept with the credentials; every later request trusts it)",
    )
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser(
        "unenroll",
        help="forget the program's server on this device",
        description="Forget the server and the device token. Your schedule, journal and "
        "notices stay on this device.",
    )
    p.set_defaults(func=cmd_unenroll)

    p = sub.add_parser(
        "notify",
        help="tell your coordinator you will miss (or missed) a session",
        description="Before the session starts this is an advance notice and marks it "
        "excused; after, it marks it missed (with a catch-up checklist). The notice is "
        f"queued at once and delivered when you are online. Barriers: {BARRIERS}.",
    )
    p.add_argument("occurrence", metavar="OCCURRENCE_ID", help="from `companion sessions`")
    p.add_argument("--barrier", required=True, metavar="BARRIER", help="what got in the way")
    p.add_argument("--message", default="", metavar="TEXT", help="a note for the coordinator")
    p.add_argument("--makeup", action="store_true", help="ask for a make-up session")
    p.add_argument(
        "--share-reflection",
        type=whole(1),
        metavar="REFLECTION_ID",
        help="attach one of your reflections (it is private otherwise)",
    )
    p.add_argument("--json", action="store_true", help="print the notice as JSON")
    p.set_defaults(func=cmd_notify)

    p = sub.add_parser(
        "sync",
        help="deliver queued notices and fetch changes from the program",
        description="Deliver the outbox, then fetch schedule changes, materials, replies "
        "and attendance recorded by the program. Exit status 1 when offline or failed.",
    )
    p.add_argument(
        "--timeout",
        type=seconds(0, 300),
        default=10.0,
        metavar="SECONDS",
        help="longest wait for the server per request (default 10)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser(
        "outbox",
        help="your notices and their delivery states",
        description="Queued, failed and delivered notices. A notice the server refused "
        "stays here as failed: retry it (edited or not) or discard it.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--retry", metavar="NOTICE_ID", help="queue a failed notice again")
    p.add_argument("--discard", metavar="NOTICE_ID", help="drop a queued or failed notice")
    p.add_argument("--barrier", metavar="BARRIER", help="with --retry: a new barrier")
    p.add_argument("--message", metavar="TEXT", help="with --retry: a new message")
    p.set_defaults(func=cmd_outbox)

    p = sub.add_parser(
        "accept-makeup",
        help="pick a make-up session your coordinator offered (or decline)",
        description="Pick one of the make-up slots offered in a reply (see `companion "
        "status`): it joins your schedule, and your coordinator hears of it on the next "
        "sync (queued in the outbox when offline). --decline tells them none suits you.",
    )
    p.add_argument("reply", type=whole(1), metavar="REPLY_ID")
    p.add_argument(
        "slot",
        type=whole(1),
        nargs="?",
        default=1,
        metavar="SLOT",
        help="which slot (1-3; default 1)",
    )
    p.add_argument("--decline", action="store_true", help="none of the slots suits you")
    p.set_defaults(func=cmd_accept_makeup)


def cmd_enroll(profile: Profile, args: argparse.Namespace) -> int:
    import socket

    from sync.client import enroll

    name = args.device_name or socket.gethostname()
    replace = args.replace_demo or _confirm_demo(profile)
    if replace is None:
        print("Nothing changed; the code is still unused.")
        return 1
    done = enroll(
        profile, args.server_url, args.code, name, replace_demo=replace, ca_file=args.ca_file
    )
    if done.demo_removed is not None:
        from companion.actions.demo import describe_removed

        print(describe_removed(done.demo_removed))
    print(
        f"Enrolled with {done.program} as {done.client_name}: {done.series} series imported. "
        "`companion sync` keeps it current."
    )
    print(f"Calendar subscription: {done.feed_url}")
    if done.feed_pending:
        print(
            "Your discreet-calendar choice goes to the server with the next `companion sync`; "
            "subscribe after that."
        )
    elif done.feed.feed_discreet if done.feed is not None else done.discreet_default:
        print("The subscription is discreet: sessions show as “Appointment”.")
    for line in done.set_aside:
        print(f"{line[:1].upper()}{line[1:]}.")
    return 0


def _confirm_demo(profile: Profile) -> bool | None:
    """Ask at a terminal whether to remove the demo: True yes, None no, False when there is
    no demo or no one to ask (enrol then refuses a demo with how to go ahead)."""
    from companion.actions.demo import demo_summary, describe_demo

    held = demo_summary(profile)
    if held is None or not sys.stdin.isatty():
        return False
    print(describe_demo(held), file=sys.stderr)
    try:
        answer = input("Remove the demo and enrol? [y/N] ")
    except EOFError:
        answer = ""
    return True if answer.strip().lower() in ("y", "yes") else None


def cmd_unenroll(profile: Profile, args: argparse.Namespace) -> int:
    from sync.client import unenroll

    url, undelivered = unenroll(profile)
    extra = f" {undelivered} undelivered notice(s) stay in the outbox." if undelivered else ""
    print(
        f"Forgot {url or 'the saved server and token'}. Your schedule and journal stay on "
        f"this device.{extra}"
    )
    return 0


def cmd_notify(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.notify import notice_json, notify
    from companion.commands.passphrase import journal_key
    from companion.domain.notices import NoticeState, Timing
    from companion.store import repo_outbox
    from sync.client import push

    key = journal_key(profile, need=True) if args.share_reflection else None
    notice = notify(
        profile,
        args.occurrence,
        args.barrier,
        args.message,
        args.makeup,
        args.share_reflection,
        key,
    )
    result = push(profile)
    entry = repo_outbox.get(profile.store.conn, notice.id)
    assert entry is not None
    if args.json:
        print_json(notice_json(entry))
        return 1 if entry.state is NoticeState.FAILED else 0
    tz = profile.tz()
    timing = entry.notice.timing  # once delivered, the server's verdict by its own clock
    kind, status = (
        ("advance notice", "excused") if timing is Timing.ADVANCE else ("notice", "missed")
    )
    print(
        f"{notice.title} on {notice.start.astimezone(tz):%a %d %b %H:%M} is marked {status} "
        f"({kind}, id {notice.id[:8]})."
    )
    if timing is not notice.timing:
        when = "after the session started" if timing is Timing.AFTER else "before the session"
        print(f"The program received it {when}: its clock decides, not this device's.")
    if entry.state is NoticeState.FAILED:
        print(
            f"Not accepted: {entry.last_error}. Fix it with `companion outbox --retry "
            f"{notice.id[:8]} --message ...` or `--discard {notice.id[:8]}`."
        )
        return 1
    if entry.state in (NoticeState.DELIVERED, NoticeState.ACKNOWLEDGED):
        print(f"Delivered to {profile.program().name}.")
    elif result.state == "not_enrolled":
        print("Queued: it goes out once you enrol with your program (`companion enroll`).")
    elif result.state == "failed":
        print(f"Queued, not sent yet: {result.message}.")
    else:
        print("Queued: it goes out as soon as you are online (`companion sync`).")
    return 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(result: SyncResult) -> list[str]:
    """The lines `companion sync` prints."""
    c = result.changes
    lines = []
    if result.state == "not_enrolled":
        return [f"Not synced: {result.message}."]
    if result.state == "busy":
        return [f"Not synced: {result.message}."]
    sent = f"delivered {result.delivered_words()}" if result.delivered else ""
    got = [
        _plural(n, w)
        for n, w in (
            (c.schedule, "schedule change"),
            (c.materials, "material"),
            (c.replies, "reply"),
            (c.attendance, "attendance record"),
            (c.contacts, "crisis-contacts update"),
        )
        if n
    ]
    got = [g.replace("replys", "replies") for g in got]
    if c.materials_kept:
        kept = "material" if c.materials_kept == 1 else "materials"
        got.append(f"{c.materials_kept} {kept} for a catch-up checklist if you miss that session")
    feed = FEED_NOW[result.feed.feed_discreet] if result.feed is not None else ""
    if result.state == "ok":
        parts = [p for p in (sent, ("received " + ", ".join(got)) if got else "", feed) if p]
        lines.append(("Synced: " + "; ".join(parts) + ".") if parts else "Up to date.")
    else:
        head = "Offline" if result.state == "offline" else "Sync failed"
        lines.append(f"{head}: {result.message}.")
        if sent:
            lines.append(f"Before that: {sent}.")
    for nid, error in result.failures:
        lines.append(f"Refused {nid[:8]}: {error} (see `companion outbox`).")
    for line in c.set_aside:  # a change this version cannot use: kept, the rest applied
        lines.append(f"{line[:1].upper()}{line[1:]}.")
    if result.queued and result.state != "ok":
        verb = "stays" if result.queued == 1 else "stay"
        lines.append(f"{_plural(result.queued, 'notice')} {verb} queued; nothing is lost.")
    return lines


def cmd_sync(profile: Profile, args: argparse.Namespace) -> int:
    from sync.client import sync_now

    result = sync_now(profile, timeout=args.timeout)
    if result.state == "not_enrolled" and not args.json:
        raise UserError(result.message)
    if args.json:
        print_json(result.as_json())
    else:
        print("\n".join(summary(result)))
    return 0 if result.state in ("ok", "busy") else 1


def cmd_outbox(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.notify import discard, notice_json, outbox, retry
    from companion.domain.notices import NoticeState
    from companion.store import repo_outbox
    from sync.client import push

    if args.retry and args.discard:
        raise UserError("use --retry or --discard, not both")
    if (args.barrier or args.message is not None) and not args.retry:
        raise UserError("--barrier and --message go with --retry")
    if args.discard:
        gone = discard(profile, args.discard)
        print(f"Discarded the notice about {gone.notice.title} ({gone.id[:8]}).")
        return 0
    if args.retry:
        entry = retry(profile, args.retry, args.barrier, args.message)
        result = push(profile)
        entry = repo_outbox.get(profile.store.conn, entry.id) or entry
        print(
            f"Notice about {entry.notice.title} is {entry.state.value} ({entry.id[:8]})."
            + ("" if result.ok else " It goes out with the next `companion sync`.")
        )
        return 0
    entries = outbox(profile)
    if args.json:
        print_json([notice_json(e) for e in entries])
        return 0
    if not entries:
        print(
            "No notices yet. `companion notify OCCURRENCE_ID --barrier B` tells your coordinator."
        )
        return 0
    tz = profile.tz()
    for e in entries:
        n = e.notice
        when = (
            f"delivered {e.delivered_at.astimezone(tz):%a %d %b %H:%M}"
            if e.delivered_at
            else (f"created {n.created_at.astimezone(tz):%a %d %b %H:%M}")
        )
        print(
            f"{n.state.value:<12} {n.id[:8]}  {n.title} {n.start.astimezone(tz):%a %d %b %H:%M}"
            f" · {n.barrier.label} · {n.timing.value} · {when}"
        )
        if e.last_error and n.state in (NoticeState.FAILED, NoticeState.QUEUED):
            print(f"{'':<12} {e.last_error}")
    return 0


def cmd_accept_makeup(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.notify import accept_makeup

    series = accept_makeup(profile, args.reply, args.slot, decline=args.decline)
    if series is None:
        print("Declined the make-up slots; your coordinator hears of it on the next sync.")
    else:
        tz = profile.tz()
        end = series.start + series.duration
        print(
            f"Added {series.title} on {series.start.astimezone(tz):%a %d %b %H:%M}-"
            f"{end.astimezone(tz):%H:%M} to your schedule."
        )
    _push_choice(profile)
    return 0


def _push_choice(profile: Profile) -> None:
    """Try at once to tell the coordinator; offline, the next sync does."""
    from sync.client import is_enrolled, push

    if not is_enrolled(profile):
        return
    result = push(profile)
    if result.ok and not result.queued:
        print("Your coordinator has your answer.")
    else:
        print("Queued: your coordinator hears of it on the next sync.")
