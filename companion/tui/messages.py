"""Messages the app's workers post, named in the past tense, with the words users read.

Every user-facing sentence the app shows after an action lives here, so they read the
same way everywhere. A worker posts one of these when an action finished; the app shows
``text`` as a notification and asks the visible screen to reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message

from companion.domain.attendance import UNMARKED, Status


class ActionDone(Message):
    """An action finished and changed what the screens show."""

    text = "Saved."

    def __init__(self, result: Any = None) -> None:
        super().__init__()
        self.result = result


class OccurrenceMarked(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        view = self.result
        if view.status is Status.MISSED:
            return f"Marked {view.occurrence.title} missed; its catch-up checklist is ready."
        if view.status in UNMARKED:
            return f"Cleared your mark on {view.occurrence.title}."
        return f"Marked {view.occurrence.title} {view.status.label}."


class ReflectionSaved(ActionDone):
    text = "Saved your reflection. It stays on this device."


class SeriesAdded(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        return f"Added {self.result.title} to your schedule."


class SeriesUpdated(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        return f"Updated {self.result.title}."


class SeriesRemoved(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        return f"Removed {self.result.title} and its sessions from your schedule."


class ChecklistChanged(ActionDone):
    text = "Updated the checklist."


class CalendarExported(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        return f"Exported your calendar to {self.result}."


class CalendarImported(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        if getattr(self.result, "changed", None) == 0:
            if self.result.cancelled:
                return f"Updated your schedule: {describe_count(self.result)}."
            return f"Nothing new to import: {describe_count(self.result)}."
        return f"Imported {describe_count(self.result)} into your schedule."


class DemoLoaded(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        c = self.result
        return (
            f"Loaded the demo program Evening IOP: {c['series']} series, {c['attended']} "
            f"attended, {c['missed']} missed, {c['reflections']} reflections."
        )


@dataclass(frozen=True, slots=True)
class Queued:
    """A notice just queued, and whether this profile is enrolled to send it."""

    notice: Any
    enrolled: bool


class NoticeQueued(ActionDone):
    """A notice went into the outbox (delivery follows when online, once enrolled)."""

    @property
    def text(self) -> str:  # type: ignore[override]
        if getattr(self.result, "enrolled", True):
            return "Queued: it goes out as soon as you are online."
        return "Queued: it goes out once you enrol with your program (Settings, ,)."


class MakeupAccepted(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        return f"Added the make-up session {getattr(self.result, 'title', '')} to your schedule."


class MakeupDeclined(ActionDone):
    text = "Declined the make-up slots; your coordinator hears of it as soon as you are online."


class NoticeDiscarded(ActionDone):
    text = "Discarded the queued notice; it will not be sent."


class SettingsSaved(ActionDone):
    text = "Saved your settings."


class Enrolled(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        name = getattr(self.result, "program", "") or "the program"
        removed = getattr(self.result, "demo_removed", None)
        if removed is not None:
            from companion.actions.demo import describe_removed

            return f"Enrolled with {name}. {describe_removed(removed)}"
        return f"Enrolled with {name}. Your schedule syncs from now on."


class Unenrolled(ActionDone):
    text = "Left the program on this device; your local data stays."


class ActionFailed(Message):
    """An action could not be done; ``text`` is one line for the user."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the header's indicator shows: enrolment, the outbox, and how the last real
    request to the program's server went (never a guess between requests)."""

    enrolled: bool = False
    link: str = ""  # the last request: "" none yet, "online", "offline" (no answer), "error"
    queued: int = 0
    failed: int = 0
    message: str = ""  # why the last request did not get through
    last_sync: datetime | None = None  # when a request last got through

    @property
    def online(self) -> bool | None:
        """True when the last request got through; None before the first one."""
        return self.link == "online" if self.link else None


class SyncFinished(Message):
    """A sync round finished (or was not possible); ``result`` is a
    :class:`companion.tui.sync.RoundResult`."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class ReminderDue(Message):
    """A session's reminder time came while the app is open."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def describe_count(result: Any) -> str:
    """'3 series' from an import result (an int, a list or an object with ``count``); for
    an import summary, what changed and what did not: '2 series and 1 day note (3
    unchanged)', or '3 unchanged' when nothing did."""
    if hasattr(result, "unchanged"):
        notes = result.notes
        changed = [(result.changed - notes, "series", "series"), (notes, "day note", "day notes")]
        head = " and ".join(_plural(*c) for c in changed if c[0])
        others = (("unchanged", result.unchanged), ("cancelled", result.cancelled),
                  ("skipped", result.skipped))  # fmt: skip
        rest = ", ".join(f"{len(v)} {k}" for k, v in others if v)
        if head:
            return f"{head} ({rest})" if rest else head
        return rest or "the file has no sessions"
    if isinstance(result, int):
        n = result
    elif isinstance(result, list | tuple):
        n = len(result)
    else:
        n = int(getattr(result, "count", 0) or len(getattr(result, "series", ()) or ()))
    return f"{n} series" if n != 1 else "1 series"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


NO_SYNC_LAYER = (
    "Sending notices needs the sync layer (companion/actions/notify.py), "
    "which this build does not have yet."
)
NO_ICS_LAYER = "Calendar files need companion/actions/ics.py, which this build does not have yet."
NOT_ENROLLED = "Not enrolled with a program: enrol in Settings (,) to sync."


class Loaded(Message):
    """A screen's load worker finished; ``data`` is what the screen shows."""

    def __init__(self, data: Any) -> None:
        super().__init__()
        self.data = data
