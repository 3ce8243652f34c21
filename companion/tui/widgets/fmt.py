"""Short human words for times and progress, shared by the screens."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from companion.domain.schedule import Kind

FULL, EMPTY = "▮", "▯"


def day_label(when: datetime, now: datetime, tz: ZoneInfo) -> str:
    """'today', 'tomorrow', 'yesterday' or 'Mon 30 Nov' (local)."""
    day, today = when.astimezone(tz).date(), now.astimezone(tz).date()
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return when.astimezone(tz).strftime("%a %d %b")


def span_label(start: datetime, end: datetime, now: datetime, tz: ZoneInfo) -> str:
    """'today 18:00-21:00'."""
    return f"{day_label(start, now, tz)} {start.astimezone(tz):%H:%M}-{end.astimezone(tz):%H:%M}"


def duration_words(delta: timedelta) -> str:
    """'48 min', '2 h 5 min', '3 days'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes >= 2 * 1440:
        return f"{minutes // 1440} days"
    if minutes >= 60:
        h, m = divmod(minutes, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    return f"{minutes} min" if minutes else "less than a minute"


def countdown(start: datetime, end: datetime, now: datetime) -> str:
    """The live countdown under the next session."""
    if now < start:
        return f"starts in {duration_words(start - now)}"
    if now < end:
        return f"on now · ends in {duration_words(end - now)}"
    return "over"


def meter(done: int, total: int, width: int | None = None) -> str:
    """'▮▮▮▯▯' with one cell per item (or scaled to ``width``)."""
    if total <= 0:
        return ""
    cells = width or total
    full = round(cells * done / total)
    return FULL * full + EMPTY * (cells - full)


def bar(count: int, most: int, width: int = 16) -> str:
    """A horizontal bar for a count, scaled so ``most`` fills ``width`` cells."""
    if most <= 0:
        return ""
    return FULL * max(1, round(width * count / most)) if count else ""


def offsets_words(offsets: tuple[timedelta, ...] | list[int]) -> str:
    """Reminder offsets as '24h, 30m' (accepts timedeltas or minutes)."""
    from companion.commands.parse import format_offset

    deltas = [o if isinstance(o, timedelta) else timedelta(minutes=o) for o in offsets]
    return ", ".join(format_offset(d) for d in deltas) or "none"


def kind_note(title: str, kind: Kind) -> str:
    """' (group therapy)' after a title, dimmed; nothing when the title already says it
    ("Individual counselling") or the kind says nothing ("session")."""
    return f" [dim]({kind.label})[/]" if kind.after(title) else ""
