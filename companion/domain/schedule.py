"""Series and their occurrences: recurrence expansion in the series' own timezone.

A series is a recurring session (RRULE, optionally RDATEs) or a one-off. Each dated
instance is an :class:`Occurrence`, identified by ``(series uid, original start)``: the
RECURRENCE-ID of RFC 5545. Expansion uses dateutil's rrule on *local* wall-clock time
in the series' zone, so an 18:00 session stays at 18:00 across DST changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice, takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from companion.domain.terms import (
    DESCRIPTION_LIMIT,
    FIRST_WITHIN_YEARS,
    LOCATION_LIMIT,
    MAX_COUNT,
    MAX_DURATION,
    MAX_INTERVAL,
    MAX_OCCURRENCES,
    MAX_REMINDER,
    SUB_DAILY,
    TIME_PARTS,
    TITLE_LIMIT,
    YEARS,
    Kind,
    ScheduleError,
)

DEFAULT_REMINDERS: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(minutes=30))


@dataclass(frozen=True, slots=True)
class Override:
    """A change the program made to one occurrence: moved, cancelled, or given its own end,
    title, place, join link or description. ``None`` keeps the series' value."""

    original_start: datetime  # UTC
    start: datetime | None = None  # UTC; None when it keeps its time
    end: datetime | None = None
    cancelled: bool = False
    title: str | None = None
    location: str | None = None
    join_url: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Series:
    """A recurring session (or a one-off when ``rrule`` is None)."""

    uid: str
    title: str
    kind: Kind
    start: datetime  # aware, in ``tzid``: the first occurrence, local wall-clock
    duration: timedelta
    tzid: str
    rrule: str | None = None  # RRULE value without the "RRULE:" prefix
    rdates: tuple[datetime, ...] = ()  # extra starts, aware
    join_url: str = ""
    facilitator: str = ""
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    overrides: Mapping[datetime, Override] = field(default_factory=dict)
    sequence: int = 0
    origin: str = "local"  # local | program | import
    description: str = ""  # the program's own text (passcode, dial-in), kept verbatim
    location: str = ""  # the program's LOCATION when it is more than the join link
    cancelled_from: datetime | None = None  # UTC: the program called off every session from here

    def __post_init__(self) -> None:
        validate_series(self)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tzid)

    def with_changes(self, **changes: object) -> Series:
        """A copy with ``changes`` applied and SEQUENCE bumped when a field that
        calendar apps show has changed."""
        updated = replace(self, **changes)  # type: ignore[arg-type]
        visible = (
            "title",
            "kind",
            "start",
            "duration",
            "tzid",
            "rrule",
            "rdates",
            "join_url",
            "facilitator",
            "reminders",
            "overrides",
            "description",
            "location",
            "cancelled_from",
        )
        if any(getattr(updated, f) != getattr(self, f) for f in visible):
            updated = replace(updated, sequence=self.sequence + 1)
        return updated


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated instance of a series."""

    series_uid: str
    original_start: datetime  # UTC: the RECURRENCE-ID
    start: datetime  # UTC
    end: datetime  # UTC
    title: str
    kind: Kind
    tzid: str
    join_url: str = ""
    facilitator: str = ""
    cancelled: bool = False
    moved: bool = False
    location: str = ""
    description: str = ""

    @property
    def id(self) -> str:
        return occurrence_id(self.series_uid, self.original_start)

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.series_uid, self.original_start)

    def local_start(self, tz: ZoneInfo | None = None) -> datetime:
        return self.start.astimezone(tz or ZoneInfo(self.tzid))

    def local_end(self, tz: ZoneInfo | None = None) -> datetime:
        return self.end.astimezone(tz or ZoneInfo(self.tzid))


def occurrence_id(series_uid: str, original_start: datetime) -> str:
    """A short stable id a person can type: 8 hex digits of the occurrence's identity."""
    from hashlib import sha1  # here: most commands never show an id (hashlib loads OpenSSL)

    stamp = original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return sha1(f"{series_uid}|{stamp}".encode()).hexdigest()[:8]


def zone(tzid: str) -> ZoneInfo:
    """The ZoneInfo for ``tzid``, or a :class:`ScheduleError` naming it."""
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown timezone {tzid!r}") from exc


def validate_series(series: Series) -> None:
    """Raise :class:`ScheduleError` when ``series`` cannot be expanded."""
    if not series.title.strip():
        raise ScheduleError("a series needs a title")
    if series.start.tzinfo is None:
        raise ScheduleError("a series start must carry its timezone")
    zone(series.tzid)
    if not YEARS[0] <= series.start.year <= YEARS[1]:
        raise ScheduleError(
            f"a series must start between {YEARS[0]} and {YEARS[1]}, not {series.start.year}"
        )
    if series.duration <= timedelta(0):
        raise ScheduleError("a session must last longer than zero minutes")
    if series.duration > MAX_DURATION:
        raise ScheduleError("a session cannot last longer than 24 hours")
    if any(r < timedelta(0) for r in series.reminders):
        raise ScheduleError("reminders are offsets before the start and must not be negative")
    if any(r > MAX_REMINDER for r in series.reminders):
        raise ScheduleError("a reminder can be at most 14 days before the session")
    _check_texts(series.description, series.location)
    for o in series.overrides.values():
        _check_override(o)
    if series.rrule:
        check_rule(series.rrule)
        if first_start(series) is None:
            raise ScheduleError(
                f"the repeat rule {series.rrule!r} gives no session in the "
                f"{FIRST_WITHIN_YEARS} years after the start"
            )


def _check_texts(description: str | None, location: str | None) -> None:
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise ScheduleError(f"a description can be at most {DESCRIPTION_LIMIT:,} characters")
    if location is not None and len(location) > LOCATION_LIMIT:
        raise ScheduleError(f"a location can be at most {LOCATION_LIMIT:,} characters")


def _check_override(o: Override) -> None:
    """A changed occurrence must still be a session: a title, and an end after its start."""
    if o.title is not None and not (0 < len(o.title.strip()) <= TITLE_LIMIT):
        raise ScheduleError(f"a changed session needs a title of 1 to {TITLE_LIMIT} characters")
    _check_texts(o.description, o.location)
    if o.end is not None and o.end <= (o.start or o.original_start):
        raise ScheduleError("a changed session must end after it starts")


def rule_parts(text: str) -> dict[str, str]:
    """An RRULE value as ``{NAME: value}`` (names upper-cased)."""
    value = text.strip().upper().removeprefix("RRULE:")
    return {name: arg for name, _, arg in (p.partition("=") for p in value.split(";") if p)}


def check_rule(text: str) -> None:
    """Refuse what would make expansion explode: repeats finer than daily (FREQ=HOURLY
    and below, or several BYHOUR/BYMINUTE/BYSECOND values), and huge INTERVAL or COUNT.
    The message is one line a person can act on."""
    parts = rule_parts(text)
    freq = parts.get("FREQ", "")
    if freq in SUB_DAILY:
        raise ScheduleError(
            f"sessions cannot repeat more often than daily (FREQ={freq}); "
            "use one series per session time"
        )
    for name in TIME_PARTS:
        if len([v for v in parts.get(name, "").split(",") if v]) > 1:
            raise ScheduleError(
                f"sessions cannot repeat more often than daily ({name}={parts[name]}); "
                "use one series per session time"
            )
    for name, top in (("INTERVAL", MAX_INTERVAL), ("COUNT", MAX_COUNT)):
        if name in parts:
            arg = parts[name]
            if not arg.isdigit() or not 1 <= int(arg) <= top:
                raise ScheduleError(f"bad repeat rule: {name} must be between 1 and {top}")


def parse_rrule(text: str, start: datetime) -> rrule:
    """Parse an RRULE value for a series starting at ``start`` (aware, local)."""
    value = text.strip().removeprefix("RRULE:")
    try:
        naive_start = start.replace(tzinfo=None)
        rule = rrulestr(value, dtstart=naive_start, ignoretz=False)
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"bad repeat rule {text!r}: {exc}") from exc
    if not isinstance(rule, rrule):
        raise ScheduleError(f"bad repeat rule {text!r}: expected a single RRULE")
    return rule


def _rule(series: Series) -> rrule:
    """The rrule expanded on naive local time; UNTIL is converted to local naive too."""
    return _rule_until(series)[0]


def _rule_until(series: Series) -> tuple[rrule, datetime | None]:
    """:func:`_rule`, and its UNTIL (naive local) when it has one."""
    assert series.rrule is not None
    value = series.rrule.strip().removeprefix("RRULE:")
    parts = []
    until: datetime | None = None
    for part in value.split(";"):
        name, _, arg = part.partition("=")
        if name.upper() == "UNTIL":
            until = _parse_until(arg, series)
        else:
            parts.append(part)
    rule = parse_rrule(";".join(parts), series.start)
    if until is not None:
        rule = rule.replace(until=until)
    return rule, until


# Rules whose pattern repeats every whole number of weeks from any of their sessions on.
STEPPABLE_FREQS = ("DAILY", "WEEKLY")
STEPPABLE_PARTS = frozenset(("FREQ", "INTERVAL", "BYDAY", "UNTIL", "WKST"))


def _rule_near(series: Series, lo: datetime) -> rrule:
    """:func:`_rule`, started as near ``lo`` (naive local) as the rule allows.

    dateutil walks a rule from its start, so a weekly series begun five years ago took
    hundreds of steps to reach this week on every expansion. A daily or weekly rule with
    nothing but INTERVAL, BYDAY, UNTIL and WKST repeats exactly every lcm(7, interval)
    days (whole weeks, so BYDAY, WKST weeks and the interval's phase are kept): starting
    it a whole number of those earlier than ``lo`` yields the same sessions from there.
    COUNT counts from the real start, and month or set parts repeat otherwise.
    """
    rule = _rule(series)
    parts = rule_parts(series.rrule or "")
    if parts.get("FREQ") not in STEPPABLE_FREQS or not parts.keys() <= STEPPABLE_PARTS:
        return rule
    interval = int(parts.get("INTERVAL") or 1)
    step = timedelta(days=math.lcm(7, interval * (1 if parts["FREQ"] == "DAILY" else 7)))
    first = series.start.astimezone(series.zone).replace(tzinfo=None)
    steps = (lo - first) // step - 1  # one step of margin before lo
    if steps <= 0:
        return rule
    return rule.replace(dtstart=first + steps * step)


def _parse_until(arg: str, series: Series) -> datetime:
    """UNTIL as naive local time in the series' zone (UTC 'Z' forms are converted)."""
    text = arg.strip()
    try:
        if len(text) == 8:
            day = datetime.strptime(text, "%Y%m%d")
            return day.replace(hour=23, minute=59, second=59)
        if text.endswith("Z"):
            utc = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return utc.astimezone(series.zone).replace(tzinfo=None)
        return datetime.strptime(text, "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise ScheduleError(f"bad UNTIL {arg!r} in repeat rule") from exc


def rule_until_utc(series: Series) -> datetime | None:
    """The series' UNTIL as an aware UTC datetime, when it has one."""
    if not series.rrule:
        return None
    _checked, until = _rule_until(series)  # the whole rule is parsed, so a bad one raises
    if until is None:
        return None
    return until.replace(tzinfo=series.zone).astimezone(UTC)


def first_start(series: Series) -> datetime | None:
    """The first start (naive local) of ``series``' rule within ``FIRST_WITHIN_YEARS`` of
    its start, None when there is none; bounded however the rule is written.

    dateutil walks a rule that never matches (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) up to
    year 9999, seconds of work. The probe is a copy whose start moved on to the 9940s by
    whole intervals and whole weeks (or 28-year weekday cycles): it sees the same pattern
    of weekdays and dates, and dateutil's walk ends at 9999 a few decades later.
    """
    assert series.rrule is not None
    return first_start_of(series.rrule, series.start.replace(tzinfo=None))


@lru_cache(maxsize=4096)
def first_start_of(text: str, start: datetime) -> datetime | None:
    """:func:`first_start` for a rule ``text`` from the naive local ``start``."""
    parts = rule_parts(text)
    interval = int(parts.get("INTERVAL", "1") or 1)
    freq = parts.get("FREQ", "WEEKLY")
    target = datetime(9999 - 2 * FIRST_WITHIN_YEARS, 1, 1)
    if freq in ("DAILY", "WEEKLY"):
        # whole weeks (BYDAY keeps its weekday) and whole intervals (the phase is kept)
        step = timedelta(days=math.lcm(7, interval * (1 if freq == "DAILY" else 7)))
        probe_start = start + max(0, (target - start) // step) * step
    else:
        # whole 28-year weekday cycles and whole intervals, in months
        months = math.lcm(12 * 28, interval * (1 if freq == "MONTHLY" else 12))
        cycles = max(0, (target.year - start.year) * 12 // months)
        try:
            probe_start = start.replace(year=start.year + cycles * months // 12)
        except ValueError:  # 29 February in a century year without one
            probe_start = start.replace(year=start.year + cycles * months // 12, day=28)
    kept = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("COUNT", "UNTIL"))
    probe = parse_rrule(kept, probe_start)
    horizon = probe_start.replace(day=1, year=probe_start.year + FIRST_WITHIN_YEARS)
    first = next(iter(probe), None)
    if first is None or first > horizon:
        return None
    return first - (probe_start - start)


def original_starts(series: Series, start: datetime, end: datetime) -> list[datetime]:
    """Original starts (UTC) of ``series`` that begin in ``[start - duration, end)``.

    Expansion is on naive local wall-clock time, then localised, so DST never shifts
    a session's local time.
    """
    tz = series.zone
    lo = (start - series.duration).astimezone(tz).replace(tzinfo=None)
    hi = end.astimezone(tz).replace(tzinfo=None)
    local_first = series.start.astimezone(tz).replace(tzinfo=None)
    if series.rrule:
        found = takewhile(lambda n: n <= hi, _rule_near(series, lo).xafter(lo, inc=True))
        naive = list(islice(found, MAX_OCCURRENCES)) if lo <= hi else []
    else:
        naive = [local_first] if lo <= local_first <= hi else []
    naive += [r.astimezone(tz).replace(tzinfo=None) for r in series.rdates]
    seen = sorted({n for n in naive if lo <= n < hi})
    return [n.replace(tzinfo=tz).astimezone(UTC) for n in seen]


def expand(series: Series, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences of ``series`` overlapping ``[start, end)``, with overrides applied.

    Cancelled occurrences are returned (flagged) so attendance can tell them apart.
    A moved occurrence appears at its new time, wherever its original slot was.
    """
    out: list[Occurrence] = []
    moved_in = [
        o
        for o in series.overrides.values()
        if (o.start or o.end) is not None
        and (o.start or o.original_start) < end
        and (o.end or o.start or o.original_start) > start
    ]
    slots = set(original_starts(series, start, end)) | {o.original_start for o in moved_in}
    for original in sorted(slots):
        occ = _occurrence(series, original)
        if occ.end > start and occ.start < end:
            out.append(occ)
    out.sort(key=lambda o: o.start)
    return out


def occurrence_at(series: Series, original: datetime) -> Occurrence:
    """The occurrence of ``series`` whose original start is ``original`` (UTC), as it
    takes place: moved, retitled or cancelled by its override."""
    return _occurrence(series, original)


def _occurrence(series: Series, original: datetime) -> Occurrence:
    """One occurrence with its override applied: every field it changes, the time included
    when it keeps its start (a new end, title or join link on the same slot)."""
    o = series.overrides.get(original) or Override(original)
    begin = o.start or original
    called_off = series.cancelled_from is not None and original >= series.cancelled_from
    return Occurrence(
        series_uid=series.uid,
        original_start=original,
        start=begin,
        end=o.end or begin + series.duration,
        title=series.title if o.title is None else o.title,
        kind=series.kind,
        tzid=series.tzid,
        join_url=series.join_url if o.join_url is None else o.join_url,
        facilitator=series.facilitator,
        cancelled=o.cancelled or called_off,
        moved=begin != original,
        location=series.location if o.location is None else o.location,
        description=series.description if o.description is None else o.description,
    )


def expand_all(series: Iterable[Series], start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences of every series in ``[start, end)``, sorted by start."""
    out = [occ for s in series for occ in expand(s, start, end)]
    out.sort(key=lambda o: (o.start, o.title))
    return out


def next_occurrence(
    series: Iterable[Series], now: datetime, horizon: timedelta = timedelta(days=60)
) -> Occurrence | None:
    """The first not-cancelled occurrence that has not ended yet."""
    for occ in expand_all(series, now, now + horizon):
        if not occ.cancelled and occ.end > now:
            return occ
    return None


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_WORDS = {
    "mon": "MO",
    "monday": "MO",
    "tue": "TU",
    "tues": "TU",
    "tuesday": "TU",
    "wed": "WE",
    "wednesday": "WE",
    "thu": "TH",
    "thur": "TH",
    "thurs": "TH",
    "thursday": "TH",
    "fri": "FR",
    "friday": "FR",
    "sat": "SA",
    "saturday": "SA",
    "sun": "SU",
    "sunday": "SU",
}


def rule_from_words(text: str) -> str | None:
    """Turn plain words into an RRULE: "once", "daily", "weekly", "fortnightly",
    "Mon, Wed, Fri", "every 2 weeks on Tue". An RRULE passes through unchanged."""
    words = text.strip()
    low = words.lower()
    if not low or low in ("once", "one-off", "none", "no repeat"):
        return None
    if "FREQ=" in words.upper():
        return words.upper().removeprefix("RRULE:")
    interval = 1
    if low in ("daily", "every day"):
        return "FREQ=DAILY"
    if low.startswith(("fortnightly", "every 2 weeks", "every other week", "biweekly")):
        interval = 2
    elif low.startswith(("weekly", "every week")):
        interval = 1
    tokens = [t for t in low.replace(",", " ").replace("/", " ").split() if t]
    days = [_DAY_WORDS[t] for t in tokens if t in _DAY_WORDS]
    known = set(_DAY_WORDS) | {
        "every",
        "2",
        "weeks",
        "week",
        "other",
        "on",
        "and",
        "weekly",
        "fortnightly",
        "biweekly",
    }
    unknown = [t for t in tokens if t not in known]
    if unknown:
        raise ScheduleError(f"cannot read repeat {text!r}: unknown word {unknown[0]!r}")
    rule = "FREQ=WEEKLY" + (f";INTERVAL={interval}" if interval > 1 else "")
    if days:
        ordered = sorted(set(days), key=WEEKDAYS.index)
        rule += ";BYDAY=" + ",".join(ordered)
    return rule


def rule_in_words(rule: str | None) -> str:
    """A short plain-words summary of an RRULE, for lists and forms."""
    if not rule:
        return "once"
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    names = {
        "MO": "Mon",
        "TU": "Tue",
        "WE": "Wed",
        "TH": "Thu",
        "FR": "Fri",
        "SA": "Sat",
        "SU": "Sun",
    }
    if freq == "WEEKLY":
        days = ", ".join(names.get(d, d) for d in parts.get("BYDAY", "").split(",") if d)
        head = (
            "weekly"
            if interval == 1
            else ("fortnightly" if interval == 2 else f"every {interval} weeks")
        )
        text = f"{days}" if days and interval == 1 else f"{head}{' on ' + days if days else ''}"
    elif freq == "DAILY":
        text = "daily" if interval == 1 else f"every {interval} days"
    else:
        text = rule.lower()
    if "UNTIL" in parts:
        text += f" until {parts['UNTIL'][:8]}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    return text


# A make-up slot the client accepted becomes a series of its own, named for the reply.
_MAKEUP_UID = re.compile(r"^makeup-([0-9]{1,10})@companion$")


def makeup_uid(reply_id: int) -> str:
    """The series uid of a make-up slot the client accepted from reply ``reply_id``: the
    program made it, so a notice may name it (the server checks the reply is the client's)."""
    return f"makeup-{reply_id}@companion"


def makeup_reply_id(series_uid: str) -> int | None:
    """The reply a make-up series came from, None for any other series."""
    found = _MAKEUP_UID.match(series_uid)
    return int(found.group(1)) if found else None
