"""Naming the timezone of an imported time with an IANA name a series can keep.

Files name zones many ways: IANA ("America/New_York"), Windows ("Eastern Standard Time",
Outlook), vendor-prefixed ("/mozilla.org/.../America/New_York"), or a made-up TZID with
its own VTIMEZONE ("(GMT-05:00) Eastern Time"). ``icalendar`` resolves the first three
to zoneinfo; for the last, the zone whose offsets agree with the VTIMEZONE's over the
event's years is chosen, the preferred (the file's or the user's zone) first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from icalendar.timezone.tzid import tzid_from_tzinfo
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Zones most programs and clients are in: tried first, so an unnamed VTIMEZONE that
# matches several equivalent zones gets the familiar name (Europe/Berlin, not Africa/Ceuta).
COMMON = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Halifax",
    "America/St_Johns", "America/Toronto", "America/Vancouver", "America/Mexico_City",
    "America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Berlin",
    "Europe/Paris", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Helsinki",
    "Europe/Athens", "Europe/Moscow", "Asia/Jerusalem", "Asia/Kolkata", "Asia/Singapore",
    "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide", "Australia/Brisbane",
    "Australia/Sydney", "Pacific/Auckland", "UTC",
)  # fmt: skip


def iana_name(
    tz: tzinfo, near: datetime, prefer: tuple[str, ...] = (), tzid: str = ""
) -> str | None:
    """An IANA zone name equivalent to ``tz`` (named ``tzid`` in the file) around
    ``near``, or None."""
    if isinstance(tz, ZoneInfo):
        return tz.key
    if tz is UTC or (isinstance(tz, timezone) and tz.utcoffset(None) == timedelta(0)):
        return "UTC"
    wanted = _signature(tz, near.year)
    named = [WINDOWS_TO_OLSON.get(tzid, ""), tzid_from_tzinfo(tz) or ""]
    for name in (*named, *prefer, *COMMON, *_candidates()):
        if _known(name) and _signature(ZoneInfo(name), near.year) == wanted:
            return name
    return None


def _signature(tz: tzinfo, year: int) -> tuple[timedelta | None, ...]:
    """Offsets twice a week over two years: enough to tell DST rules apart."""
    first = datetime(year, 1, 1, 12, tzinfo=UTC)
    return tuple((first + timedelta(days=3.5 * n)).astimezone(tz).utcoffset()
                 for n in range(209))  # fmt: skip


@lru_cache(maxsize=1)
def _candidates() -> tuple[str, ...]:
    """Canonical-looking names first (Area/City), the rest after."""
    names = sorted(available_timezones())
    return tuple(sorted(names, key=lambda n: (n.startswith(("Etc/", "SystemV/")) or "/" not in n,
                                               n)))  # fmt: skip


def _known(name: str) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True
