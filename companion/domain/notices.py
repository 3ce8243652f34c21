"""Absence notices: what the notify-coordinator action sends, and what the coordinator sees.

A notice has a client-made UUID that is also its idempotency key at the server. It is
*advance* when sent before the session starts (the occurrence becomes excused) and
*after* otherwise (the occurrence is missed and gets a catch-up checklist).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from companion.domain.journal import Barrier
from companion.domain.schedule import makeup_reply_id as makeup_reply_id  # re-exported
from companion.domain.schedule import makeup_uid as makeup_uid


class Timing(StrEnum):
    ADVANCE = "advance"
    AFTER = "after"


class NoticeState(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    FAILED = "failed"


MESSAGE_LIMIT = 2000
# A delivered notice (with the replies and make-up offers to it) stays in the client's
# outbox this long after delivery, then a sync removes it: the program keeps its own copy
# as long as its retention says. Notices not delivered, and the journal, are never purged.
KEEP_DELIVERED_NOTICES = timedelta(days=365)
REFLECTION_LIMIT = 8000


@dataclass(frozen=True, slots=True)
class AbsenceNotice:
    """One notice to the coordinator about one occurrence."""

    id: str  # UUID, made by the client
    series_uid: str
    original_start: datetime  # UTC
    title: str
    start: datetime  # UTC: when the session starts (as moved)
    timing: Timing
    barrier: Barrier
    created_at: datetime
    message: str = ""
    makeup: bool = False
    shared_reflection: str | None = None
    state: NoticeState = NoticeState.QUEUED

    def __post_init__(self) -> None:
        if len(self.message) > MESSAGE_LIMIT:
            raise ValueError(f"the message is limited to {MESSAGE_LIMIT} characters")
        if self.shared_reflection and len(self.shared_reflection) > REFLECTION_LIMIT:
            raise ValueError(f"a shared reflection is limited to {REFLECTION_LIMIT} characters")


def new_notice_id() -> str:
    import uuid  # here: uuid loads platform, and most commands make no notice

    return str(uuid.uuid4())


def timing_for(start: datetime, now: datetime) -> Timing:
    """Advance when the session has not started yet."""
    return Timing.ADVANCE if now < start else Timing.AFTER


def humanize_delta(delta: timedelta) -> str:
    """'4 days', '2 h', '35 min': the lead or lag of a notice."""
    secs = abs(int(delta.total_seconds()))
    if secs >= 2 * 86400:
        return f"{secs // 86400} days"
    if secs >= 3600:
        return f"{secs // 3600} h"
    return f"{max(1, secs // 60)} min"


def preview(notice: AbsenceNotice, client_name: str, tz: ZoneInfo) -> str:
    """Exactly what the coordinator will read, as plain text. Without a name (not enrolled,
    none in Settings) it reads as the dashboard lists it, under the name the program
    knows: "Will miss …", never "You will miss …"."""
    when = notice.start.astimezone(tz).strftime("%a %d %b %H:%M")
    lead = humanize_delta(notice.start - notice.created_at)
    if notice.timing is Timing.ADVANCE:
        head = f"will miss {notice.title} on {when} (notice {lead} ahead)."
    else:
        head = f"missed {notice.title} on {when} (told {lead} after)."
    head = f"{client_name.strip()} {head}" if client_name.strip() else head[0].upper() + head[1:]
    parts = [head, f"Reason: {notice.barrier.label}."]
    if notice.message.strip():
        parts.append(f'"{notice.message.strip()}"')
    if notice.makeup:
        parts.append("Wants a make-up.")
    if notice.shared_reflection:
        parts.append("A reflection is attached.")
    return " ".join(parts)


def delivered_words(notices: int, choices: int) -> str:
    """What a sync delivered, in words: '2 notices', '1 notice and 1 make-up choice'."""
    parts = [f"{n} {w}{'s' if n != 1 else ''}"
             for n, w in ((notices, "notice"), (choices, "make-up choice")) if n]  # fmt: skip
    return " and ".join(parts)
