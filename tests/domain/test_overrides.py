"""A change to one occurrence keeps every property it changes, also when the session keeps
its start: a new end, title, place, join link or description (issue 12); and a series the
program called off from a moment on is cancelled from there, its past as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.domain.schedule import Kind, Override, ScheduleError, Series, expand

NY = ZoneInfo("America/New_York")
MON = datetime(2026, 11, 2, 18, tzinfo=NY)
SLOT = MON.astimezone(UTC)


def group(**changes: object) -> Series:
    base = dict(uid="g", title="Process Group", kind=Kind.GROUP, start=MON,
                duration=timedelta(hours=3), tzid="America/New_York",
                rrule="FREQ=WEEKLY;BYDAY=MO", join_url="https://zoom.us/j/1",
                description="Passcode: 1", location="Zoom")  # fmt: skip
    return Series(**{**base, **changes})  # type: ignore[arg-type]


def test_an_override_that_keeps_its_start_changes_what_it_says() -> None:
    changed = Override(SLOT, end=SLOT + timedelta(hours=2), title="Process Group – guest",
                       location="Room 4", join_url="https://zoom.us/j/2",
                       description="Passcode: 2")  # fmt: skip
    first, second = expand(group(overrides={SLOT: changed}), SLOT, SLOT + timedelta(days=8))
    assert (first.start, first.end, first.moved) == (SLOT, SLOT + timedelta(hours=2), False)
    assert (first.title, first.location, first.join_url, first.description) == (
        "Process Group – guest", "Room 4", "https://zoom.us/j/2", "Passcode: 2")  # fmt: skip
    assert (second.title, second.location, second.join_url, second.description) == (
        "Process Group", "Zoom", "https://zoom.us/j/1", "Passcode: 1")  # fmt: skip
    assert second.end - second.start == timedelta(hours=3)


def test_a_longer_session_shows_in_a_window_its_original_slot_misses() -> None:
    longer = Override(SLOT, end=SLOT + timedelta(hours=5))
    late = SLOT + timedelta(hours=4)
    (occ,) = expand(group(overrides={SLOT: longer}), late, late + timedelta(minutes=30))
    assert occ.end == SLOT + timedelta(hours=5)


def test_called_off_from_a_moment_on() -> None:
    cut = SLOT + timedelta(days=10)
    series = group(cancelled_from=cut)
    found = expand(series, SLOT, SLOT + timedelta(days=21))
    week = timedelta(days=7)
    assert [(o.start, o.cancelled) for o in found] == [
        (SLOT, False), (SLOT + week, False), (SLOT + 2 * week, True)]  # fmt: skip
    assert series.with_changes(cancelled_from=None).sequence == series.sequence + 1


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (Override(SLOT, end=SLOT), "a changed session must end after it starts"),
        (Override(SLOT, title="  "), "a changed session needs a title of 1 to 200 characters"),
        (Override(SLOT, description="x" * 20_001), "at most 20,000 characters"),
        (Override(SLOT, location="x" * 1_001), "a location can be at most 1,000 characters"),
    ],
)
def test_override_bounds(override: Override, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        group(overrides={SLOT: override})
