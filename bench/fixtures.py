"""Five years of a client's data, shared by the benchmarks: ~1,300 occurrences, 500 reflections."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from companion.actions.demo import TZ, demo_series
from companion.actions.profile import Profile
from companion.actions.schedule import apply_status
from companion.clock import fixed_clock
from companion.domain.attendance import Policy, Status
from companion.domain.journal import Barrier, Reflection
from companion.domain.schedule import Kind, expand_all, zone
from companion.paths import Paths
from companion.store import repo_journal, repo_schedule
from companion.store.repo_schedule import Program

YEARS = 5


def build_five_years(home: Path, now: datetime) -> tuple[Profile, int]:
    """Fill a profile under ``home``; returns it and the number of occurrences."""
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(now))
    rng = random.Random(1)
    tz = zone(TZ)
    local = now.astimezone(tz)
    first = (local - timedelta(days=local.weekday() + 365 * YEARS)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    series = demo_series(first)
    # A fourth, lighter weekly session makes it ~5 a week: about 1,300 over five years.
    series.append(
        replace(
            series[1],
            uid="checkin@bench",
            title="Recovery check-in",
            kind=Kind.OTHER,
            start=series[1].start + timedelta(days=4),
        )
    )
    occs = [o for o in expand_all(series, first, now) if o.end <= now]
    with profile.store.transaction() as conn:
        repo_schedule.save_program(conn, Program("Evening IOP", TZ, Policy()))
        for s in series:
            repo_schedule.save_series(conn, s, now)
        for occ in occs:
            roll = rng.random()
            status = (
                Status.MISSED if roll < 0.08 else Status.EXCUSED if roll < 0.12 else Status.ATTENDED
            )
            apply_status(profile, occ, status, occ.end)
        barriers = list(Barrier)
        for n in range(500):
            when = first + timedelta(days=rng.uniform(0, 365 * YEARS))
            repo_journal.add_reflection(
                conn,
                Reflection(
                    when=when,
                    barriers=(rng.choice(barriers),),
                    what_happened=f"entry {n}",
                    plan="plan",
                    mood=rng.randint(1, 5),
                ),
            )
    return profile, len(occs)
