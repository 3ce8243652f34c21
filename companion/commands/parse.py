"""Argument types shared by the subcommands: dates, durations, offsets. Errors are
one-line ``argparse.ArgumentTypeError`` messages."""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, timedelta
from typing import Any

DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.I)


def parse_datetime(text: str) -> datetime:
    """'2026-12-01', '2026-12-01 18:00', '2026-12-01T18:00:00-05:00' (naive = local)."""
    try:
        return datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"bad date {text!r}: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM'"
        ) from None


def parse_duration(text: str) -> timedelta:
    """'90' (minutes), '90m', '3h', '1h30m', '1d'."""
    value = text.strip()
    if value.isdigit():
        return timedelta(minutes=int(value))
    match = DURATION.match(value)
    if not value or not match or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"bad duration {text!r}: use e.g. 90, 90m, 3h or 1h30m")
    d, h, m = (int(g or 0) for g in match.groups())
    return timedelta(days=d, hours=h, minutes=m)


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """Reminder offsets: '24h,30m' (empty or 'none' for no reminders)."""
    if text.strip().lower() in ("", "none"):
        return ()
    return tuple(parse_duration(part) for part in text.split(","))


def format_offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))
