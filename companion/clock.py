"""The one source of "now". ``COMPANION_NOW`` (ISO 8601) freezes it for tests and demos."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    frozen = os.environ.get("COMPANION_NOW")
    if frozen:
        value = datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    return lambda: at
