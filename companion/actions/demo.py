"""`companion demo`: a realistic sample program so a new user sees a living app.

Evening IOP (America/New_York): Process Group Mon/Wed/Fri 18:00-21:00, a weekly
individual session, a fortnightly skills workshop; six weeks of history with some misses,
an excused absence, a session cancelled by the program, reflections and checklists.

Everything the demo makes is marked as the demo's (``repo_demo``), so joining a real
program removes it whole: :func:`demo_summary` says what would go and what stays.
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
from companion.store import repo_catchup, repo_demo, repo_journal, repo_schedule, repo_sync
from companion.store.repo_demo import DemoCounts
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
    state = repo_sync.get_state(conn)
    if state is not None:  # a demo notice must never reach a real program
        raise UserError(
            f"this profile is enrolled with {state.server_url}; run the demo on a profile "
            "of its own (e.g. COMPANION_HOME=$(mktemp -d) companion demo)"
        )
    if repo_schedule.list_series(conn):
        raise UserError(
            "this profile already has sessions; run the demo on an empty profile "
            "(e.g. COMPANION_HOME=$(mktemp -d) companion demo)"
        )
    if repo_journal.is_protected(conn):  # its reflections would need the passphrase
        raise UserError(
            "this profile's journal is protected with a passphrase; run the demo on an "
            "empty profile (e.g. COMPANION_HOME=$(mktemp -d) companion demo)"
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
            repo_demo.mark_series(conn, s.uid)
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
                rid = repo_journal.add_reflection(
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
                repo_demo.mark_reflection(conn, rid)
                repo_catchup.tick_key(conn, *occ.key, REFLECT, occ.end + timedelta(hours=3))
                counts["reflections"] += 1
        # A couple of reflections not tied to a miss: sessions that were hard to get to.
        for weeks_ago, (barriers, what, plan, mood) in ((4, REFLECTIONS[3]), (2, REFLECTIONS[1])):
            rid = repo_journal.add_reflection(
                conn,
                Reflection(
                    when=now - timedelta(weeks=weeks_ago, hours=rng.randint(1, 48)),
                    barriers=barriers,
                    what_happened="Nearly missed it: " + what[0].lower() + what[1:],
                    plan=plan,
                    mood=mood + 1,
                ),
            )
            repo_demo.mark_reflection(conn, rid)
            counts["reflections"] += 1
    return counts


def _n(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def demo_summary(profile: Profile) -> DemoCounts | None:
    """What the demo holds in this profile (None when nothing)."""
    return repo_demo.counts(profile.store.conn)


def _held(c: DemoCounts) -> str:
    held = [_n(c.series, "series", "series")]
    held += [
        _n(n, word)
        for n, word in (
            (c.marks, "attendance mark"),
            (c.checklists, "catch-up checklist"),
            (c.reflections, "reflection"),
            (c.notices, "queued notice"),
        )
        if n
    ]
    return ", ".join(held)


def _kept(c: DemoCounts) -> str:
    own = [
        _n(n, word, plural)
        for n, word, plural in ((c.own_series, "series", "series"),
                                (c.own_reflections, "reflection", ""))
        if n
    ]  # fmt: skip
    return f"your own {' and '.join(own)} stay" if own else "nothing of your own is here"


def describe_demo(c: DemoCounts) -> str:
    """One line: what joining a program removes, and what of the user's own stays."""
    never = "; its notices are never sent" if c.notices else ""
    return (
        f"This profile holds the demo program ({_held(c)}). Joining a program removes all "
        f"of it{never}; {_kept(c)}."
    )


def describe_removed(c: DemoCounts) -> str:
    """One line after enrolling: what of the demo went, and what stayed."""
    never = " (never sent)" if c.notices else ""
    return f"Removed the demo program: {_held(c)}{never}; {_kept(c)}."


def remove_demo(profile: Profile) -> DemoCounts | None:
    """Remove the demo (inside the caller's transaction); what was removed, or None."""
    found = repo_demo.counts(profile.store.conn)
    if found is not None:
        repo_demo.remove(profile.store.conn)
    return found
