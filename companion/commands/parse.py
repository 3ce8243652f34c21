"""Argument types shared by the subcommands: dates, durations, offsets, counts. Each one is
range-checked where it is parsed, so a value out of range is a one-line
``argparse.ArgumentTypeError`` (exit 2) before anything runs."""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from companion.domain.terms import MAX_DURATION, MAX_REMINDER, YEARS, ScheduleError

DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.I)
LONGEST = timedelta(days=3650)  # no duration argument is longer than this
MAX_REMINDERS = 10


def parse_datetime(text: str) -> datetime:
    """'2026-12-01', '2026-12-01 18:00', '2026-12-01T18:00:00-05:00' (naive = local), in
    the years a series may use."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"bad date {text!r}: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM'"
        ) from None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise argparse.ArgumentTypeError(
            f"date {text!r} is out of range: use a year from {YEARS[0]} to {YEARS[1]}"
        )
    return value


def parse_duration(text: str) -> timedelta:
    """'90' (minutes), '90m', '3h', '1h30m', '1d'; at most ten years."""
    value = text.strip()
    match = DURATION.match(value)
    if value.isdigit():
        d, h, m = 0, 0, int(value)
    elif value and match and any(match.groups()):
        d, h, m = (int(g or 0) for g in match.groups())
    else:
        raise argparse.ArgumentTypeError(f"bad duration {text!r}: use e.g. 90, 90m, 3h or 1h30m")
    minutes = d * 1440 + h * 60 + m  # plain ints: a huge value cannot overflow here
    if minutes > LONGEST.total_seconds() // 60:
        raise argparse.ArgumentTypeError(f"duration {text!r} is too long")
    return timedelta(minutes=minutes)


def duration_between(low: timedelta, high: timedelta, what: str) -> Callable[[str], timedelta]:
    """An argparse type: a duration from ``low`` to ``high``."""

    def parse(text: str) -> timedelta:
        value = parse_duration(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{what} {text!r} is out of range: use {in_words(low)} to {in_words(high)}"
            )
        return value

    return parse


def in_words(delta: timedelta) -> str:
    """'0 minutes', '1 minute', '90 minutes', '1 hour', '24 hours', '14 days'."""
    minutes = int(delta.total_seconds() // 60)
    n, unit = minutes, "minute"
    if minutes and minutes % 1440 == 0 and minutes != 1440:
        n, unit = minutes // 1440, "day"
    elif minutes and minutes % 60 == 0:
        n, unit = minutes // 60, "hour"
    return f"{n} {unit}" + ("" if n == 1 else "s")


session_length = duration_between(timedelta(minutes=1), MAX_DURATION, "duration")
look_ahead = duration_between(timedelta(0), MAX_REMINDER, "duration")


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """Reminder offsets: '24h,30m' (empty or 'none' for no reminders), each 0 to 14 days."""
    if text.strip().lower() in ("", "none"):
        return ()
    parts = text.split(",")
    if len(parts) > MAX_REMINDERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_REMINDERS} reminders")
    check = duration_between(timedelta(0), MAX_REMINDER, "reminder")
    return tuple(check(part) for part in parts)


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (no top when None)."""
    allowed = f"from {low} to {high}" if high is not None else f"of at least {low}"

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"use a whole number {allowed}, not {text!r}")
        return value

    return parse


def seconds(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a number of seconds above ``low`` and at most ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low < value <= high:
            raise argparse.ArgumentTypeError(
                f"use a number of seconds above {low:g} and at most {high:g}, not {text!r}"
            )
        return value

    return parse


def parse_repeat(text: str) -> str | None:
    """A repeat in words or an RRULE, as an RRULE (None: once); refused when it repeats
    more often than daily or is otherwise unbounded (the domain's one-line reason)."""
    from companion.domain.schedule import check_rule, rule_from_words

    try:
        rule = rule_from_words(text)
        if rule:
            check_rule(rule)
    except ScheduleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return rule


def format_offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))
