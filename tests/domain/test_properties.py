"""Property tests: expansion never shifts local time, the forecast is exactly the minimum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from companion.domain.attendance import needed_to_reach
from companion.domain.schedule import WEEKDAYS, Kind, ScheduleError, Series, expand

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


@settings(max_examples=300, deadline=None)
@given(
    tzid=st.sampled_from(ZONES),
    day=st.dates(min_value=datetime(2012, 1, 1).date(), max_value=datetime(2027, 1, 1).date()),
    hour=st.integers(min_value=0, max_value=23),
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(min_value=1, max_value=9),
    days=st.sets(st.sampled_from(WEEKDAYS), max_size=4),
    wkst=st.sampled_from(["", "SU", "MO", "TH"]),
    until_days=st.one_of(st.none(), st.integers(min_value=1, max_value=6000)),
    later=st.integers(min_value=-30, max_value=6000),
    span=st.integers(min_value=1, max_value=120),
)
def test_expanding_late_in_a_long_rule_finds_what_walking_from_its_start_finds(
    tzid, day, hour, freq, interval, days, wkst, until_days, later, span
) -> None:
    """Expansion starts a plain daily or weekly rule near the window (whole weeks before
    it) rather than walking from the series' start: the sessions must be the same."""
    from itertools import takewhile

    from companion.domain.schedule import _rule, original_starts

    tz = ZoneInfo(tzid)
    start = datetime(day.year, day.month, day.day, hour, 30, tzinfo=tz)
    parts = [f"FREQ={freq}", f"INTERVAL={interval}"]
    if days:
        parts.append("BYDAY=" + ",".join(sorted(days, key=WEEKDAYS.index)))
    if wkst:
        parts.append(f"WKST={wkst}")
    if until_days is not None:
        until = (start + timedelta(days=until_days)).astimezone(UTC)
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%SZ}")
    try:
        series = Series("p", "S", Kind.GROUP, start, timedelta(hours=2), tzid, ";".join(parts))
    except ScheduleError:  # a rule that never gives a session (DAILY;INTERVAL=7 off BYDAY)
        assume(False)
    lo_utc = start.astimezone(UTC) + timedelta(days=later)
    hi_utc = lo_utc + timedelta(days=span)
    lo = (lo_utc - series.duration).astimezone(tz).replace(tzinfo=None)
    hi = hi_utc.astimezone(tz).replace(tzinfo=None)
    walked = takewhile(lambda n: n <= hi, _rule(series).xafter(lo, inc=True))
    expected = [n.replace(tzinfo=tz).astimezone(UTC) for n in walked if n < hi]
    assert original_starts(series, lo_utc, hi_utc) == expected
