"""VTIMEZONE components as STANDARD/DAYLIGHT blocks with yearly RRULEs.

``icalendar``'s own ``add_missing_timezones()`` lists every transition in one multi-value
RDATE. Mozilla's ical.js (Thunderbird) reads only the first value of such a list, so every
occurrence after a DST change comes out an hour off, and Outlook mishandles RDATE zones
too. Here the transitions are read from zoneinfo and folded into rules the way the tz
database states them ("second Sunday of March", "last Sunday of October"): consecutive
years that change on the same weekday of the same month at the same local time become one
block with ``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``. The block still in force at the end
of the range is left open-ended; irregular years get a block of their own (no RDATE).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_STEP = timedelta(days=1)
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of UTC offset: ``local`` is the wall-clock time before it."""

    at: datetime  # UTC instant
    local: datetime  # naive, in the offset before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    dst: bool

    @property
    def shape(self) -> tuple[object, ...]:
        """What must stay equal for consecutive years to share one yearly rule."""
        lt = self.local
        return (self.dst, self.offset_from, self.offset_to, self.name, lt.month,
                lt.weekday(), lt.time())  # fmt: skip

    @property
    def ordinals(self) -> set[int]:
        """Ways to name the day in BYDAY: nth weekday of the month, and -1 for the last."""
        day = self.local.day
        found = {(day - 1) // 7 + 1}
        if day > calendar.monthrange(self.local.year, self.local.month)[1] - 7:
            found.add(-1)
        return found


def transitions(tzid: str, first_year: int, last_year: int) -> list[Transition]:
    """Offset changes of ``tzid`` from 1 Jan ``first_year`` to 31 Dec ``last_year``."""
    return list(_transitions(tzid, first_year, last_year))


@lru_cache(maxsize=64)
def _transitions(tzid: str, first_year: int, last_year: int) -> tuple[Transition, ...]:
    tz = ZoneInfo(tzid)
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)

    def offset_at(instant: datetime) -> timedelta | None:
        return instant.astimezone(tz).utcoffset()

    offset = offset_at(t)
    found: list[Transition] = []
    while t < end:
        nxt = t + _STEP
        if offset_at(nxt) != offset:
            lo, hi = t, nxt  # bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset_at(mid) == offset else (lo, mid)
            after = hi.astimezone(tz)
            assert offset is not None
            found.append(Transition(
                at=hi, local=(hi + offset).replace(tzinfo=None), offset_from=offset,
                offset_to=after.utcoffset() or timedelta(0), name=after.tzname() or tzid,
                dst=bool(after.dst()),
            ))  # fmt: skip
            offset = after.utcoffset()
        t = nxt
    return tuple(found)


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``tzid`` valid from ``first_year`` through ``last_year`` and, while
    the zone keeps its current rules, beyond. Cached: callers must not change it."""
    # One year either side: the rule in force when the range starts, and whether the
    # last rule is still in force after it ends.
    changes = transitions(tzid, first_year - 1, last_year + 1)
    zone = Timezone()
    zone.add("TZID", tzid)
    if not changes:
        zone.add_component(_observance(tzid, first_year))
        return zone
    open_year = last_year + 1
    for run, ordinal in _runs(changes):
        first = run[0]
        block = TimezoneDaylight() if first.dst else TimezoneStandard()
        block.add("TZNAME", first.name)
        block.add("TZOFFSETFROM", first.offset_from)
        block.add("TZOFFSETTO", first.offset_to)
        block.add("DTSTART", first.local)
        if len(run) > 1:
            rule: dict[str, object] = {
                "FREQ": "YEARLY", "BYMONTH": first.local.month,
                "BYDAY": f"{ordinal}{_DAYS[first.local.weekday()]}",
            }  # fmt: skip
            if run[-1].at.year != open_year:
                rule["UNTIL"] = run[-1].at
            block.add("RRULE", vRecur(rule))
        zone.add_component(block)
    return zone


def _runs(changes: list[Transition]) -> list[tuple[list[Transition], int]]:
    """Group transitions into runs of consecutive years sharing a shape and a BYDAY."""
    runs: list[tuple[list[Transition], set[int]]] = []
    open_by_shape: dict[tuple[object, ...], int] = {}
    for change in changes:
        index = open_by_shape.get(change.shape)
        if index is not None:
            run, ordinals = runs[index]
            common = ordinals & change.ordinals
            if run[-1].local.year + 1 == change.local.year and common:
                run.append(change)
                runs[index] = (run, common)
                continue
        open_by_shape[change.shape] = len(runs)
        runs.append(([change], change.ordinals))
    return [(run, -1 if -1 in ordinals else max(ordinals)) for run, ordinals in runs]


def _observance(tzid: str, year: int) -> TimezoneStandard:
    """A fixed-offset zone (UTC, Asia/Tokyo): one STANDARD block."""
    instant = datetime(year, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(tzid))
    offset = instant.utcoffset() or timedelta(0)
    block = TimezoneStandard()
    block.add("TZNAME", instant.tzname() or tzid)
    block.add("TZOFFSETFROM", offset)
    block.add("TZOFFSETTO", offset)
    block.add("DTSTART", datetime(1970, 1, 1))
    return block
