"""The weekly policy, its forecast and the rolling unexcused-absence count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from companion.domain.attendance import (
    Policy,
    Status,
    at_risk,
    needed_to_reach,
    unexcused_absences,
    week_summary,
)
from companion.domain.schedule import Kind, Occurrence

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def occ(day: int, *, cancelled: bool = False) -> Occurrence:
    start = MONDAY + timedelta(days=day, hours=23)
    return Occurrence(
        "s",
        start,
        start,
        start + timedelta(hours=3),
        "Group",
        Kind.GROUP,
        "UTC",
        cancelled=cancelled,
    )


def summary(occs, statuses, now_day: float):
    marks = {o.key: s for o, s in zip(occs, statuses, strict=True) if s is not Status.UPCOMING}
    return week_summary(occs, marks, Policy(), MONDAY + timedelta(days=now_day), MONDAY)


def test_five_sessions_forecast_counts_what_is_left() -> None:
    occs = [occ(d) for d in range(5)]
    w = summary(occs, [Status.ATTENDED, Status.MISSED, Status.ATTENDED] + [Status.UPCOMING] * 2, 3)
    assert (w.attended, w.missed, w.remaining, w.counted) == (2, 1, 2, 5)
    assert w.needed_to_stay_above == 2  # 4 of 5 = 80%
    assert w.forecast() == "attend 2 of the remaining 2 to stay at 80%"
    assert w.rate == pytest.approx(2 / 3)


def test_unreachable_when_too_many_missed() -> None:
    occs = [occ(d) for d in range(5)]
    w = summary(occs, [Status.MISSED, Status.MISSED] + [Status.UPCOMING] * 3, 2)
    assert w.needed_to_stay_above is None and not w.reachable
    assert "out of reach" in w.forecast()


def test_cancelled_sessions_do_not_count_against_the_client() -> None:
    occs = [occ(0), occ(1, cancelled=True), occ(2, cancelled=True), occ(3), occ(4)]
    w = summary(
        occs,
        [Status.ATTENDED, Status.UPCOMING, Status.UPCOMING, Status.ATTENDED, Status.UPCOMING],
        3.5,
    )
    assert (w.cancelled, w.counted, w.remaining) == (2, 3, 1)
    assert w.needed_to_stay_above == 1  # 3 of 3: 80% of 3 is 2.4 -> 3


def test_made_up_counts_as_attended_and_excused_as_absent() -> None:
    occs = [occ(d) for d in range(4)]
    w = summary(occs, [Status.MADE_UP, Status.EXCUSED, Status.ATTENDED, Status.ATTENDED], 6)
    assert (w.attended, w.excused, w.remaining) == (3, 1, 0)
    assert w.needed_to_stay_above is None  # 3 of 4 = 75% < 80%, nothing left
    w2 = summary(occs, [Status.MADE_UP, Status.ATTENDED, Status.ATTENDED, Status.ATTENDED], 6)
    assert w2.on_track and w2.forecast() == "week met at 80% or above"


def test_week_with_a_single_session() -> None:
    one = [occ(2)]
    assert summary(one, [Status.UPCOMING], 0).needed_to_stay_above == 1
    assert summary(one, [Status.ATTENDED], 3).on_track
    assert not summary(one, [Status.MISSED], 3).reachable


def test_week_without_sessions() -> None:
    w = summary([], [], 3)
    assert w.counted == 0 and w.on_track and w.forecast() == "no sessions this week"


def test_past_unmarked_sessions_are_reported_not_assumed() -> None:
    occs = [occ(d) for d in range(3)]
    w = summary(occs, [Status.UPCOMING] * 3, 2.5)
    assert (w.unrecorded, w.remaining) == (2, 1)
    assert w.needed_to_stay_above is None  # conservative: unrecorded are not attended
    assert w.forecast() == "mark your 2 past session(s) to see where you stand"
    missed = summary(occs, [Status.MISSED, Status.UPCOMING, Status.UPCOMING], 2.5)
    assert missed.forecast().startswith("80% is out of reach")  # 2 of 3 at best


def test_a_session_in_progress_can_still_be_attended() -> None:
    occs = [occ(0), occ(1)]
    w = summary(occs, [Status.ATTENDED, Status.UPCOMING], 2 + 0.5 / 24)  # 90 min into it
    assert (w.remaining, w.unrecorded, w.needed_to_stay_above) == (1, 0, 1)


def test_threshold_arithmetic_is_exact() -> None:
    assert needed_to_reach(0.8, 0, 5) == 4
    assert needed_to_reach(0.9, 0, 10) == 9  # float 0.9*10 is 9.000000000000002
    assert needed_to_reach(0.7, 0, 10) == 7
    assert needed_to_reach(0.8, 5, 5) == 0


def test_unexcused_absences_roll_over_thirty_days() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    occs, marks = [], {}
    for days_ago, status in (
        (2, Status.MISSED),
        (10, Status.EXCUSED),
        (20, Status.MISSED),
        (29, Status.MISSED),
        (31, Status.MISSED),
    ):
        start = now - timedelta(days=days_ago)
        o = Occurrence("s", start, start, start + timedelta(hours=1), "G", Kind.GROUP, "UTC")
        occs.append(o)
        marks[o.key] = status
    u = unexcused_absences(occs, marks, Policy(unexcused_limit=3), now)
    assert (u.count, u.limit, u.at_limit) == (3, 3, True)
    w = week_summary([], {}, Policy(), now, now)
    assert at_risk(w, u)


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        Policy(threshold=1.5)
    with pytest.raises(ValueError):
        Policy(unexcused_limit=-1)


def test_a_past_session_nobody_marked_is_unrecorded_not_upcoming() -> None:
    """Issue 11: `sessions --from` a fortnight back called Mon 16 Nov "upcoming" on 1 Dec."""
    from companion.domain.attendance import status_of

    o = occ(0)  # Mon 23:00-02:00 UTC
    assert status_of(o, {}, o.start - timedelta(minutes=1)) is Status.UPCOMING
    assert status_of(o, {}, o.start) is Status.UNRECORDED  # started: it can be marked now
    assert status_of(o, {}, o.end + timedelta(days=8)) is Status.UNRECORDED
    assert Status.UNRECORDED.label == "not marked"
    # A mark or the program's cancellation still wins.
    assert status_of(o, {o.key: Status.ATTENDED}, o.end) is Status.ATTENDED
    assert status_of(occ(0, cancelled=True), {}, o.end) is Status.CANCELLED


def test_the_forecast_counts_a_session_in_progress_as_still_to_attend() -> None:
    occs = [occ(d) for d in range(3)]
    now = occs[1].start + timedelta(minutes=10)  # Tuesday's session has just begun
    w = week_summary(occs, {}, Policy(), now, MONDAY)
    assert (w.unrecorded, w.remaining, w.counted) == (1, 2, 3)
    assert w.forecast() == "mark your 1 past session(s) to see where you stand"
