"""Lines about notices and replies: the outbox state and what the coordinator said.

Entries and replies come from the sync layer (``companion.actions.notify``): an
``OutboxEntry`` wraps an ``AbsenceNotice`` with its delivery state; a ``Reply`` carries
the coordinator's text, materials and perhaps a make-up offer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual.markup import escape

if TYPE_CHECKING:
    from companion.store.repo_outbox import OutboxEntry
    from companion.store.repo_sync import MakeupOffer, Reply, Slot

STATE_STYLE = {
    "queued": "$warning",
    "failed": "$error",
    "delivered": "$success",
    "acknowledged": "$success",
}
STATE_WORDS = {
    "queued": "queued: goes out when online",
    "failed": "refused by the server",
    "delivered": "delivered",
    "acknowledged": "acknowledged",
}


def notice_line(entry: OutboxEntry, tz: ZoneInfo) -> str:
    """'Process Group · Mon 30 Nov 18:00  queued: goes out when online'."""
    n = entry.notice
    state = n.state.value
    line = (
        f"{escape(n.title)} · {n.start.astimezone(tz):%a %d %b %H:%M}  "
        f"[{STATE_STYLE.get(state, '$foreground')}]{STATE_WORDS.get(state, state)}[/]"
    )
    if entry.delivered_at is not None and state != "queued":
        line += f" [dim]{entry.delivered_at.astimezone(tz):%a %H:%M}[/]"
    if entry.last_error and state in ("queued", "failed"):
        line += f" [dim]({escape(entry.last_error)})[/]"
    return line


def reply_line(reply: Reply, tz: ZoneInfo) -> str:
    """'Tue: "Thanks for letting us know." (Skills workshop)', materials and a make-up offer."""
    text = reply.text.strip() or (
        "Acknowledged your notice." if reply.status == "acknowledged" else "Replied."
    )
    line = f'{reply.at.astimezone(tz):%a}: "{escape(text)}"'
    if reply.notice_title:
        line += f" [dim]({escape(reply.notice_title)})[/]"
    for title, url in reply.materials:
        line += f"\n  → {escape(title)}: [u]{escape(url)}[/u]"
    if reply.makeup is not None:
        line += f"\n  {offer_words(reply.makeup, tz)}"
    return line


def slot_words(slot: Slot, tz: ZoneInfo) -> str:
    """'Sat 28 Nov 10:00-11:00 · Make-up group'."""
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    return f"{start:%a %d %b %H:%M}-{end:%H:%M} · {slot.title}"


def chosen_slot(offer: MakeupOffer) -> int | None:
    """The slot the client accepted (1-3), or None (not yet, or declined)."""
    return (offer.chosen_slot or 1) if offer.accepted_uid else None


def makeup_cell(offer: MakeupOffer | None, tz: ZoneInfo) -> str:
    """The Replies table's make-up column: 'slot 2 accepted · Thu 03 Dec 18:00',
    'declined', '2 slots offered (a)' or 'offered Sat 28 Nov 10:00 (a)'."""
    if offer is None:
        return ""
    slots, picked = offer.all_slots(), chosen_slot(offer)
    if picked is not None:
        name = f"slot {picked} accepted" if len(slots) > 1 else "accepted"
        return f"{name} · {slots[picked - 1].start.astimezone(tz):%a %d %b %H:%M}"
    if offer.declined:
        return "declined"
    if len(slots) > 1:
        return f"{len(slots)} slots offered (a)"
    return f"offered {slots[0].start.astimezone(tz):%a %d %b %H:%M} (a)"


def offer_words(offer: MakeupOffer, tz: ZoneInfo) -> str:
    """The offer and the client's answer, in one line of markup."""
    slots, picked = offer.all_slots(), chosen_slot(offer)
    if picked is not None:
        name = f"make-up slot {picked}" if len(slots) > 1 else "make-up"
        return f"[$success]{name} {escape(slot_words(slots[picked - 1], tz))} accepted[/]"
    if offer.declined:
        return "[dim]declined the make-up slots[/]"
    if len(slots) == 1:
        when = f"{slots[0].start.astimezone(tz):%a %d %b %H:%M}"
        return f"[$accent]offers a make-up {when}[/] · accept it on Notify (n)"
    times = ", ".join(f"{s.start.astimezone(tz):%a %d %b %H:%M}" for s in slots)
    return f"[$accent]offers {len(slots)} make-up slots: {times}[/] · pick one on Notify (n)"


def coordinator_lines(
    outbox: list[OutboxEntry], replies: list[Reply], enrolled: bool, tz: ZoneInfo
) -> list[str]:
    """Today's "From your coordinator" panel: newest replies, then notices not yet through."""
    lines = [reply_line(r, tz) for r in replies[:3]]
    pending = [e for e in outbox if e.notice.state.value in ("queued", "failed")]
    if pending:
        lines.append("[b]Outbox[/b]")
        lines.extend(f"  {notice_line(e, tz)}" for e in pending[:3])
    if not lines:
        lines.append("[dim]No replies yet.[/]")
    if not enrolled:
        lines.append("[dim]Not enrolled: enrol in Settings (,) to hear from your coordinator.[/]")
    return lines
