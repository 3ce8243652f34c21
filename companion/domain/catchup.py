"""Catch-up checklists: what to do after a missed session, by session kind.

Group sessions are usually not recorded (confidentiality), so their template asks for
notes and a handout; workshops have recordings. Items with a ``key`` tick themselves
when the app can tell they are done (a reflection saved, a notice delivered).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from companion.domain.schedule import Kind

TELL = "tell_coordinator"
REFLECT = "reflect"
MAKEUP = "makeup"
NOTES = "notes"
HANDOUT = "handout"
RECORDING = "recording"

ITEM_TEXT = {
    TELL: "tell the coordinator",
    NOTES: "read the session notes",
    RECORDING: "watch the recording",
    HANDOUT: "do the handout",
    REFLECT: "reflect on what got in the way",
    MAKEUP: "ask about a make-up session",
}

TEMPLATES: dict[Kind, tuple[str, ...]] = {
    Kind.GROUP: (TELL, NOTES, HANDOUT, REFLECT, MAKEUP),
    Kind.INDIVIDUAL: (TELL, MAKEUP, REFLECT),
    Kind.WORKSHOP: (TELL, RECORDING, HANDOUT, REFLECT),
    Kind.OTHER: (TELL, REFLECT),
}


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One step of a catch-up checklist. ``key`` is empty for items the client added."""

    text: str
    key: str = ""
    done_at: datetime | None = None
    link: str = ""  # materials from the coordinator
    id: int | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True, slots=True)
class CatchUpChecklist:
    """The checklist of one missed occurrence."""

    series_uid: str
    original_start: datetime
    title: str
    kind: str
    items: tuple[ChecklistItem, ...] = field(default_factory=tuple)

    @property
    def done_count(self) -> int:
        return sum(1 for i in self.items if i.done)

    @property
    def complete(self) -> bool:
        return bool(self.items) and self.done_count == len(self.items)

    def progress(self) -> str:
        return f"{self.done_count} of {len(self.items)}"


def template_items(kind: Kind | str) -> tuple[ChecklistItem, ...]:
    """The starting items for a session of ``kind``."""
    keys = TEMPLATES[Kind.of(kind)]
    return tuple(ChecklistItem(text=ITEM_TEXT[k], key=k) for k in keys)


def tick(items: tuple[ChecklistItem, ...], key: str, when: datetime) -> tuple[ChecklistItem, ...]:
    """Tick the item with ``key`` (the self-ticking hook), leaving ticked ones as they are."""
    return tuple(replace(i, done_at=when) if i.key == key and not i.done else i for i in items)
