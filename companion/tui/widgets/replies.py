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
    from companion.store.repo_sync import Reply

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
    offer = reply.makeup
    if offer is not None:
        when = f"{offer.start.astimezone(tz):%a %d %b %H:%M}"
        if offer.accepted_uid:
            line += f"\n  [$success]make-up {when} accepted[/]"
        else:
            line += f"\n  [$accent]offers a make-up {when}[/] · accept it on Notify (n)"
    return line


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
