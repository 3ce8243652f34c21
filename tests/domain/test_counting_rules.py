"""Who counts for what: a client's sessions count from the day they were added, and one
advance notice (an excused absence) does not put a client at risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from companion.domain.attendance import (
    Policy,
    Status,
    UnexcusedCount,
    at_risk,
    counted_from,
    enrolled_by,
    unexcused_absences,
    week_summary,
)
from companion.domain.notices import makeup_uid
from companion.domain.schedule import Kind, Occurrence

NY = ZoneInfo("America/New_York")
MONDAY = datetime(2026, 11, 23, tzinfo=NY)  # a Monday, local midnight


def occ(day: int, hour: int = 18) -> Occurrence:
    start = MONDAY + timedelta(days=day, hours=hour)
    return Occurrence("s", start, start, start + timedelta(hours=3), "Group", Kind.GROUP, "UTC")


def test_a_client_added_on_tuesday_is_not_absent_from_mondays_session() -> None:
    week = [occ(0), occ(2), occ(4)]  # Mon, Wed, Fri
    added = MONDAY + timedelta(days=1, hours=11)  # Tuesday 11:00 New York
    theirs = counted_from(week, added)
    assert theirs == week[1:]
    now = MONDAY + timedelta(days=1, hours=12)
    summary = week_summary(theirs, {}, Policy(), now, MONDAY)
    assert (summary.counted, summary.missed, summary.remaining) == (2, 0, 2)
    # Counting Monday (never marked) against them would make the week "not marked".
    assert week_summary(week, {}, Policy(), now, MONDAY).unrecorded == 1


def test_a_session_before_they_were_added_counts_when_the_program_recorded_it() -> None:
    # The coordinator took Monday's roster with them on it: they were there already.
    week = [occ(0), occ(2)]
    added = MONDAY + timedelta(days=1)
    marks = {week[0].key: Status.MISSED}
    assert counted_from(week, added, marks) == week
    assert counted_from(week, added) == week[1:]


def test_a_session_over_before_they_were_added_does_not_count_the_one_in_progress_does() -> None:
    # Added Saturday 20:30 New York (Sunday 01:30 UTC), after Saturday's 18:00-20:00 group.
    saturday, sunday = occ(5), occ(6)
    saturday = Occurrence("s", saturday.start, saturday.start, saturday.start + timedelta(hours=2),
                          "Group", Kind.GROUP, "UTC")  # fmt: skip
    added = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
    assert counted_from([saturday, sunday], added) == [sunday]
    # Unjudged on Saturday, the week can still be met: they are not at risk on day one.
    now = added + timedelta(minutes=1)
    week = week_summary(counted_from([saturday, sunday], added), {}, Policy(), now, MONDAY)
    assert (week.counted, week.unrecorded, week.recoverable) == (1, 0, True)
    assert not at_risk(week, UnexcusedCount(0, 3, 30))
    # Judged on it (never recorded), 80% of two would already be out of reach.
    assert not week_summary([saturday, sunday], {}, Policy(), now, MONDAY).recoverable
    # Added at 19:00, while the group was on: that session is theirs.
    assert counted_from([saturday, sunday], added - timedelta(minutes=90)) == [saturday, sunday]


def test_the_roster_takes_the_local_day_not_the_utc_one() -> None:
    # Added Tuesday 21:30 New York = Wednesday 02:30 UTC: they can be recorded on Tuesday
    # morning's roster (an intake at that session), not on Monday's.
    added = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    assert enrolled_by(occ(1, hour=9), added, NY)
    assert not enrolled_by(occ(0), added, NY)


def test_missed_sessions_before_they_were_added_are_not_unexcused() -> None:
    occs = [occ(0), occ(1), occ(2)]
    marks = {o.key: Status.MISSED for o in occs}
    now = MONDAY + timedelta(days=3)
    added = MONDAY + timedelta(days=2)
    policy = Policy(unexcused_limit=3)
    assert unexcused_absences(occs, marks, policy, now).count == 3
    assert unexcused_absences(counted_from(occs, added), marks, policy, now).count == 1


def test_one_advance_notice_does_not_make_a_client_at_risk() -> None:
    week = [occ(0), occ(2), occ(4)]  # three sessions: 80% needs all three
    marks = {week[0].key: Status.ATTENDED, week[1].key: Status.EXCUSED}
    now = MONDAY + timedelta(days=3)
    summary = week_summary(week, marks, Policy(threshold=0.8), now, MONDAY)
    assert not summary.reachable  # the client's forecast still says 80% is out of reach...
    assert summary.recoverable  # ...but a make-up of the excused one would meet it
    assert not at_risk(summary, UnexcusedCount(0, 3, 30))


def test_an_absence_without_notice_does_make_them_at_risk() -> None:
    week = [occ(0), occ(2), occ(4)]
    marks = {week[0].key: Status.ATTENDED, week[1].key: Status.MISSED}
    now = MONDAY + timedelta(days=3)
    summary = week_summary(week, marks, Policy(threshold=0.8), now, MONDAY)
    assert not summary.recoverable
    assert at_risk(summary, UnexcusedCount(1, 3, 30))


def test_a_made_up_absence_counts_as_attended() -> None:
    week = [occ(0), occ(2), occ(4)]
    marks = {week[0].key: Status.ATTENDED, week[1].key: Status.MADE_UP}
    summary = week_summary(week, marks, Policy(), MONDAY + timedelta(days=3), MONDAY)
    assert summary.reachable and summary.needed_to_stay_above == 1
    assert not at_risk(summary, UnexcusedCount(0, 3, 30))


def test_unexcused_absences_at_the_limit_are_at_risk_even_in_a_good_week() -> None:
    week = [occ(0)]
    marks = {week[0].key: Status.ATTENDED}
    summary = week_summary(week, marks, Policy(), MONDAY + timedelta(days=1), MONDAY)
    assert summary.recoverable
    assert at_risk(summary, UnexcusedCount(3, 3, 30))


def test_the_coordinators_words_are_about_the_client_not_to_them() -> None:
    week = [occ(0), occ(2), occ(4)]
    now = MONDAY + timedelta(days=1)  # Tuesday: Monday is over, two sessions to come
    missed = week_summary(week, {week[0].key: Status.MISSED}, Policy(), now, MONDAY)
    assert missed.forecast() == "80% is out of reach this week; talk to your coordinator"
    assert missed.coordinator_forecast() == (
        "80% is out of reach this week: check in with them about their plan"
    )
    excused = week_summary(week, {week[0].key: Status.EXCUSED}, Policy(), now, MONDAY)
    assert excused.coordinator_forecast() == (
        "80% needs make-ups of the excused absences: offer a make-up"
    )
    going = week_summary(week, {week[0].key: Status.ATTENDED}, Policy(), now, MONDAY)
    assert going.coordinator_forecast() == "needs 2 of the remaining 2 to stay at 80%"
    unmarked = week_summary(week, {}, Policy(), now, MONDAY)
    assert unmarked.coordinator_forecast() == (
        "1 past session(s) not recorded yet: record the roster"
    )
    for w in (missed, excused, going, unmarked):
        assert "your" not in w.coordinator_forecast()


def test_a_makeup_stands_in_for_its_session_and_is_not_counted_twice() -> None:
    monday = occ(0)  # missed, then made up at Tuesday's make-up
    start = MONDAY + timedelta(days=1, hours=17)
    makeup = Occurrence(makeup_uid(7), start, start, start + timedelta(hours=1), "Make-up",
                        Kind.GROUP, "UTC")  # fmt: skip
    marks = {monday.key: Status.MADE_UP, makeup.key: Status.ATTENDED}
    now = MONDAY + timedelta(days=6)
    week = week_summary([monday, makeup], marks, Policy(), now, MONDAY)
    assert (week.counted, week.attended, week.made_up) == (1, 1, 1)
    # Not yet marked, the make-up does not make the week "not marked" either.
    week = week_summary([monday, makeup], {monday.key: Status.MISSED}, Policy(), now, MONDAY)
    assert (week.counted, week.missed, week.unrecorded) == (1, 1, 0)
    missed = {monday.key: Status.MISSED, makeup.key: Status.MISSED}
    assert unexcused_absences([monday, makeup], missed, Policy(), now).count == 1
