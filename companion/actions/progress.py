"""Progress over the last twelve weeks: attendance against the policy, barriers by week.

Both load a bounded window (twelve weeks of expansion and marks), never the history:
with five years of data each takes a few milliseconds (bench/progress_bench.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.actions.profile import Profile
from companion.domain.journal import BarrierTrend, Reflection, barriers_by_week
from companion.domain.progress import AttendanceProgress, attendance_progress, window
from companion.domain.schedule import Series, expand_all, first_start
from companion.store import repo_journal, repo_schedule, repo_sync

# A moved session keeps its mark under its original start: look a week either side, as
# the week view does.
MOVED_MARGIN = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class BarrierWeeks:
    """Barriers week by week over the same weeks as the attendance picture."""

    mondays: tuple[datetime, ...]
    rows: tuple[BarrierTrend, ...]


def first_session(series: list[Series]) -> datetime | None:
    """The earliest start of any series (its rule's first, its extra dates), or None."""
    starts: list[datetime] = []
    for s in series:
        if s.rrule:
            found = first_start(s)
            if found is not None:
                starts.append(found.replace(tzinfo=s.zone))
        else:
            starts.append(s.start)
        starts.extend(s.rdates)
    return min(starts, default=None)


def client_started(profile: Profile, series: list[Series]) -> datetime | None:
    """When the client started: the day the program added them (as the program counts
    it), else this device's enrolment, else (a personal schedule) the first session.
    Weeks before it are not missed weeks."""
    state = repo_sync.get_state(profile.store.conn)
    if state is None:
        return first_session(series)
    # Added before this device enrolled, as a rule; the earlier of the two if a clock is off.
    return min(state.added_at, state.enrolled_at) if state.added_at else state.enrolled_at


def load_attendance_progress(profile: Profile) -> AttendanceProgress:
    """The last twelve weeks of attendance, the current week last."""
    conn = profile.store.conn
    now, tz = profile.now(), profile.tz()
    mondays, end = window(now, tz)
    series = repo_schedule.list_series(conn)
    found = expand_all(series, mondays[0], end)
    marks = repo_schedule.marks(conn, mondays[0] - MOVED_MARGIN, end + MOVED_MARGIN)
    policy = profile.program().policy
    return attendance_progress(found, marks, policy, now, tz, client_started(profile, series))


def load_barrier_weeks(
    profile: Profile, reflections: list[Reflection] | None = None
) -> BarrierWeeks:
    """Barriers per week over the last twelve weeks; ``reflections`` when already loaded."""
    now, tz = profile.now(), profile.tz()
    mondays, end = window(now, tz)
    if reflections is None:
        reflections = repo_journal.list_reflections(profile.store.conn, since=mondays[0])
    return BarrierWeeks(tuple(mondays), tuple(barriers_by_week(reflections, mondays, end)))
