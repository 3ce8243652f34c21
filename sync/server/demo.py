"""`companion-server demo`: a living dashboard in one command.

Creates a fresh demo database (its own file, wiped on every run) with Evening IOP, a
coordinator whose credentials are printed, a weekly schedule, five enrolled clients, the
last week of attendance and a handful of absence notices, then serves it. Every record
is made through the same operations the API and dashboard use (admin, core, coordinator),
so the demo shows exactly what real use would.
"""

from __future__ import annotations

import argparse
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from companion.domain.attendance import week_bounds
from companion.domain.journal import Barrier
from companion.domain.notices import Timing
from companion.domain.schedule import Kind, Occurrence, expand_all, zone
from sync.protocol import (
    AttendanceIn,
    MakeupSlot,
    NoticeIn,
    ReplyIn,
    RosterEntry,
    SeriesWire,
    series_from_wire,
)
from sync.server import admin, core
from sync.server import coordinator as ops
from sync.server.attendance import record_attendance
from sync.server.security import digest
from sync.server.settings import Settings, data_dir
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.runner import transaction

PROGRAM = "Evening IOP"
TZ = "America/New_York"
EMAIL = "coord@example.org"
CLIENTS = ["Jordan R.", "Sam K.", "Lee M.", "Alex P.", "Riley T."]
# Who misses what in the recorded week: Sam falls below the weekly policy, Lee piles up
# unexcused absences; the others mostly attend.
MISSES = {"Sam K.": {0, 1, 2}, "Lee M.": {0, 2, 4}, "Alex P.": {3}}
HISTORY_WEEKS = 12  # the clients joined 12 weeks ago: the charts have a story to tell


def _missed_before(name: str, weeks_ago: int, nth: int) -> bool:
    """Whether ``name`` missed the ``nth`` session (0-4) of the week ``weeks_ago`` weeks
    back, before the recorded week: Jordan steady, Sam slipping lately, Lee on and off,
    Alex nearly always there, Riley finding their feet."""
    return {
        "Jordan R.": weeks_ago == 9 and nth == 0,
        "Sam K.": (weeks_ago <= 4 and nth == 0) or (weeks_ago <= 2 and nth == 2),
        "Lee M.": weeks_ago % 3 == 0 and nth in (1, 3),
        "Alex P.": weeks_ago == 6 and nth == 2,
        "Riley T.": weeks_ago >= 8 and nth in (0, 1, 4),
    }.get(name, False)


def demo_db_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.sqlite3'}"


def _series(first_monday: datetime) -> list[SeriesWire]:
    day = first_monday.date()

    def at(offset: int, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour) + timedelta(days=offset)

    return [
        SeriesWire(
            uid="process-group@evening-iop",
            title="Process Group",
            kind=Kind.GROUP,
            tzid=TZ,
            start_local=at(0, 18),
            duration_min=180,
            rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
            join_url="https://meet.example.org/evening-group",
            facilitator="Dr. Amara Osei",
        ),
        SeriesWire(
            uid="skills@evening-iop",
            title="Skills workshop",
            kind=Kind.WORKSHOP,
            tzid=TZ,
            start_local=at(1, 17),
            duration_min=120,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            join_url="https://meet.example.org/skills",
            facilitator="Chris Vale",
        ),
        SeriesWire(
            uid="individual@evening-iop",
            title="Individual counselling",
            kind=Kind.INDIVIDUAL,
            tzid=TZ,
            start_local=at(3, 16),
            duration_min=60,
            rrule="FREQ=WEEKLY;BYDAY=TH",
            join_url="https://meet.example.org/one-to-one",
            facilitator="Jo Park",
        ),
    ]


def build(db_url: str, now: datetime, password: str) -> dict[str, Any]:
    """Fill an empty database with the demo program; returns what to print."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    settings = Settings(db_url=db_url)
    tz = zone(TZ)
    this_monday, _ = week_bounds(now, tz)
    joined = this_monday - timedelta(weeks=HISTORY_WEEKS - 1)  # the first of the 12 weeks
    founded = joined - timedelta(days=7)
    admin.create_program(engine, PROGRAM, TZ, 0.8, 3, EMAIL, founded)
    made = admin.create_coordinator(engine, EMAIL, password, PROGRAM, founded)
    wires = _series(joined)
    with transaction(engine) as tx:
        program = tx.program_by_name(PROGRAM)
        assert program is not None
        auth = CoordinatorAuth(made["coordinator_id"], program.id, EMAIL)
        for wire in wires:
            ops.save_series(tx, auth, wire, founded, create=True)
    tokens: dict[str, str] = {}
    ids: dict[str, int] = {}
    for name in CLIENTS:
        client = admin.add_client(engine, name, PROGRAM, joined)
        ids[name] = client["client_id"]
        with transaction(engine) as tx:
            enrolled = core.enroll(tx, client["code"], "laptop", "demo",
                                   joined + timedelta(hours=1), settings)  # fmt: skip
            assert isinstance(enrolled, core.Enrolled)
            tokens[name] = enrolled.token
    series = [series_from_wire(w) for w in wires]
    past = [o for o in expand_all(series, now - timedelta(days=7), now) if o.end <= now]
    week_ago = now - timedelta(days=7)
    before = [o for o in expand_all(series, joined, week_ago) if o.end <= week_ago]
    upcoming = [o for o in expand_all(series, now, now + timedelta(days=7))]
    notices = _notices(past, upcoming, now)
    schedules = core.Schedules()
    with transaction(engine) as tx:
        for name, notice, received in notices:
            delivery = core.Delivery(notice, received)
            core.post_notice(tx, digest(tokens[name]), delivery, schedules)
        for n, occ in enumerate(past):
            roster = [
                RosterEntry(
                    client_id=ids[name],
                    status="absent" if n in MISSES.get(name, ()) else "attended",
                )
                for name in CLIENTS
            ]
            body = AttendanceIn(
                series_uid=occ.series_uid, original_start=occ.original_start, roster=roster
            )
            record_attendance(tx, auth, body, occ.end + timedelta(minutes=20))
        _history(tx, auth, before, ids, this_monday)
        _replies(tx, auth, notices, now)
    engine.dispose()
    return {
        "program": PROGRAM,
        "email": EMAIL,
        "password": password,
        "database": db_url,
        "clients": len(CLIENTS),
        "notices": len(notices),
        "sessions_recorded": len(past) + len(before),
    }


def _history(tx: Tx, auth: CoordinatorAuth, occurrences: list[Occurrence],
             ids: dict[str, int], this_monday: datetime) -> None:  # fmt: skip
    """The rosters of the weeks before the recorded one, by :func:`_missed_before`."""
    nth: dict[int, int] = {}
    for occ in occurrences:
        weeks_ago = (this_monday - occ.start).days // 7 + 1
        n = nth[weeks_ago] = nth.get(weeks_ago, -1) + 1
        roster = [
            RosterEntry(client_id=ids[name],
                        status="absent" if _missed_before(name, weeks_ago, n) else "attended")
            for name in CLIENTS
        ]  # fmt: skip
        body = AttendanceIn(series_uid=occ.series_uid, original_start=occ.original_start,
                            roster=roster)  # fmt: skip
        record_attendance(tx, auth, body, occ.end + timedelta(minutes=20))


def _notices(
    past: list[Occurrence], upcoming: list[Occurrence], now: datetime
) -> list[tuple[str, NoticeIn, datetime]]:
    """(client, notice, received at): advance notices for coming sessions, after-the-fact
    ones for sessions the roster shows missed."""
    made: list[tuple[str, NoticeIn, datetime]] = []

    def notice(
        name: str,
        occ: Occurrence,
        sent: datetime,
        barrier: Barrier,
        message: str,
        makeup: bool = False,
        reflection: str | None = None,
    ) -> None:
        made.append(
            (
                name,
                NoticeIn(
                    id=uuid.uuid4(),
                    series_uid=occ.series_uid,
                    original_start=occ.original_start,
                    title=occ.title,
                    start=occ.start,
                    timing=Timing.ADVANCE if sent < occ.start else Timing.AFTER,
                    barrier=barrier,
                    message=message,
                    makeup=makeup,
                    shared_reflection=reflection,
                    created_at=sent,
                ),
                sent,
            )
        )

    groups = [o for o in upcoming if o.kind == "group"]
    if groups:
        notice(
            "Jordan R.",
            groups[-1],
            now - timedelta(hours=3),
            Barrier.WORK_SCHOOL,
            "Shift moved to evenings this week.",
            makeup=True,
        )
    if len(groups) > 1:
        notice(
            "Riley T.",
            groups[0],
            now - timedelta(hours=26),
            Barrier.FAMILY_CHILDCARE,
            "Childcare fell through; I'll watch for the notes.",
        )
    for n, name, barrier, message, reflection in (
        (
            0,
            "Sam K.",
            Barrier.TECHNICAL,
            "Wifi died, sorry.",
            "The router kept dropping. Next time I'll test the link at 17:45 and keep my "
            "phone's hotspot ready.",
        ),
        (2, "Lee M.", Barrier.FORGOT, "Completely slipped my mind.", None),
        (1, "Sam K.", Barrier.EMOTIONAL, "Rough day, couldn't face the group.", None),
    ):
        if n < len(past):
            notice(
                name,
                past[n],
                past[n].start + timedelta(hours=2),
                barrier,
                message,
                reflection=reflection,
            )
    made.sort(key=lambda item: item[2])
    return made


def _replies(
    tx: Tx, auth: CoordinatorAuth, notices: list[tuple[str, NoticeIn, datetime]], now: datetime
) -> None:
    """Act on the older notices so the inbox shows every status."""
    after = [n for name, n, _ in notices if n.timing == "after"]
    if after:
        ops.acknowledge(tx, auth, str(after[0].id), now - timedelta(hours=1))
    if len(after) > 1:
        slot_start = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        body = ReplyIn(
            text="Thanks for telling us. Here is a make-up slot with Jo.",
            makeup=MakeupSlot(
                start=slot_start,
                end=slot_start + timedelta(hours=1),
                join_url="https://meet.example.org/makeup",
            ),
        )
        ops.reply(tx, auth, str(after[1].id), body, now - timedelta(minutes=30))


def run(args: argparse.Namespace) -> None:
    """Build the demo database, print how to sign in, then serve (unless --no-serve)."""
    from sync.server.cli import cmd_serve  # the one way this server serves

    url = args.db or demo_db_url()
    if not args.db:
        (data_dir() / "demo.sqlite3").unlink(missing_ok=True)
        for extra in ("-wal", "-shm"):
            (data_dir() / f"demo.sqlite3{extra}").unlink(missing_ok=True)
    info = build(url, datetime.now(UTC), secrets.token_urlsafe(9))
    info["url"] = f"http://{args.host}:{args.port}/"
    if args.json:
        print(json.dumps(info), flush=True)
    else:
        print(
            f"Demo program {info['program']!r}: {info['clients']} clients, "
            f"{info['sessions_recorded']} sessions recorded, {info['notices']} notices.\n"
            f"Open {info['url']} and sign in as {info['email']} "
            f"with password {info['password']}\n(demo database: {url})",
            flush=True,
        )
    if args.no_serve:
        return
    serve_defaults = {"idle_minutes": 30, "tls_cert": None, "tls_key": None,
                      "insecure_http": False, "forwarded_allow_ips": "", "smtp_url": None,
                      "mail_from": None}  # fmt: skip
    cmd_serve(
        argparse.Namespace(
            **{
                **serve_defaults,
                **vars(args),
                "db": url,
                "json": False,
                "workers": 1,
                "public_url": None,
            }
        )  # fmt: skip
    )


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `demo` to companion-server's parser (``command`` is cli.py's helper)."""
    p = command("demo", run, "create a demo program with sample data, print the sign-in, serve it")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--no-serve", action="store_true", help="create the data and exit")
