"""Series expansion: DST-stable local times, overrides, rules in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.domain.schedule import (
    Kind,
    Override,
    ScheduleError,
    Series,
    expand,
    next_occurrence,
    occurrence_id,
    rule_from_words,
    rule_in_words,
    rule_until_utc,
)

NY = ZoneInfo("America/New_York")


def group(start: datetime, rule: str | None = "FREQ=WEEKLY;BYDAY=MO,WE,FR", **kw) -> Series:
    return Series(
        uid="grp@test",
        title="Process Group",
        kind=Kind.GROUP,
        start=start,
        duration=timedelta(hours=3),
        tzid="America/New_York",
        rrule=rule,
        **kw,
    )


@pytest.mark.parametrize(
    ("first", "window"),
    [
        (
            datetime(2026, 3, 2, 18, tzinfo=NY),
            (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 21, tzinfo=UTC)),
        ),
        (
            datetime(2026, 10, 19, 18, tzinfo=NY),
            (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC)),
        ),
    ],
    ids=["march-spring-forward", "november-fall-back"],
)
def test_session_stays_at_18_local_across_dst(
    first: datetime, window: tuple[datetime, datetime]
) -> None:
    found = expand(group(first), *window)
    assert len(found) >= 9
    assert {o.local_start().strftime("%H:%M") for o in found} == {"18:00"}
    offsets = {o.start.hour for o in found}  # 23:00 UTC in winter, 22:00 UTC in summer
    assert offsets == {22, 23}
    assert all(o.end - o.start == timedelta(hours=3) for o in found)


def test_fall_back_week_keeps_utc_instants_right() -> None:
    found = expand(
        group(datetime(2026, 10, 26, 18, tzinfo=NY)),
        datetime(2026, 10, 26, tzinfo=UTC),
        datetime(2026, 11, 7, tzinfo=UTC),
    )
    by_day = {o.local_start().date().isoformat(): o.start.strftime("%H:%M") for o in found}
    assert by_day["2026-10-30"] == "22:00"  # EDT, UTC-4
    assert by_day["2026-11-02"] == "23:00"  # EST, UTC-5 (DST ended 1 Nov)


def test_until_in_utc_includes_last_session() -> None:
    s = group(datetime(2026, 11, 2, 18, tzinfo=NY), "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261116T230000Z")
    found = expand(s, datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert [o.local_start().day for o in found] == [2, 9, 16]
    assert rule_until_utc(s) == datetime(2026, 11, 16, 23, tzinfo=UTC)


def test_cancelled_and_moved_occurrences() -> None:
    s = group(datetime(2026, 11, 2, 18, tzinfo=NY), "FREQ=WEEKLY;BYDAY=MO")
    cancelled = datetime(2026, 11, 9, 23, tzinfo=UTC)
    moved = datetime(2026, 11, 16, 23, tzinfo=UTC)
    s = s.with_changes(
        overrides={
            cancelled: Override(cancelled, cancelled=True),
            moved: Override(
                moved,
                start=datetime(2026, 11, 17, 23, tzinfo=UTC),
                end=datetime(2026, 11, 18, 1, tzinfo=UTC),
            ),
        }
    )
    found = expand(s, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
    assert [(o.local_start().day, o.cancelled, o.moved) for o in found] == [
        (2, False, False),
        (9, True, False),
        (17, False, True),
    ]
    assert found[2].original_start == moved and found[2].end - found[2].start == timedelta(hours=2)
    assert found[2].id == occurrence_id(s.uid, moved)
    assert s.sequence == 1


def test_a_move_into_the_window_from_outside_it_is_found() -> None:
    s = group(datetime(2026, 11, 2, 18, tzinfo=NY), "FREQ=WEEKLY;BYDAY=MO")
    original = datetime(2026, 11, 30, 23, tzinfo=UTC)
    s = s.with_changes(
        overrides={original: Override(original, start=datetime(2026, 11, 12, 23, tzinfo=UTC))}
    )
    found = expand(s, datetime(2026, 11, 11, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC))
    assert [o.original_start for o in found] == [original]


def test_next_occurrence_skips_cancelled() -> None:
    s = group(datetime(2026, 11, 2, 18, tzinfo=NY), "FREQ=WEEKLY;BYDAY=MO")
    c = datetime(2026, 11, 9, 23, tzinfo=UTC)
    s = s.with_changes(overrides={c: Override(c, cancelled=True)})
    nxt = next_occurrence([s], datetime(2026, 11, 5, tzinfo=UTC))
    assert nxt is not None and nxt.local_start().day == 16


def test_one_off_series() -> None:
    s = group(datetime(2026, 12, 1, 10, tzinfo=NY), None)
    assert len(expand(s, datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))) == 1
    assert expand(s, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rrule": "FREQ=SOMETIMES"}, "bad repeat rule"),
        ({"tzid": "Mars/Olympus"}, "unknown timezone"),
        ({"duration": timedelta(0)}, "longer than zero"),
        ({"title": "  "}, "needs a title"),
    ],
)
def test_invalid_series_are_refused(kwargs: dict, message: str) -> None:
    base = dict(
        uid="x",
        title="T",
        kind=Kind.OTHER,
        start=datetime(2026, 1, 1, 9, tzinfo=NY),
        duration=timedelta(hours=1),
        tzid="America/New_York",
    )
    with pytest.raises(ScheduleError, match=message):
        Series(**(base | kwargs))


@pytest.mark.parametrize(
    ("words", "rule"),
    [
        ("Mon, Wed, Fri", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("fri wed mon", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("weekly", "FREQ=WEEKLY"),
        ("fortnightly on Thu", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("daily", "FREQ=DAILY"),
        ("once", None),
        ("RRULE:FREQ=WEEKLY;COUNT=4", "FREQ=WEEKLY;COUNT=4"),
    ],
)
def test_rule_from_words(words: str, rule: str | None) -> None:
    assert rule_from_words(words) == rule


def test_rule_words_round_trip_and_errors() -> None:
    assert rule_in_words("FREQ=WEEKLY;BYDAY=MO,WE,FR") == "Mon, Wed, Fri"
    assert rule_in_words("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH") == "fortnightly on Thu"
    assert rule_in_words(None) == "once"
    with pytest.raises(ScheduleError, match="unknown word 'blursday'"):
        rule_from_words("Mon, Blursday")


def test_occurrence_ids_are_short_and_stable() -> None:
    a = occurrence_id("u", datetime(2026, 1, 1, 10, tzinfo=UTC))
    assert a == occurrence_id("u", datetime(2026, 1, 1, 5, tzinfo=NY))
    assert len(a) == 8 and a != occurrence_id("u", datetime(2026, 1, 8, 10, tzinfo=UTC))
