"""A profile: one store, its settings and a clock, opened together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from companion.clock import Clock, system_clock
from companion.config import Settings, load_settings, save_settings
from companion.domain.attendance import Policy
from companion.domain.schedule import ScheduleError, zone
from companion.errors import UserError as UserError  # re-exported: callers import it here
from companion.paths import Paths, default_paths
from companion.store.db import Store
from companion.store.repo_schedule import Program, get_program
from companion.store.repo_sync import get_discreet


def local_zone_name() -> str:
    """The computer's timezone name, UTC when it cannot be told."""
    try:
        link = Path("/etc/localtime").resolve()
        if "zoneinfo/" in str(link):
            name = str(link).split("zoneinfo/", 1)[1]
            zone(name)
            return name
    except (OSError, ScheduleError):
        pass
    return "UTC"


@dataclass
class Profile:
    """Everything an action needs: paths, the open store, settings and "now"."""

    paths: Paths
    store: Store
    settings: Settings
    clock: Clock = field(default=system_clock)

    @classmethod
    def open(cls, paths: Paths | None = None, clock: Clock = system_clock) -> Profile:
        paths = paths or default_paths()
        settings = load_settings(paths.config_file)
        return cls(paths, Store(paths.database, others=paths.config_files), settings, clock)

    def now(self) -> datetime:
        return self.clock()

    def program(self) -> Program:
        """The enrolled or configured program, or a personal default."""
        found = get_program(self.store.conn)
        if found is not None:
            return found
        return Program("My sessions", self.settings.timezone or local_zone_name(), Policy())

    def has_program(self) -> bool:
        return get_program(self.store.conn) is not None

    def tz(self) -> ZoneInfo:
        """The display timezone: the setting, else the program's, else the computer's."""
        name = self.settings.timezone or self.program().timezone
        try:
            return zone(name)
        except ScheduleError:
            return ZoneInfo("UTC")

    def discreet(self) -> bool:
        """Discreet calendar output (exports, reminders): the client's choice, else the
        program's default as enrolment and the last sync told it."""
        if self.settings.discreet:
            return True
        known = get_discreet(self.store.conn)
        return bool(known and known[1])

    def save_settings(self) -> None:
        save_settings(self.paths.config_file, self.settings)

    def close(self) -> None:
        self.store.close()
