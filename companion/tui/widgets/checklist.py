"""Catch-up checklists as text lines (Today) and as selectable rows (Catch-up)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from textual.markup import escape

from companion.domain.catchup import CatchUpChecklist, ChecklistItem
from companion.tui.widgets.fmt import meter


def heading(checklist: CatchUpChecklist, tz: ZoneInfo) -> str:
    """'Mon 23 Nov · Skills workshop   ▮▮▮▯  3 of 4'."""
    when = checklist.original_start.astimezone(tz).strftime("%a %d %b")
    done, total = checklist.done_count, len(checklist.items)
    colour = "$success" if checklist.complete else "$accent"
    return (
        f"[b]{when} · {escape(checklist.title)}[/b]  [{colour}]{meter(done, total)}[/]  "
        f"{done} of {total}"
    )


def item_line(item: ChecklistItem, tz: ZoneInfo) -> str:
    """'[x] tell the coordinator (done Mon 19:02)' or '[ ] do the handout → link'."""
    box = "[$success]\\[x][/]" if item.done else "\\[ ]"
    text = escape(item.text)
    if item.done:
        text = f"[dim]{text}[/]"
        if item.done_at is not None:
            text += f" [dim]({item.done_at.astimezone(tz):%a %H:%M})[/]"
    if item.link:
        text += f"  → [u]{escape(item.link)}[/u]"
    return f"{box} {text}"


def checklist_lines(checklist: CatchUpChecklist, tz: ZoneInfo) -> list[str]:
    return [heading(checklist, tz), *(f"  {item_line(i, tz)}" for i in checklist.items)]
