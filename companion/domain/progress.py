"""Progress you can see: the last twelve weeks of attendance against the weekly policy.

Weeks are the policy's weeks (Monday to Monday, local time); the current one is partial.
Each week is judged by the same rules as :func:`~companion.domain.attendance.week_summary`
(made up counts as attended, excused as absent, cancelled not at all); weeks before the
client started (enrolment, else the first session) are not weeks the client missed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from companion.domain.attendance import (
    Policy,
    Status,
    last_weeks,
    needed_to_reach,
    status_of,
    tally,
)
from companion.domain.schedule import Occurrence

WEEKS = 12


class WeekState(StrEnum):
    """How a week stands against the policy."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_MARKED = "not_marked"  # short only because sessions are not marked yet
    OPEN = "open"  # still going and still within reach
    NO_SESSIONS = "no_sessions"  # nothing that counts (none, or all cancelled)
    BEFORE_START = "before_start"  # the client had not started yet

    @property
    def decided(self) -> bool:
        """Whether a finished week in this state counts in "N of M weeks"."""
        return self in (WeekState.MET, WeekState.NOT_MET, WeekState.NOT_MARKED)


@dataclass(frozen=True, slots=True)
class WeekProgress:
    """One week's sessions and how the week stands."""

    start: datetime  # local Monday 00:00
    scheduled: int  # sessions that count: all but cancelled
    attended: int  # attended as planned (made up is apart)
    made_up: int
    excused: int
    unexcused: int
    not_marked: int  # over, marked neither way
    to_come: int  # not over yet
    cancelled: int
    state: WeekState
    partial: bool  # the current week, still going

    @property
    def present(self) -> int:
        """Sessions that count as attended: attended and made up."""
        return self.attended + self.made_up

    @property
    def share(self) -> float:
        """The attended share of the week's sessions (0 with none)."""
        return self.present / self.scheduled if self.scheduled else 0.0

    @property
    def possible(self) -> float:
        """The share reached if every session still to come is attended."""
        return (self.present + self.to_come) / self.scheduled if self.scheduled else 0.0


@dataclass(frozen=True, slots=True)
class AttendanceProgress:
    """The last weeks, oldest first, against the policy's weekly threshold."""

    weeks: tuple[WeekProgress, ...]
    threshold: float

    @property
    def decided(self) -> list[WeekProgress]:
        """Finished weeks with sessions since the start: the ones "N of M" counts."""
        return [w for w in self.weeks if not w.partial and w.state.decided]

    @property
    def met(self) -> int:
        return sum(1 for w in self.decided if w.state is WeekState.MET)

    @property
    def streak(self) -> int:
        """Weeks met in a row up to the latest finished one (weeks without sessions
        neither break nor lengthen it)."""
        n = 0
        for week in reversed(self.decided):
            if week.state is not WeekState.MET:
                break
            n += 1
        return n

    def reading(self) -> str:
        """The picture in one plain line (screen readers, and wherever a chart is too much):
        "9 of 11 weeks met the policy; last 3 in a row"."""
        decided = self.decided
        if not decided:
            return "No finished week with sessions yet."
        n = len(decided)
        parts = [f"{self.met} of {n} week{'s' if n != 1 else ''} met the policy"]
        if self.streak >= 2:
            parts.append(f"last {self.streak} in a row")
        unmarked = sum(1 for w in decided if w.state is WeekState.NOT_MARKED)
        if unmarked:
            parts.append(f"{unmarked} with sessions not marked")
        return "; ".join(parts)

    def short_reading(self) -> str:
        """At most 26 characters, for a narrow panel: "12 weeks: 9 of 11 met"."""
        decided = self.decided
        if not decided:
            return f"{len(self.weeks)} weeks: no full week yet"
        return f"{len(self.weeks)} weeks: {self.met} of {len(decided)} met"


def _week(
    start: datetime,
    statuses: list[tuple[Occurrence, Status]],
    policy: Policy,
    now: datetime,
    end: datetime,
    before_start: bool,
) -> WeekProgress:
    week = tally(statuses, policy, now, start)
    to_come, not_marked, scheduled = week.remaining, week.unrecorded, week.counted
    needed = needed_to_reach(policy.threshold, week.attended, scheduled)
    if before_start:
        state = WeekState.BEFORE_START
    elif scheduled == 0:
        state = WeekState.NO_SESSIONS
    elif needed == 0:
        state = WeekState.MET
    elif needed <= to_come:
        state = WeekState.OPEN
    elif needed <= to_come + not_marked:
        state = WeekState.NOT_MARKED
    else:
        state = WeekState.NOT_MET
    return WeekProgress(
        start=start,
        scheduled=scheduled,
        attended=week.attended - week.made_up,
        made_up=week.made_up,
        excused=week.excused,
        unexcused=week.missed,
        not_marked=not_marked,
        to_come=to_come,
        cancelled=week.cancelled,
        state=state,
        partial=start <= now < end,
    )


def window(now: datetime, tz: ZoneInfo, weeks: int = WEEKS) -> tuple[list[datetime], datetime]:
    """The Mondays of the last ``weeks`` weeks and the end of the current one."""
    mondays = last_weeks(now, tz, weeks)
    last = mondays[-1].date() + timedelta(days=7)
    return mondays, datetime(last.year, last.month, last.day, tzinfo=tz)


def attendance_progress(
    occurrences: Iterable[Occurrence],
    marks: Mapping[tuple[str, datetime], Status],
    policy: Policy,
    now: datetime,
    tz: ZoneInfo,
    started: datetime | None = None,
    weeks: int = WEEKS,
) -> AttendanceProgress:
    """Attendance week by week over the last ``weeks`` weeks (the current one last).

    ``started``: when the client started; sessions over by then are left out (one in
    progress counts, as on the program's pages) and weeks that ended by then are
    ``before_start``. Marks from before then are the client's own (a demo, a personal
    schedule), not the program's record, so they do not bring a session back.
    Occurrences outside the window are ignored, so the caller may pass a wider expansion.
    """
    mondays, end = window(now, tz, weeks)
    # Compared in UTC: aware datetimes of one zone compare by wall time, which repeats
    # itself for an hour when DST ends.
    edges, until = [m.astimezone(UTC) for m in mondays], end.astimezone(UTC)
    buckets: list[list[tuple[Occurrence, Status]]] = [[] for _ in mondays]
    for occ in occurrences:
        at = occ.start.astimezone(UTC)
        if not edges[0] <= at < until:
            continue
        if started is not None and occ.end <= started:
            continue
        buckets[bisect_right(edges, at) - 1].append((occ, status_of(occ, marks, now)))
    ends = [*mondays[1:], end]
    return AttendanceProgress(
        weeks=tuple(
            _week(m, found, policy, now, e, started is not None and e <= started)
            for m, found, e in zip(mondays, buckets, ends, strict=True)
        ),
        threshold=policy.threshold,
    )
