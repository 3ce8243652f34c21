"""Reflections (the private barrier journal) and barrier insights.

Strategies come from the seed articles: set reminders, a designated quiet space, time
management, testing the technology beforehand, telling family and friends the schedule,
and asking the coordinator for support.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from companion.domain.terms import Barrier, JournalError

REMINDERS = "set calendar reminders or an alarm before each session"
SPACE = "set up a dedicated, quiet space for sessions"
TIME = "block session times first, then plan work and daily tasks around them"
TECH = "test camera, microphone and the join link 15 minutes before"
FAMILY = "tell family and friends your schedule and ask them to help keep it free"
COORDINATOR = "ask your coordinator for support: another group time, a make-up, a check-in"

STRATEGIES: dict[Barrier, tuple[str, ...]] = {
    Barrier.TECHNICAL: (TECH, COORDINATOR),
    Barrier.WORK_SCHOOL: (TIME, COORDINATOR, REMINDERS),
    Barrier.FAMILY_CHILDCARE: (FAMILY, TIME, COORDINATOR),
    Barrier.HEALTH: (COORDINATOR, REMINDERS),
    Barrier.EMOTIONAL: (COORDINATOR, FAMILY),
    Barrier.MOTIVATION: (COORDINATOR, FAMILY, REMINDERS),
    Barrier.FORGOT: (REMINDERS, TIME),
    Barrier.NO_PRIVATE_SPACE: (SPACE, FAMILY),
    Barrier.OTHER: (COORDINATOR,),
}


@dataclass(frozen=True, slots=True)
class Reflection:
    """A journal entry. Private: ``shared`` is False unless attached to a notice.

    ``locked``: the journal is protected and its key was not at hand, so the free text
    (``what_happened``, ``plan``) is not known here and both are empty."""

    when: datetime
    barriers: tuple[Barrier, ...]
    what_happened: str = ""
    plan: str = ""
    mood: int | None = None  # 1 (low) .. 5 (good)
    occurrence: tuple[str, datetime] | None = None  # (series uid, original start)
    shared: bool = False
    id: int | None = None
    locked: bool = False

    def __post_init__(self) -> None:
        if self.mood is not None and not 1 <= self.mood <= 5:
            raise JournalError("mood is a number from 1 to 5")
        if not (self.locked or self.what_happened.strip() or self.plan.strip() or self.barriers):
            raise JournalError("a reflection needs at least a barrier, what happened, or a plan")


@dataclass(frozen=True, slots=True)
class BarrierInsight:
    """How often a barrier came up in a period, with strategies that address it."""

    barrier: Barrier
    count: int
    strategies: tuple[str, ...]


def insights(
    reflections: Iterable[Reflection], since: datetime, until: datetime
) -> list[BarrierInsight]:
    """Barrier counts over ``[since, until)``, most frequent first."""
    counts: Counter[Barrier] = Counter()
    for r in reflections:
        if since <= r.when < until:
            counts.update(set(r.barriers))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], list(Barrier).index(kv[0])))
    return [BarrierInsight(b, n, STRATEGIES[b]) for b, n in ranked]


def suggested_strategies(barriers: Iterable[Barrier]) -> list[str]:
    """Strategies for the chosen barriers, without repeats, in order."""
    seen: dict[str, None] = {}
    for b in barriers:
        for s in STRATEGIES[b]:
            seen.setdefault(s, None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class BarrierTrend:
    """How often a barrier came up week by week (reflections naming it), oldest first."""

    barrier: Barrier
    per_week: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.per_week)

    @property
    def weeks_seen(self) -> int:
        return sum(1 for n in self.per_week if n)

    def trend(self, recent: int = 4) -> str:
        """The last ``recent`` weeks against the weeks before them, per week: "more lately",
        "less lately" or "steady" ("" with nothing before them to compare)."""
        before = self.per_week[:-recent]
        if not before:
            return ""
        now_rate = sum(self.per_week[-recent:]) * len(before)
        then_rate = sum(before) * recent
        if now_rate > then_rate:
            return "more lately"
        return "less lately" if now_rate < then_rate else "steady"


def barriers_by_week(
    reflections: Iterable[Reflection], mondays: list[datetime], until: datetime
) -> list[BarrierTrend]:
    """Each barrier that came up in ``[mondays[0], until)``, counted per week (a week runs
    from one of ``mondays`` to the next), most frequent first."""
    counts: dict[Barrier, list[int]] = {}
    edges = [m.astimezone(UTC) for m in mondays]  # in UTC: wall times repeat as DST ends
    for r in reflections:
        at = r.when.astimezone(UTC)
        if edges and edges[0] <= at < until:
            week = bisect_right(edges, at) - 1
            for b in set(r.barriers):
                counts.setdefault(b, [0] * len(mondays))[week] += 1
    order = list(Barrier)
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), order.index(kv[0])))
    return [BarrierTrend(b, tuple(n)) for b, n in ranked]
