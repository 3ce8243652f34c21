"""The client's settings, stored as JSON in the user config dir (0600).

config.json is read into the typed :class:`Settings`: every key is checked for its type and
range, and a wrong one is a :class:`ConfigError` naming the key, its value and what is
allowed, in one line. The file is reported, never overwritten: the user may want to fix it
by hand.

The checks are plain Python rather than a pydantic model on purpose: `companion status`,
`remind` and friends read this file on every run, and importing pydantic alone costs
about three times a bare ``python -c pass`` (DESIGN.md's CLI budget; figures in the
commit that made this choice).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from companion.errors import ProfileError, one_line
from companion.paths import write_private

MAX_REMINDERS = 10
MAX_REMINDER_MIN = 14 * 24 * 60  # a reminder at most 14 days ahead, as a series allows
SYNC_INTERVAL_S = (30, 86_400)
JOURNAL_LOCK_MIN = (0, 1440)


class ConfigError(ProfileError):
    """The config file cannot be read; the message says which file and why."""


@dataclass(slots=True)
class Settings:
    """Preferences the client can change in Settings or by editing config.json."""

    timezone: str = ""
    """Display timezone (an IANA name); empty means the program's, else the computer's."""
    discreet: bool = False
    """Neutral calendar titles ("Appointment") in exported .ics files."""
    default_reminders_min: list[int] = field(default_factory=lambda: [1440, 30])
    """Reminder offsets, minutes before the start (0 to 20160, at most 10), for new series."""
    theme: str = "textual-dark"
    """Textual theme name."""
    client_name: str = ""
    """How the client's name shows in notice previews."""
    sync_interval_s: int = 300
    """Background sync period in the app, 30 to 86400 seconds."""
    journal_lock_min: int = 10
    """Minutes without a key press after which the app locks a protected journal again
    and forgets its key, 0 to 1440; 0 never does."""


class Invalid(ValueError):
    """A value a setting does not allow; the message says what is allowed."""


def _text(limit: int) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str) or len(value) > limit:
            raise Invalid(f"use text of at most {limit} characters")
        return value

    return check


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("use true or false")
    return value


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f"use a whole number from {low} to {high}")
        return value

    return check


def _reminders(value: object) -> list[int]:
    allowed = (
        f"use a list of at most {MAX_REMINDERS} whole numbers of minutes from 0 to "
        f"{MAX_REMINDER_MIN}, e.g. [1440, 30]"
    )
    if not isinstance(value, list) or len(value) > MAX_REMINDERS:
        raise Invalid(allowed)
    check = _whole(0, MAX_REMINDER_MIN)
    try:
        return [check(v) for v in value]
    except Invalid:
        raise Invalid(allowed) from None


def _timezone(value: object) -> str:
    allowed = 'use a timezone name such as "America/New_York", or "" for the program\'s'
    if not isinstance(value, str) or len(value) > 64:
        raise Invalid(allowed)
    if value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(
                'not a known timezone; use a name such as "America/New_York", or "" for '
                "the program's"
            ) from None
    return value


CHECKS: dict[str, Callable[[object], Any]] = {
    "timezone": _timezone,
    "discreet": _flag,
    "default_reminders_min": _reminders,
    "theme": _text(64),
    "client_name": _text(100),
    "sync_interval_s": _whole(*SYNC_INTERVAL_S),
    "journal_lock_min": _whole(*JOURNAL_LOCK_MIN),
}
# A setting added later without an entry above still has its type checked.
BY_TYPE: dict[str, Callable[[object], Any]] = {
    "str": _text(1000),
    "bool": _flag,
    "int": _whole(-(2**31), 2**31 - 1),
    "list[int]": lambda v: [_whole(-(2**31), 2**31 - 1)(x) for x in _list(v)],
}


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise Invalid("use a list")
    return value


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_settings(raw: object) -> Settings:
    """Typed settings from config.json's decoded content; :class:`Invalid` names the key."""
    if not isinstance(raw, dict):
        raise Invalid(f"the file holds {_shown(raw)}, not an object of settings")
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise Invalid(f'unknown setting "{key}"; the settings are {", ".join(known)}')
        check = CHECKS.get(key) or BY_TYPE[str(known[key].type)]
        try:
            values[key] = check(value)
        except Invalid as exc:
            sep = ", " if str(exc).startswith("not ") else "; "
            raise Invalid(f'"{key}" is {_shown(value)}{sep}{exc}') from None
    return Settings(**values)


def load_settings(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(path, getattr(exc, "strerror", None) or "not text") from exc
    try:
        return parse_settings(json.loads(text))
    except Invalid as exc:
        raise _error(path, str(exc)) from exc
    except ValueError as exc:  # not JSON
        raise _error(path, f"not JSON ({exc})") from exc


def _error(path: Path, why: str) -> ConfigError:
    return ConfigError(
        one_line(
            f"cannot read settings in {path}: {why}. Fix or remove the file; it was left as it is."
        )  # fmt: skip
    )


def save_settings(path: Path, settings: Settings) -> None:
    write_private(path, json.dumps(asdict(settings), indent=2) + "\n")
