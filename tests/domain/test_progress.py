"""Twelve weeks of attendance against the policy, and barriers week by week.

The clock is Thu 26 Nov 2026 17:12 in New York; the twelve weeks are the Mondays from
7 Sep to 23 Nov 2026, the last one partial. US daylight saving time ended on Sun 1 Nov
2026, inside the week of Mon 26 Oct.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from companion.domain.attendance import Policy, Status, last_weeks
from companion.domain.journal import Barrier, Reflection, barriers_by_week
from companion.domain.progress import WeekState, attendance_progress, window
from companion.domain.schedule import Kind, Occurrence, Override, Series, expand_all

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 26, 17, 12, tzinfo=NY)
MONDAYS = [datetime(2026, 9, 7, tzinfo=NY) + timedelta(weeks=n) for n in range(12)]


def local(month: int, day: int, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


def group(since: datetime | None = None, overrides: dict | None = None) -> Series:
    """Process Group, Mon/Wed/Fri 18:00-21:00 in New York, since 3 Aug 2026."""
    return Series(
        uid="group",
        title="Process Group",
        kind=Kind.GROUP,
        start=since or local(8, 3),
        duration=timedelta(hours=3),
        tzid="America/New_York",
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        overrides=overrides or {},
    )


def sessions(*series: Series) -> list[Occurrence]:
    return expand_all(series, MONDAYS[0] - timedelta(weeks=5), MONDAYS[-1] + timedelta(days=7))


def attended_all_but(occs: list[Occurrence], **by_day: Status) -> dict:
    """Every session over by NOW attended, except those named by local date ("d1105")."""
    marks = {}
    for o in occs:
        if o.end > NOW:
            continue
        marks[o.key] = by_day.get(f"d{o.local_start(NY):%m%d}", Status.ATTENDED)
    return marks


def test_the_twelve_weeks_are_the_policy_weeks_ending_with_this_one() -> None:
    mondays, end = window(NOW, NY)
    assert mondays == MONDAYS == last_weeks(NOW, NY, 12)
    assert end == datetime(2026, 11, 30, tzinfo=NY)
    # The week of 26 Oct is 169 hours long; its Monday and the next are local midnights.
    assert mondays[7] == local(10, 26, 0) and mondays[8] == local(11, 2, 0)
    assert mondays[8].astimezone(UTC) - mondays[7].astimezone(UTC) == timedelta(hours=169)


def test_each_week_counts_its_sessions_and_says_whether_it_met_the_policy() -> None:
    cancelled_week = [local(10, d) for d in (19, 21, 23)]  # the program's week off
    occs = sessions(
        group(overrides={c: Override(c, cancelled=True) for c in cancelled_week}),
    )
    marks = attended_all_but(
        occs,
        d0914=Status.MISSED,
        d0916=Status.MISSED,  # 1 of 3: not met
        d1007=Status.MADE_UP,  # made up counts as attended: met
        d1014=Status.EXCUSED,  # 2 of 3 with notice: still not met at 80%
        d1125=Status.MISSED,
    )
    progress = attendance_progress(occs, marks, Policy(0.8), NOW, NY)

    weeks = {f"{w.start:%m%d}": w for w in progress.weeks}
    assert [w.start for w in progress.weeks] == MONDAYS
    assert (weeks["0914"].state, weeks["0914"].unexcused, weeks["0914"].attended) == (
        WeekState.NOT_MET,
        2,
        1,
    )
    made_up = weeks["1005"]
    assert (made_up.state, made_up.attended, made_up.made_up, made_up.present) == (
        WeekState.MET,
        2,
        1,
        3,
    )
    excused = weeks["1012"]
    assert (excused.state, excused.excused, excused.unexcused) == (WeekState.NOT_MET, 1, 0)
    off = weeks["1019"]
    assert (off.state, off.scheduled, off.cancelled) == (WeekState.NO_SESSIONS, 0, 3)
    # This week: Mon attended, Wed missed, Fri to come: 3 of 3 needed, out of reach.
    this = weeks["1123"]
    assert this.partial and not any(w.partial for w in progress.weeks[:-1])
    assert (this.scheduled, this.present, this.unexcused, this.to_come) == (3, 1, 1, 1)
    assert this.state is WeekState.NOT_MET
    # Eleven finished weeks, one without sessions: 8 of 10 met, the last 4 in a row (the
    # week off between 12 Oct and 26 Oct neither breaks nor lengthens it).
    assert (progress.met, len(progress.decided), progress.streak) == (8, 10, 4)
    assert progress.reading() == "8 of 10 weeks met the policy; last 4 in a row"
    assert progress.short_reading() == "12 weeks: 8 of 10 met"


def test_the_current_week_is_open_while_the_policy_is_within_reach() -> None:
    occs = sessions(group())
    marks = attended_all_but(occs)
    this = attendance_progress(occs, marks, Policy(0.8), NOW, NY).weeks[-1]
    assert (this.partial, this.state, this.present, this.to_come) == (True, WeekState.OPEN, 2, 1)
    assert (this.share, this.possible) == (2 / 3, 1.0)
    met = attendance_progress(occs, marks, Policy(0.6), NOW, NY).weeks[-1]
    assert met.state is WeekState.MET  # 2 of 3 is already 60%, whatever Friday brings


def test_a_dst_week_holds_its_sunday_night_and_not_the_next_monday() -> None:
    """Sun 1 Nov 23:30 EST is 04:30 UTC on 2 Nov; a week of 7 x 24 h from Mon 26 Oct
    00:00 EDT would end at 04:00 UTC and put that session in the wrong week."""

    def one_off(uid: str, start: datetime) -> Series:
        return Series(uid, uid, Kind.INDIVIDUAL, start, timedelta(minutes=50), "America/New_York")

    late, early = one_off("late", local(11, 1, 23, 30)), one_off("early", local(11, 2, 0, 30))
    occs = sessions(late, early)
    marks = {occs[0].key: Status.ATTENDED, occs[1].key: Status.MISSED}
    weeks = attendance_progress(occs, marks, Policy(), NOW, NY).weeks
    assert (weeks[7].start, weeks[7].attended, weeks[7].state) == (
        local(10, 26, 0),
        1,
        WeekState.MET,
    )
    assert (weeks[8].start, weeks[8].unexcused, weeks[8].state) == (
        local(11, 2, 0),
        1,
        WeekState.NOT_MET,
    )


def test_a_week_with_no_sessions_neither_counts_nor_breaks_the_streak() -> None:
    occs = [o for o in sessions(group()) if not local(11, 9, 0) <= o.start < local(11, 16, 0)]
    progress = attendance_progress(occs, attended_all_but(occs), Policy(), NOW, NY)
    assert progress.weeks[9].state is WeekState.NO_SESSIONS  # the week of 9 Nov
    assert (progress.met, len(progress.decided), progress.streak) == (10, 10, 10)


def test_weeks_before_enrolment_are_not_misses() -> None:
    """Enrolled Thu 5 Nov 2026, three weeks before the clock; the program's group has run
    since August and nobody marked its sessions before then."""
    enrolled = local(11, 5, 12)
    occs = sessions(group())
    marks = {k: s for k, s in attended_all_but(occs).items() if k[1] >= enrolled}
    progress = attendance_progress(occs, marks, Policy(), NOW, NY, started=enrolled)
    states = [w.state for w in progress.weeks]
    assert states[:8] == [WeekState.BEFORE_START] * 8  # 7 Sep to 26 Oct
    first = progress.weeks[8]  # week of 2 Nov: only Fri 6 Nov is after enrolment
    assert (first.scheduled, first.attended, first.state) == (1, 1, WeekState.MET)
    assert states[9:] == [WeekState.MET, WeekState.MET, WeekState.OPEN]
    assert progress.reading() == "3 of 3 weeks met the policy; last 3 in a row"


def test_unmarked_sessions_make_a_week_not_marked_rather_than_missed() -> None:
    occs = sessions(group())
    marks = attended_all_but(occs, d1116=Status.UPCOMING)  # Mon 16 Nov: nobody marked it
    marks = {k: s for k, s in marks.items() if s is not Status.UPCOMING}
    progress = attendance_progress(occs, marks, Policy(), NOW, NY)
    week = progress.weeks[10]
    assert (week.state, week.not_marked, week.present) == (WeekState.NOT_MARKED, 1, 2)
    assert progress.streak == 0 and progress.met == 10
    assert progress.reading() == "10 of 11 weeks met the policy; 1 with sessions not marked"


def test_readings_with_no_finished_week_and_with_a_single_one() -> None:
    fresh = sessions(group(since=local(11, 23)))
    progress = attendance_progress(fresh, {}, Policy(), NOW, NY, started=local(11, 23, 12))
    assert progress.reading() == "No finished week with sessions yet."
    assert progress.short_reading() == "12 weeks: no full week yet"
    one = sessions(group(since=local(11, 16)))
    marks = attended_all_but(one, d1118=Status.MISSED, d1120=Status.MISSED)
    assert attendance_progress(one, marks, Policy(), NOW, NY).reading() == (
        "0 of 1 week met the policy"
    )


def test_barriers_are_counted_week_by_week_with_a_trend() -> None:
    def r(when: datetime, *barriers: Barrier) -> Reflection:
        return Reflection(when=when, barriers=barriers)

    reflections = [
        r(local(9, 8, 21), Barrier.WORK_SCHOOL),
        r(local(9, 9, 21), Barrier.WORK_SCHOOL, Barrier.WORK_SCHOOL),  # once per reflection
        r(local(9, 30, 21), Barrier.WORK_SCHOOL, Barrier.TECHNICAL),
        r(local(11, 1, 23, 30), Barrier.TECHNICAL),  # DST Sunday night: week of 26 Oct
        r(local(11, 18, 21), Barrier.TECHNICAL),
        r(local(11, 25, 21), Barrier.TECHNICAL),
        r(local(8, 30, 21), Barrier.HEALTH),  # before the twelve weeks
        r(local(11, 30, 0, 1), Barrier.HEALTH),  # after this week
    ]
    mondays, end = window(NOW, NY)
    rows = barriers_by_week(reflections, mondays, end)
    assert [t.barrier for t in rows] == [Barrier.TECHNICAL, Barrier.WORK_SCHOOL]
    technical, work = rows
    assert technical.per_week == (0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1)
    assert work.per_week == (2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    assert (technical.total, technical.weeks_seen, work.weeks_seen) == (4, 4, 2)
    assert technical.trend() == "more lately" and work.trend() == "less lately"
    assert barriers_by_week([], mondays, end) == []


def test_the_picture_counts_as_the_program_does_from_the_day_they_were_added() -> None:
    """Added Mon 23 Nov at 19:00, an hour into that day's 18:00-21:00 group (theirs, as on
    the server); Fri 20 Nov, over before they were added, is left out even when marked."""
    occs = sessions(group())
    added = local(11, 23, 19)
    marks = {o.key: Status.ATTENDED for o in occs if local(11, 23, 18) <= o.start and o.end <= NOW}
    unmarked = attendance_progress(occs, marks, Policy(), NOW, NY, started=added)
    week = unmarked.weeks[11]  # 23 Nov: Mon (in progress when added), Wed, Fri (to come)
    assert (week.scheduled, week.attended) == (3, 2)
    assert unmarked.weeks[10].state is WeekState.BEFORE_START
    friday = next(o for o in occs if o.start == local(11, 20))
    marked = attendance_progress(occs, {**marks, friday.key: Status.MISSED}, Policy(), NOW, NY,
                                 started=added)  # fmt: skip
    assert marked.weeks[10].scheduled == 0 and marked.weeks[10].state is WeekState.BEFORE_START
