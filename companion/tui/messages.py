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

from companion.domain.attendance import Status


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
        if view.status is Status.UPCOMING:
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
        return f"Imported {describe_count(self.result)} into your schedule."


class DemoLoaded(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        c = self.result
        return (
            f"Loaded the demo program Evening IOP: {c['series']} series, {c['attended']} "
            f"attended, {c['missed']} missed, {c['reflections']} reflections."
        )


class NoticeQueued(ActionDone):
    """A notice went into the outbox (delivery follows when online)."""

    text = "Queued: it goes out as soon as you are online."


class MakeupAccepted(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        return f"Added the make-up session {getattr(self.result, 'title', '')} to your schedule."


class NoticeDiscarded(ActionDone):
    text = "Discarded the queued notice; it will not be sent."


class SettingsSaved(ActionDone):
    text = "Saved your settings."


class Enrolled(ActionDone):
    @property
    def text(self) -> str:  # type: ignore[override]
        name = getattr(self.result, "program", "") or "the program"
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
    """What the header's indicator shows."""

    enrolled: bool = False
    online: bool | None = None  # None: not tried yet
    queued: int = 0
    failed: int = 0
    message: str = ""
    last_sync: datetime | None = None


class SyncFinished(Message):
    """A sync round finished (or was not possible); carries the new indicator state."""

    def __init__(
        self,
        state: SyncState,
        delivered: int = 0,
        replies: int = 0,
        changed: int = 0,
        set_aside: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.state, self.delivered, self.replies, self.changed = state, delivered, replies, changed
        self.set_aside = set_aside


class ReminderDue(Message):
    """A session's reminder time came while the app is open."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def describe_count(result: Any) -> str:
    """'3 series' from an import result (an int, a list or an object with ``count``)."""
    if isinstance(result, int):
        n = result
    elif isinstance(result, list | tuple):
        n = len(result)
    else:
        n = int(getattr(result, "count", 0) or len(getattr(result, "series", ()) or ()))
    return f"{n} series" if n != 1 else "1 series"


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
