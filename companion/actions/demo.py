"""`companion demo`: a realistic sample program so a new user sees a living app.

Evening IOP (America/New_York): Process Group Mon/Wed/Fri 18:00-21:00, a weekly
individual session, a fortnightly skills workshop; six weeks of history with some misses,
an excused absence, a session cancelled by the program, reflections and checklists.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from companion.actions.profile import Profile, UserError
from companion.actions.schedule import apply_status
from companion.domain.attendance import Policy, Status
from companion.domain.catchup import HANDOUT, NOTES, REFLECT, TELL
from companion.domain.journal import Barrier, Reflection
from companion.domain.schedule import Kind, Override, Series, expand_all, zone
from companion.store import repo_catchup, repo_journal, repo_schedule
from companion.store.repo_schedule import Program

TZ = "America/New_York"
HISTORY_WEEKS = 6


def demo_series(first_monday: datetime) -> list[Series]:
    """The demo program's three series, starting on ``first_monday`` (local midnight)."""

    def at(days: int, hour: int) -> datetime:
        return (first_monday + timedelta(days=days)).replace(hour=hour)

    return [
        Series(
            uid="process-group@demo.companion",
            title="Process Group",
            kind=Kind.GROUP,
            start=at(0, 18),
            duration=timedelta(hours=3),
            tzid=TZ,
            rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
            join_url="https://meet.example.org/evening-group",
            facilitator="Dr. Ana Rivera",
            origin="program",
        ),
        Series(
            uid="individual@demo.companion",
            title="Individual counselling",
            kind=Kind.INDIVIDUAL,
            start=at(1, 17),
            duration=timedelta(minutes=50),
            tzid=TZ,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            join_url="https://meet.example.org/sam-okafor",
            facilitator="Sam Okafor, LCSW",
            origin="program",
        ),
        Series(
            uid="skills-workshop@demo.companion",
            title="Coping Skills workshop",
            kind=Kind.WORKSHOP,
            start=at(3, 17),
            duration=timedelta(hours=2),
            tzid=TZ,
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            join_url="https://meet.example.org/skills-workshop",
            facilitator="Jo Park",
            origin="program",
        ),
    ]


REFLECTIONS = [
    (
        (Barrier.WORK_SCHOOL,),
        "My shift ran over and I couldn't get home in time.",
        "Ask my manager to keep Mondays free; block 17:30-21:00 in my work calendar.",
        2,
    ),
    (
        (Barrier.TECHNICAL,),
        "The laptop updated right before group and the mic didn't work.",
        "Test camera and mic 15 minutes before; keep the phone app as a backup.",
        3,
    ),
    (
        (Barrier.EMOTIONAL, Barrier.MOTIVATION),
        "Felt low all day and didn't want to talk.",
        "Text my coordinator when I feel like skipping; joining with camera off is OK.",
        2,
    ),
    (
        (Barrier.FAMILY_CHILDCARE,),
        "No one could watch the kids.",
        "Ask my sister for Wednesday evenings; tell the family my schedule.",
        3,
    ),
]


def load_demo(profile: Profile, seed: int = 7) -> dict[str, int]:
    """Fill an empty profile with the demo program. Returns counts of what was made."""
    conn = profile.store.conn
    if repo_schedule.list_series(conn):
        raise UserError(
            "this profile already has sessions; run the demo on an empty profile "
            "(e.g. COMPANION_HOME=$(mktemp -d) companion demo)"
        )
    rng = random.Random(seed)
    now = profile.now()
    tz = zone(TZ)
    local = now.astimezone(tz)
    monday = (
        (local - timedelta(days=local.weekday() + 7 * HISTORY_WEEKS))
        .replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        .replace(tzinfo=tz)
    )
    series = demo_series(monday)
    past = [o for o in expand_all(series, monday, now) if o.end <= now]
    # The program cancelled one group session three weeks ago (a holiday).
    cancelled = next(
        o for o in reversed(past) if o.kind is Kind.GROUP and o.start < now - timedelta(days=18)
    )
    series[0] = series[0].with_changes(
        overrides={cancelled.original_start: Override(cancelled.original_start, cancelled=True)}
    )
    usable = [o for o in past if o is not cancelled]
    # A few misses spread over the weeks (the latest still being caught up on), one excused.
    missed = [usable[len(usable) // 5], usable[len(usable) * 3 // 5], usable[-1]]
    recent_missed = usable[-1]
    excused = [usable[len(usable) * 2 // 5]]
    counts = {"series": len(series), "attended": 0, "missed": 0, "excused": 0, "reflections": 0}
    with profile.store.transaction():
        repo_schedule.save_program(
            conn,
            Program("Evening IOP", TZ, Policy(0.8, 3), "coordinator@evening-iop.example.org"),
        )
        for s in series:
            repo_schedule.save_series(conn, s, now)
        for occ in past:
            if occ is cancelled:
                continue
            status = (
                Status.MISSED
                if occ in missed
                else Status.EXCUSED
                if occ in excused
                else Status.ATTENDED
            )
            apply_status(profile, occ, status, occ.end)
            counts[status.value] += 1
        for n, occ in enumerate(sorted(missed, key=lambda o: o.start)):
            barriers, what, plan, mood = REFLECTIONS[n % len(REFLECTIONS)]
            latest = occ is recent_missed
            if not latest:  # older misses: mostly caught up
                for key in (TELL, NOTES, REFLECT, HANDOUT)[: 2 + n % 3]:
                    repo_catchup.tick_key(conn, *occ.key, key, occ.end + timedelta(hours=2))
            if latest or n % 2 == 0:
                repo_journal.add_reflection(
                    conn,
                    Reflection(
                        when=occ.end + timedelta(hours=3),
                        barriers=barriers,
                        what_happened=what,
                        plan=plan,
                        mood=mood,
                        occurrence=occ.key,
                    ),
                )
                repo_catchup.tick_key(conn, *occ.key, REFLECT, occ.end + timedelta(hours=3))
                counts["reflections"] += 1
        # A couple of reflections not tied to a miss: sessions that were hard to get to.
        for weeks_ago, (barriers, what, plan, mood) in ((4, REFLECTIONS[3]), (2, REFLECTIONS[1])):
            repo_journal.add_reflection(
                conn,
                Reflection(
                    when=now - timedelta(weeks=weeks_ago, hours=rng.randint(1, 48)),
                    barriers=barriers,
                    what_happened="Nearly missed it: " + what[0].lower() + what[1:],
                    plan=plan,
                    mood=mood + 1,
                ),
            )
            counts["reflections"] += 1
    return counts
