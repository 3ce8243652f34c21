"""Every series can be expanded cheaply, however its rule is written (issues 10 and 11):
nothing finer than daily, no rule that never yields, no unbounded COUNT or window."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.domain.schedule import (
    MAX_OCCURRENCES,
    Kind,
    ScheduleError,
    Series,
    expand,
    original_starts,
)

NY = ZoneInfo("America/New_York")
START = datetime(2026, 3, 2, 18, 0, tzinfo=NY)


def series(rule: str | None, start: datetime = START, **kw: object) -> Series:
    fields: dict[str, object] = {"duration": timedelta(hours=3), **kw}
    return Series(uid="s@test", title="Process Group", kind=Kind.GROUP, start=start,
                  tzid="America/New_York", rrule=rule, **fields)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=HOURLY",
        "RRULE:FREQ=secondly",
        "FREQ=DAILY;BYHOUR=9,18",
        "FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30",
        "FREQ=DAILY;BYSECOND=1,2,3",
    ],
)
def test_repeats_finer_than_daily_are_refused_with_the_reason(rule: str) -> None:
    with pytest.raises(ScheduleError, match="more often than daily"):
        series(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # February never has a 30th
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU",  # every 7 days from a Monday: never a Tuesday
        "FREQ=MONTHLY;INTERVAL=12;BYMONTH=2",  # every March, filtered to February
        "FREQ=DAILY;INTERVAL=20;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYYEARDAY=367",
    ],
)
def test_a_rule_that_never_yields_is_refused_quickly(rule: str) -> None:
    began = time.perf_counter()
    with pytest.raises(ScheduleError):
        series(rule)
    # dateutil alone walks such a rule to year 9999: seconds. Generous for a shared machine.
    assert time.perf_counter() - began < 1.0


def test_rare_but_real_rules_are_kept() -> None:
    leap = series("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start=datetime(2028, 2, 29, 18, tzinfo=NY))
    starts = original_starts(leap, datetime(2028, 1, 1, tzinfo=NY), datetime(2037, 1, 1, tzinfo=NY))
    assert [s.astimezone(NY).year for s in starts] == [2028, 2032, 2036]
    second_tuesday = series("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2")
    jan = expand(second_tuesday, datetime(2027, 1, 1, tzinfo=NY), datetime(2027, 2, 1, tzinfo=NY))
    assert [o.local_start().day for o in jan] == [12]


def test_a_rare_rule_expands_a_window_without_walking_to_year_9999() -> None:
    # Feb 29 on a Monday: 2044 is the next one after 2026.
    rare = series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")
    began = time.perf_counter()
    assert expand(rare, datetime(2026, 1, 1, tzinfo=NY), datetime(2027, 1, 1, tzinfo=NY)) == []
    assert time.perf_counter() - began < 1.0


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;COUNT=1000000", "COUNT must be between 1 and 5000"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be between 1 and 5000"),
        ("FREQ=WEEKLY;INTERVAL=100000", "INTERVAL must be between 1 and 1000"),
    ],
)
def test_huge_counts_and_intervals_are_refused(rule: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        series(rule)


@pytest.mark.parametrize("year", [1, 1899, 2201, 9999])
def test_a_series_starts_in_a_sane_window_of_years(year: int) -> None:
    with pytest.raises(ScheduleError, match="between 1900 and 2200"):
        series(None, start=datetime(year, 1, 5, 18, tzinfo=NY))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reminders": (timedelta(days=15),)}, "at most 14 days"),
        ({"reminders": (timedelta(minutes=-5),)}, "must not be negative"),
        ({"duration": timedelta(hours=25)}, "longer than 24 hours"),
    ],
)
def test_reminders_and_durations_are_bounded(changes: dict, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        series("FREQ=WEEKLY;BYDAY=MO", **changes)


def test_one_expansion_returns_a_bounded_number_of_starts() -> None:
    daily = series("FREQ=DAILY", start=datetime(1900, 1, 1, 18, tzinfo=NY))
    lo, hi = datetime(1900, 1, 1, tzinfo=NY), datetime(2200, 1, 1, tzinfo=NY)
    starts = original_starts(daily, lo, hi)
    assert len(starts) == MAX_OCCURRENCES
