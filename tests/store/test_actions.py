"""User actions on a real store: marking, checklists ticking themselves, series, journal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from companion.actions import catchup, journal, schedule
from companion.actions.profile import Profile, UserError
from companion.actions.today import load_today
from companion.domain.attendance import Status
from companion.domain.catchup import REFLECT
from companion.domain.schedule import occurrence_id


def test_marking_missed_creates_the_kind_template(demo_profile: Profile, now: datetime) -> None:
    views = schedule.occurrences(demo_profile, now - timedelta(days=3), now)
    target = next(
        v.occurrence
        for v in views
        if v.status is Status.ATTENDED and v.occurrence.kind.value == "group"
    )
    schedule.mark(demo_profile, target.id, Status.MISSED)
    found = {c.original_start: c for c in catchup.checklists(demo_profile)}
    checklist = found[target.original_start]
    assert [i.text for i in checklist.items][:2] == [
        "tell the coordinator",
        "read the session notes",
    ]
    assert checklist.done_count == 0
    schedule.mark(demo_profile, target.id, Status.ATTENDED)  # untouched checklist goes again
    assert target.original_start not in {c.original_start for c in catchup.checklists(demo_profile)}


def test_reflection_ticks_reflect_item(demo_profile: Profile, now: datetime) -> None:
    views = schedule.occurrences(demo_profile, now - timedelta(days=6), now)
    target = next(v.occurrence for v in views if v.status is Status.ATTENDED)
    schedule.mark(demo_profile, target.id, Status.MISSED)
    journal.add_reflection(
        demo_profile, barriers=["work"], what_happened="shift ran late", occurrence_id=target.id
    )
    checklist = next(
        c for c in catchup.checklists(demo_profile) if c.original_start == target.original_start
    )
    assert next(i for i in checklist.items if i.key == REFLECT).done


def test_reflection_written_before_the_miss_is_counted(
    demo_profile: Profile, now: datetime
) -> None:
    views = schedule.occurrences(demo_profile, now - timedelta(days=6), now)
    target = next(v.occurrence for v in views if v.status is Status.ATTENDED)
    journal.add_reflection(demo_profile, barriers=["health"], occurrence_id=target.id)
    schedule.mark(demo_profile, target.id, Status.MISSED)
    checklist = next(
        c for c in catchup.checklists(demo_profile) if c.original_start == target.original_start
    )
    assert next(i for i in checklist.items if i.key == REFLECT).done


def test_tick_untick_and_add_items(demo_profile: Profile) -> None:
    c = catchup.checklists(demo_profile, open_only=True)[0]
    occ_id = occurrence_id(c.series_uid, c.original_start)
    ticked = catchup.set_item(demo_profile, occ_id, len(c.items))
    assert ticked.items[-1].done
    assert not catchup.set_item(demo_profile, occ_id, len(c.items), done=False).items[-1].done
    added = catchup.add_item(demo_profile, occ_id, "email the group facilitator")
    assert (
        added.items[-1].text == "email the group facilitator"
        and len(added.items) == len(c.items) + 1
    )
    with pytest.raises(UserError, match="item 99 does not exist"):
        catchup.set_item(demo_profile, occ_id, 99)


def test_cannot_mark_future_or_unknown_sessions(demo_profile: Profile, now: datetime) -> None:
    future = schedule.occurrences(demo_profile, now + timedelta(days=1), now + timedelta(days=8))[0]
    with pytest.raises(UserError, match="has not started yet"):
        schedule.mark(demo_profile, future.occurrence.id, Status.ATTENDED)
    with pytest.raises(UserError, match="no session with id"):
        schedule.mark(demo_profile, "deadbeef", Status.MISSED)


def test_program_marks_are_authoritative(demo_profile: Profile, now: datetime) -> None:
    occ = next(
        v.occurrence
        for v in schedule.occurrences(demo_profile, now - timedelta(days=3), now)
        if v.status is Status.ATTENDED
    )
    with demo_profile.store.transaction():
        schedule.apply_status(demo_profile, occ, Status.MISSED, now, source="program")
    with pytest.raises(UserError, match="the program has recorded"):
        schedule.mark(demo_profile, occ.id, Status.ATTENDED)


def test_series_added_in_words_shows_up_in_sessions(profile: Profile, now: datetime) -> None:
    s = schedule.add_series(
        profile,
        title="Evening group",
        kind="group",
        start=datetime(2026, 11, 30, 18),
        duration=timedelta(hours=3),
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        tzid="America/New_York",
    )
    found = schedule.occurrences(profile, now, now + timedelta(days=7))
    assert [v.occurrence.local_start().strftime("%a %H:%M") for v in found] == [
        "Mon 18:00",
        "Wed 18:00",
    ]
    updated = schedule.update_series(profile, s.uid, title="Evening process group")
    assert updated.sequence == s.sequence + 1
    schedule.remove_series(profile, "Evening process group")
    assert schedule.occurrences(profile, now, now + timedelta(days=7)) == []


def test_today_view_of_the_demo(demo_profile: Profile) -> None:
    view = load_today(demo_profile)
    assert view.program.name == "Evening IOP"
    assert view.next_occurrence is not None and view.next_occurrence.start > view.now - timedelta(
        hours=3
    )
    assert view.week.counted >= 4 and view.week.threshold == 0.8
    assert 0 < view.unexcused.count <= view.unexcused.limit
    assert view.open_checklists and all(not c.complete for c in view.open_checklists)
