"""Property tests: expansion never shifts local time, the forecast is exactly the minimum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from companion.domain.attendance import needed_to_reach
from companion.domain.schedule import WEEKDAYS, Kind, Series, expand

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Sao_Paulo", "UTC"]


@settings(max_examples=150, deadline=None)
@given(
    tzid=st.sampled_from(ZONES),
    day=st.dates(min_value=datetime(2024, 1, 1).date(), max_value=datetime(2030, 1, 1).date()),
    hour=st.integers(min_value=6, max_value=22),
    minute=st.sampled_from([0, 15, 30, 45]),
    days=st.sets(st.sampled_from(WEEKDAYS), min_size=1, max_size=5),
    interval=st.integers(min_value=1, max_value=3),
)
def test_expansion_keeps_local_wall_clock(tzid, day, hour, minute, days, interval) -> None:
    tz = ZoneInfo(tzid)
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    ordered = sorted(days, key=WEEKDAYS.index)
    series = Series(
        uid="p",
        title="S",
        kind=Kind.GROUP,
        start=start,
        duration=timedelta(hours=2),
        tzid=tzid,
        rrule=f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(ordered)}",
    )
    found = expand(series, start.astimezone(UTC), start.astimezone(UTC) + timedelta(days=400))
    assert found
    for occ in found:
        local = occ.local_start()
        assert (local.hour, local.minute) == (hour, minute)
        assert WEEKDAYS[local.weekday()] in days
        assert occ.end - occ.start == timedelta(hours=2)
    assert [o.start for o in found] == sorted({o.start for o in found})


@given(
    threshold=st.sampled_from([0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0]),
    counted=st.integers(min_value=0, max_value=12),
    data=st.data(),
)
def test_needed_is_the_smallest_count_that_meets_the_threshold(threshold, counted, data) -> None:
    attended = data.draw(st.integers(min_value=0, max_value=counted))
    need = needed_to_reach(threshold, attended, counted)
    if counted:
        assert (attended + need) * 100 >= round(threshold * 100) * counted
        if need:
            assert (attended + need - 1) * 100 < round(threshold * 100) * counted
