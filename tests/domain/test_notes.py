"""Day notes: on their days, repeating within the same bounds as sessions, never sessions."""

from __future__ import annotations

from datetime import date

import pytest

from companion.domain.notes import DayNote, note_days, notes_by_day
from companion.domain.schedule import ScheduleError


def test_one_day_several_days_and_a_yearly_note() -> None:
    closed = DayNote("closed", "No group – Thanksgiving", date(2026, 11, 26))
    winter = DayNote("winter", "Winter break", date(2026, 12, 24), days=4)
    new_year = DayNote("ny", "New Year", date(2027, 1, 1), rrule="FREQ=YEARLY",
                       exdates=(date(2028, 1, 1),))  # fmt: skip
    assert note_days(closed, date(2026, 11, 23), date(2026, 11, 30)) == [date(2026, 11, 26)]
    assert note_days(closed, date(2026, 11, 27), date(2026, 12, 30)) == []
    # a note that began before the window still covers its first days
    assert note_days(winter, date(2026, 12, 26), date(2027, 1, 1)) == [
        date(2026, 12, 26), date(2026, 12, 27)]  # fmt: skip
    assert note_days(new_year, date(2026, 1, 1), date(2030, 1, 2)) == [
        date(2027, 1, 1), date(2029, 1, 1), date(2030, 1, 1)]  # fmt: skip
    week = notes_by_day([winter, closed], date(2026, 12, 21), date(2026, 12, 28))
    assert {d: [n.uid for n in ns] for d, ns in week.items()} == {
        date(2026, 12, d): ["winter"] for d in (24, 25, 26, 27)}  # fmt: skip


def test_until_as_a_date_or_as_earlier_imports_kept_it() -> None:
    for until in ("20281231", "20281231T235959", "20281231T050000Z"):
        note = DayNote("x", "Closed", date(2026, 12, 25), rrule=f"FREQ=YEARLY;UNTIL={until}")
        assert note_days(note, date(2026, 1, 1), date(2031, 1, 1)) == [
            date(2026, 12, 25), date(2027, 12, 25), date(2028, 12, 25)]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "a day note needs a title"),
        ({"days": 0}, "a day note spans 1 to 366 days, not 0"),
        ({"days": 400}, "a day note spans 1 to 366 days, not 400"),
        ({"first_day": date(1800, 1, 1)}, "a day note must be between 1900 and 2200"),
        ({"rrule": "FREQ=HOURLY"}, "sessions cannot repeat more often than daily"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "gives no day in the 28 years"),
        ({"description": "x" * 20_001}, "a description can be at most 20,000 characters"),
    ],
)
def test_bounds(changes: dict, message: str) -> None:
    args = {"uid": "n", "title": "Closed", "first_day": date(2026, 12, 25), **changes}
    with pytest.raises(ScheduleError, match=message):
        DayNote(**args)
