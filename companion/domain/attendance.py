"""Attendance under the program's policy: the weekly rate, its forecast and the rolling
count of unexcused absences.

Rules (DESIGN.md, seeds): cancelled occurrences do not count against the client; a
made-up occurrence counts as attended; an excused absence (notice given in advance) is
still an absence for the weekly rate but not an unexcused one; a missed occurrence is
unexcused. Only sessions from the day a client was added count for them.

At risk (the coordinator's flag): the week cannot meet the policy even if the client
attends every session still to come and makes up every excused absence (a make-up turns
it into ``made_up``, which counts as attended), or unexcused absences reached the limit.
So one advance notice never puts a client at risk; absences without notice can.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from companion.domain.schedule import Occurrence, makeup_reply_id


class Status(StrEnum):
    """Attendance status of one occurrence. ``upcoming``: it has not started;
    ``unrecorded``: it has started and nobody has marked it (shown as "not marked")."""

    UPCOMING = "upcoming"
    UNRECORDED = "unrecorded"
    ATTENDED = "attended"
    MISSED = "missed"
    EXCUSED = "excused"
    MADE_UP = "made_up"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        if self is Status.UNRECORDED:
            return "not marked"
        return self.value.replace("_", " ")


# What the client can set; ``upcoming`` clears the client's own mark.
MARKABLE = (Status.ATTENDED, Status.MISSED, Status.MADE_UP, Status.UPCOMING)
UNMARKED = (Status.UPCOMING, Status.UNRECORDED)
PRESENT = (Status.ATTENDED, Status.MADE_UP)


@dataclass(frozen=True, slots=True)
class Policy:
    """A program's attendance policy."""

    threshold: float = 0.8  # share of a week's sessions to attend
    unexcused_limit: int = 3  # unexcused absences allowed in the rolling window
    window_days: int = 30

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("the weekly threshold is a share between 0 and 1")
        if self.unexcused_limit < 0:
            raise ValueError("the unexcused-absence limit cannot be negative")


def status_of(
    occ: Occurrence, marks: Mapping[tuple[str, datetime], Status], now: datetime
) -> Status:
    """The effective status: the program's cancellation wins, then the recorded mark; with
    no mark, ``upcoming`` before the start and ``unrecorded`` from then on."""
    if occ.cancelled:
        return Status.CANCELLED
    found = marks.get(occ.key)
    if found is None or found in UNMARKED:
        return Status.UPCOMING if occ.start > now else Status.UNRECORDED
    return found


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """A week's attendance against the policy, and what it takes to stay above it."""

    week_start: datetime
    attended: int  # includes made up
    missed: int
    excused: int
    cancelled: int
    remaining: int  # not over yet (in progress counts), not cancelled, not excused
    unrecorded: int  # already over but not marked either way
    counted: int  # every occurrence that counts: all but cancelled
    threshold: float
    needed_to_stay_above: int | None  # None: the threshold cannot be reached this week
    made_up: int = 0  # of ``attended``: sessions made up

    @property
    def rate(self) -> float | None:
        """Attended share of the sessions decided so far (None before any)."""
        decided = self.attended + self.missed + self.excused
        return self.attended / decided if decided else None

    @property
    def reachable(self) -> bool:
        return self.needed_to_stay_above is not None

    @property
    def reachable_if_unrecorded_attended(self) -> bool:
        """Whether the week could still be met if the sessions not marked yet were attended."""
        needed = needed_to_reach(self.threshold, self.attended + self.unrecorded, self.counted)
        return needed <= self.remaining

    @property
    def recoverable(self) -> bool:
        """Whether the week can still meet the policy if every session still to come is
        attended and every excused absence is made up."""
        needed = needed_to_reach(self.threshold, self.attended, self.counted)
        return needed <= self.remaining + self.excused

    @property
    def on_track(self) -> bool:
        return self.needed_to_stay_above == 0

    def forecast(self) -> str:
        """One line: what the client must do to stay at or above the threshold."""
        pct = f"{round(self.threshold * 100)}%"
        if self.counted == 0:
            return "no sessions this week"
        if self.needed_to_stay_above is None:
            if self.unrecorded and self.reachable_if_unrecorded_attended:
                return f"mark your {self.unrecorded} past session(s) to see where you stand"
            return f"{pct} is out of reach this week; talk to your coordinator"
        if self.needed_to_stay_above == 0:
            if self.remaining:
                return f"at {pct} or above even if plans change; keep going"
            return f"week met at {pct} or above"
        return (
            f"attend {self.needed_to_stay_above} of the remaining {self.remaining} to stay at {pct}"
        )

    def coordinator_forecast(self) -> str:
        """The same week as a coordinator reads it, about the client (the client's own
        "talk to your coordinator" has no place on the coordinator's pages)."""
        pct = f"{round(self.threshold * 100)}%"
        needed = self.needed_to_stay_above
        if self.counted == 0:
            return "no sessions this week"
        if needed is None:
            if self.unrecorded and self.reachable_if_unrecorded_attended:
                return f"{self.unrecorded} past session(s) not recorded yet: record the roster"
            if self.recoverable:
                return f"{pct} needs make-ups of the excused absences: offer a make-up"
            return f"{pct} is out of reach this week: check in with them about their plan"
        if needed == 0:
            if self.remaining:
                return f"at {pct} or above even if they miss the rest of the week"
            return f"week met at {pct} or above"
        return f"needs {needed} of the remaining {self.remaining} to stay at {pct}"


def week_bounds(day: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to next Monday 00:00 (local, aware) of the week holding ``day``."""
    local = day.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    nxt = monday + timedelta(days=7)
    return start, datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)


def enrolled_by(occ: Occurrence, added: datetime, tz: ZoneInfo) -> bool:
    """Whether a client added at ``added`` was in the program on ``occ``'s day (local
    midnight in ``tz``): a client added on Tuesday is not absent from Monday's session;
    one added on Tuesday evening has Tuesday's morning session, whose roster may be
    recorded after they were added."""
    day = added.astimezone(tz).date()
    return occ.start >= datetime(day.year, day.month, day.day, tzinfo=tz)


def counted_from(
    occurrences: Iterable[Occurrence],
    added: datetime,
    marks: Mapping[tuple[str, datetime], Status] | None = None,
) -> list[Occurrence]:
    """The occurrences that count for a client added at ``added``: those not over yet when
    they were added (one in progress counts), and earlier ones only where ``marks`` holds a
    record for them (a roster the program took, a notice they sent). A client added on
    Saturday evening is not judged on Saturday's session that ended an hour before."""
    known = marks or {}
    return [occ for occ in occurrences if occ.key in known or occ.end > added]


def last_weeks(now: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
    """The local Mondays (00:00, aware) of the ``count`` weeks ending with the one holding
    ``now``, oldest first. Built from dates, so a DST change never shifts a Monday."""
    monday = week_bounds(now, tz)[0].date()
    days = (monday - timedelta(weeks=n) for n in range(count - 1, -1, -1))
    return [datetime(d.year, d.month, d.day, tzinfo=tz) for d in days]


def needed_to_reach(threshold: float, attended: int, counted: int) -> int:
    """Sessions still to attend so that attended/counted >= threshold (exact arithmetic)."""
    target = math.ceil(round(threshold * counted, 9))  # 0.8 * 5 is 4.000000000000001
    return max(0, target - attended)


def counts_for_policy(occ: Occurrence) -> bool:
    """Whether an occurrence is one of the weekly policy's sessions. A make-up the client
    picked is not: it stands in for the session it makes up (which turns made up), so
    counting it too would count the client twice."""
    return makeup_reply_id(occ.series_uid) is None


def week_summary(
    occurrences: Iterable[Occurrence],
    marks: Mapping[tuple[str, datetime], Status],
    policy: Policy,
    now: datetime,
    week_start: datetime,
) -> WeekSummary:
    """Summarise the occurrences of one week (the caller picks them by week bounds)."""
    statuses = [(occ, status_of(occ, marks, now)) for occ in occurrences]
    return tally(statuses, policy, now, week_start)


def tally(
    statuses: Iterable[tuple[Occurrence, Status]],
    policy: Policy,
    now: datetime,
    week_start: datetime,
) -> WeekSummary:
    """Summarise one week's occurrences with their statuses already worked out."""
    counts = dict.fromkeys(Status, 0)
    remaining = unrecorded = 0
    for occ, status in statuses:
        if not counts_for_policy(occ):
            continue
        counts[status] += 1
        if status in UNMARKED:
            if occ.end > now:  # not over yet: one in progress can still be attended
                remaining += 1
            else:
                unrecorded += 1
    attended = counts[Status.ATTENDED] + counts[Status.MADE_UP]
    counted = sum(counts.values()) - counts[Status.CANCELLED]
    needed: int | None = needed_to_reach(policy.threshold, attended, counted)
    if needed is not None and needed > remaining:
        needed = None
    return WeekSummary(
        week_start=week_start,
        attended=attended,
        missed=counts[Status.MISSED],
        excused=counts[Status.EXCUSED],
        cancelled=counts[Status.CANCELLED],
        remaining=remaining,
        unrecorded=unrecorded,
        counted=counted,
        threshold=policy.threshold,
        needed_to_stay_above=needed,
        made_up=counts[Status.MADE_UP],
    )


@dataclass(frozen=True, slots=True)
class UnexcusedCount:
    """Unexcused absences in the rolling window, against the limit."""

    count: int
    limit: int
    window_days: int

    @property
    def at_limit(self) -> bool:
        return self.count >= self.limit


def unexcused_absences(
    occurrences: Iterable[Occurrence],
    marks: Mapping[tuple[str, datetime], Status],
    policy: Policy,
    now: datetime,
) -> UnexcusedCount:
    """Missed (unexcused) occurrences that started in the last ``window_days``."""
    since = now - timedelta(days=policy.window_days)
    count = sum(
        1
        for occ in occurrences
        if since <= occ.start <= now
        and counts_for_policy(occ)
        and status_of(occ, marks, now) is Status.MISSED
    )
    return UnexcusedCount(count, policy.unexcused_limit, policy.window_days)


def at_risk(week: WeekSummary, unexcused: UnexcusedCount) -> bool:
    """True when the week cannot meet the policy even with every excused absence made up
    and every session to come attended, or unexcused absences hit the limit."""
    return not week.recoverable or unexcused.at_limit
