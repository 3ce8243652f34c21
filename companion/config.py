"""The client's settings, stored as JSON in the user config dir (0600).

A corrupt file is reported, never overwritten: the user may want to fix it by hand.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from companion.errors import ProfileError
from companion.paths import write_private


class ConfigError(ProfileError):
    """The config file cannot be read; the message says which file and why."""


@dataclass(slots=True)
class Settings:
    """Preferences the client can change in Settings or by editing config.json."""

    timezone: str = ""
    """Display timezone; empty means the program's, else the computer's."""
    discreet: bool = False
    """Neutral calendar titles ("Appointment") in exported .ics files."""
    default_reminders_min: list[int] = field(default_factory=lambda: [1440, 30])
    """Reminder offsets, minutes before the start, for new series."""
    theme: str = "textual-dark"
    """Textual theme name."""
    client_name: str = ""
    """How the client's name shows in notice previews."""
    sync_interval_s: int = 300
    """Background sync period in the app."""


def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("expected a JSON object")
        known = {f.name for f in fields(Settings)}
        return Settings(**{k: v for k, v in raw.items() if k in known})
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"cannot read settings in {path}: {exc}. Fix or remove the file; it was left as it is."
        ) from exc


def save_settings(path: Path, settings: Settings) -> None:
    write_private(path, json.dumps(asdict(settings), indent=2) + "\n")
