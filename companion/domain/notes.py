"""Day notes: the all-day events of a program's calendar (a closure, a holiday).

A day note is shown on its days and never is a session: it has no time, no attendance,
no reminder and never counts toward the week. "No group – Thanksgiving" is a note on
Thursday, not a 24-hour group session. A note may repeat (a yearly closure) with the same
bounds as a series' rule; dates are calendar days, with no timezone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice, takewhile

from companion.domain.schedule import (
    DESCRIPTION_LIMIT,
    FIRST_WITHIN_YEARS,
    MAX_OCCURRENCES,
    YEARS,
    ScheduleError,
    check_rule,
    first_start_of,
    parse_rrule,
)

MAX_DAYS = 366  # a note spans at most a year ("closed for the summer" fits)


@dataclass(frozen=True, slots=True)
class DayNote:
    """An all-day note on ``days`` consecutive days from ``first_day`` (repeating when
    ``rrule`` is set, less ``exdates``)."""

    uid: str
    title: str
    first_day: date
    days: int = 1
    rrule: str | None = None  # RRULE value; UNTIL as a date
    exdates: tuple[date, ...] = ()
    description: str = ""
    sequence: int = 0
    origin: str = "import"

    def __post_init__(self) -> None:
        validate_note(self)

    def same_content(self, other: DayNote) -> bool:
        """True when ``other`` shows the same days and text (SEQUENCE and origin aside)."""
        fields = ("title", "first_day", "days", "rrule", "description")
        return all(getattr(self, f) == getattr(other, f) for f in fields) and set(
            self.exdates
        ) == set(other.exdates)


def validate_note(note: DayNote) -> None:
    """Raise :class:`ScheduleError` when ``note`` cannot be shown."""
    if not note.title.strip():
        raise ScheduleError("a day note needs a title")
    if not YEARS[0] <= note.first_day.year <= YEARS[1]:
        raise ScheduleError(f"a day note must be between {YEARS[0]} and {YEARS[1]}")
    if not 1 <= note.days <= MAX_DAYS:
        raise ScheduleError(f"a day note spans 1 to {MAX_DAYS} days, not {note.days}")
    if len(note.description) > DESCRIPTION_LIMIT:
        raise ScheduleError(f"a description can be at most {DESCRIPTION_LIMIT:,} characters")
    if note.rrule:
        check_rule(note.rrule)
        rule, _until = split_until(note.rrule)
        if first_start_of(rule, _midnight(note.first_day)) is None:
            raise ScheduleError(
                f"the repeat rule {note.rrule!r} gives no day in the "
                f"{FIRST_WITHIN_YEARS} years after the first"
            )


def note_starts(note: DayNote, first: date, last: date) -> list[date]:
    """The days in ``[first, last)`` on which one of the note's runs of days starts, and
    those that started earlier and still cover ``first``."""
    lo = first - timedelta(days=note.days - 1)
    if not note.rrule:
        found = [note.first_day] if lo <= note.first_day < last else []
    else:
        text, until = split_until(note.rrule)
        rule = parse_rrule(text, _midnight(note.first_day))
        if until is not None:
            rule = rule.replace(until=_midnight(until))
        hi = _midnight(last)
        days = takewhile(lambda d: d < hi, rule.xafter(_midnight(lo), inc=True))
        found = [d.date() for d in islice(days, MAX_OCCURRENCES)] if lo < last else []
    skipped = set(note.exdates)
    return [d for d in found if d not in skipped]


def note_days(note: DayNote, first: date, last: date) -> list[date]:
    """Every day in ``[first, last)`` the note is on."""
    starts = note_starts(note, first, last)
    covered = {start + timedelta(days=n) for start in starts for n in range(note.days)}
    return sorted(d for d in covered if first <= d < last)


def notes_by_day(notes: list[DayNote], first: date, last: date) -> dict[date, list[DayNote]]:
    """The notes on each day of ``[first, last)``, by title."""
    out: dict[date, list[DayNote]] = {}
    for note in sorted(notes, key=lambda n: (n.title, n.uid)):
        for day in note_days(note, first, last):
            out.setdefault(day, []).append(note)
    return out


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def split_until(text: str) -> tuple[str, date | None]:
    """A rule without its UNTIL, and the UNTIL's day (a DATE, or the date of a DATE-TIME:
    earlier imports kept a note's rule in that form)."""
    kept, until = [], None
    for part in text.strip().removeprefix("RRULE:").split(";"):
        name, _, arg = part.partition("=")
        if name.upper() != "UNTIL":
            kept.append(part)
            continue
        try:
            until = datetime.strptime(arg.strip()[:8], "%Y%m%d").date()
        except ValueError as exc:
            raise ScheduleError(f"bad UNTIL {arg!r} in repeat rule") from exc
    return ";".join(kept), until
