"""Loading the twelve weeks from a real store: when the client started, and barriers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from companion.actions.profile import Profile
from companion.actions.progress import (
    client_started,
    first_session,
    load_attendance_progress,
    load_barrier_weeks,
)
from companion.domain.progress import WeekState
from companion.store import repo_schedule, repo_sync

NY = ZoneInfo("America/New_York")


def test_a_personal_schedule_starts_at_its_first_session(demo_profile: Profile) -> None:
    """The demo has six weeks of history: the six weeks before them are not misses."""
    series = repo_schedule.list_series(demo_profile.store.conn)
    started = client_started(demo_profile, series)
    assert started == first_session(series) == datetime(2026, 10, 12, 18, tzinfo=NY)
    progress = load_attendance_progress(demo_profile)
    states = [w.state for w in progress.weeks]
    assert states[:5] == [WeekState.BEFORE_START] * 5  # 7 Sep to 5 Oct
    assert WeekState.BEFORE_START not in states[5:]
    assert progress.reading() == "5 of 6 weeks met the policy; last 4 in a row"


def test_an_enrolled_client_starts_at_enrolment(demo_profile: Profile) -> None:
    enrolled = datetime(2026, 11, 4, 12, tzinfo=NY)  # Wed, three weeks before the clock
    with demo_profile.store.transaction() as conn:
        repo_sync.save_enrolment(conn, "https://iop.example.org", "", "Sam", "", enrolled)
    assert client_started(demo_profile, []) == enrolled
    progress = load_attendance_progress(demo_profile)
    assert [w.state for w in progress.weeks[:8]] == [WeekState.BEFORE_START] * 8
    # The week of 2 Nov counts only what came after: Wednesday's group (and Friday's,
    # which the program cancelled), not Monday's or Tuesday's.
    first = progress.weeks[8]
    assert first.start == datetime(2026, 11, 2, tzinfo=NY)
    assert (first.scheduled, first.cancelled) == (1, 1)


def test_barriers_by_week_load_from_the_store(demo_profile: Profile) -> None:
    weeks = load_barrier_weeks(demo_profile)
    assert weeks.mondays[0] == datetime(2026, 9, 7, tzinfo=NY) and len(weeks.mondays) == 12
    assert sum(t.total for t in weeks.rows) == 5  # 4 reflections, one naming two barriers
    assert weeks == load_barrier_weeks(demo_profile, None)
