"""The corpus in tests/data/ics/: calendar files written the way Apple iCloud, Microsoft 365,
Teams, Google, Proton, Thunderbird and Zoom write them, each with the sessions, join links,
passcodes and day notes a person reads in it (``<name>.json``, written by hand from the
file, never from our own expansion)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CORPUS = Path(__file__).resolve().parent.parent / "data" / "ics"
NAMES = ("apple_icloud", "microsoft365", "teams_invite", "google", "proton", "thunderbird", "zoom")


@dataclass(frozen=True)
class Session:
    """One expected session: local times in its series' zone, and what it changes."""

    uid: str
    start: datetime  # UTC
    end: datetime  # UTC
    changes: dict[str, Any] = field(default_factory=dict)  # title, join_url, location, access


@dataclass(frozen=True)
class Expected:
    name: str
    app: str
    window: tuple[datetime, datetime]  # UTC
    series: list[dict[str, Any]]
    sessions: list[Session]
    notes: dict[str, tuple[str, list[date]]]  # uid -> (title, days)
    raw: dict[str, Any]

    @property
    def path(self) -> Path:
        return CORPUS / f"{self.name}.ics"

    def occurrences(self) -> list[tuple[str, datetime, datetime]]:
        return sorted((s.uid, s.start, s.end) for s in self.sessions)

    def titles(self) -> dict[tuple[str, datetime], str]:
        """The title each session shows: its own when it has one, else its series'."""
        base = {s["uid"]: s["title"] for s in self.series}
        return {(s.uid, s.start): s.changes.get("title", base[s.uid]) for s in self.sessions}

    def alarms(self) -> dict[tuple[str, datetime], list[datetime]]:
        """When each session's alarms fire, nearest first."""
        offsets = {s["uid"]: sorted(s["reminders_min"]) for s in self.series}
        return {(s.uid, s.start): [s.start - timedelta(minutes=m) for m in offsets[s.uid]]
                for s in self.sessions}  # fmt: skip

    def changed_days(self, tz: str) -> set[tuple[str, str]]:
        """(uid, local day) of each session the program changed on its own, at its new
        time and at its original slot."""
        zone = ZoneInfo(tz)
        days = {(s.uid, f"{s.start.astimezone(zone):%Y-%m-%d}") for s in self.sessions if s.changes}
        for series in self.raw["series"]:
            for item in series["sessions"]:
                if isinstance(item, dict) and "original" in item:
                    days.add((series["uid"], item["original"][:10]))
        return days

    def note_days(self) -> list[tuple[str, date]]:
        return sorted((uid, day) for uid, (_t, days) in self.notes.items() for day in days)


def _span(text: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    day, times = text.split(" ")
    first, last = times.split("-")
    start = datetime.fromisoformat(f"{day}T{first}").replace(tzinfo=tz)
    end = datetime.fromisoformat(f"{day}T{last}").replace(tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def load(name: str) -> Expected:
    raw = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    tz = ZoneInfo(raw["timezone"])
    window = tuple(datetime.fromisoformat(d).replace(tzinfo=tz).astimezone(UTC)
                   for d in raw["window"])  # fmt: skip
    sessions = []
    for s in raw["series"]:
        zone = ZoneInfo(s["tzid"])
        for item in s["sessions"]:
            spec = item if isinstance(item, dict) else {"at": item}
            start, end = _span(spec["at"], zone)
            changes = {k: v for k, v in spec.items() if k not in ("at", "original")}
            sessions.append(Session(s["uid"], start, end, changes))
    notes = {n["uid"]: (n["title"], [date.fromisoformat(d) for d in n["days"]])
             for n in raw["notes"]}  # fmt: skip
    return Expected(name, raw["app"], (window[0], window[1]), raw["series"], sessions, notes, raw)


def all_expected() -> list[Expected]:
    return [load(name) for name in NAMES]
