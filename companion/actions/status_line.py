"""`companion status --line` and `--format`: one short line for tmux, waybar or i3blocks.

A status bar may run this every few seconds, so it reads what `status` reads and nothing
more. In discreet mode the session is "Appointment", as in the calendar feed.
"""

from __future__ import annotations

import string
from datetime import datetime
from zoneinfo import ZoneInfo

from companion.actions.today import TodayView
from companion.errors import UserError

DISCREET_TITLE = "Appointment"
FIELDS: dict[str, str] = {
    "next": "the next session's title ('' when none)",
    "start": "its start, HH:MM (with the weekday when not today)",
    "in": "how long until it starts: '48 min', '3 h', '2 d', 'now'",
    "join": "its join link ('' in discreet mode or when none)",
    "attended": "sessions attended this week (made-up included)",
    "week": "sessions that count this week (all but cancelled)",
    "rate": "this week's attendance so far, e.g. 75% ('-' before any)",
    "policy": "the program's weekly line, e.g. 80%",
    "queued": "notices waiting to be delivered",
    "failed": "notices the server refused",
    "catchup": "open catch-up checklists",
    "unexcused": "unexcused absences in the policy window",
}
FIELD_HELP = "; ".join(f"{{{name}}} {about}" for name, about in FIELDS.items())


def until(start: datetime, end: datetime, now: datetime) -> str:
    """'now' while it runs, else the time to its start rounded down: '48 min', '3 h', '2 d'."""
    if start <= now < end:
        return "now"
    minutes = max(0, int((start - now).total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def values(view: TodayView, tz: ZoneInfo, discreet: bool) -> dict[str, str]:
    """Every field of ``FIELDS`` as text."""
    week, nxt = view.week, view.next_occurrence
    found = {"next": "", "start": "", "in": "", "join": ""}
    if nxt is not None:
        start, now = nxt.start.astimezone(tz), view.now.astimezone(tz)
        same_day = start.date() == now.date()
        found = {
            "next": DISCREET_TITLE if discreet else nxt.title,
            "start": f"{start:%H:%M}" if same_day else f"{start:%a %H:%M}",
            "in": until(nxt.start, nxt.end, view.now),
            "join": "" if discreet else nxt.join_url,
        }
    return {
        **found,
        "attended": str(week.attended),
        "week": str(week.counted),
        "rate": "-" if week.rate is None else f"{week.rate:.0%}",
        "policy": f"{week.threshold:.0%}",
        "queued": str(view.outbox.get("queued", 0)),
        "failed": str(view.outbox.get("failed", 0)),
        "catchup": str(len(view.open_checklists)),
        "unexcused": str(view.unexcused.count),
    }


def line(view: TodayView, tz: ZoneInfo, discreet: bool) -> str:
    """'next: Process Group 18:00 (in 48 min) · 3/5 · 1 queued'; the parts with nothing to
    say are left out."""
    v = values(view, tz, discreet)
    if not v["next"]:
        head = "no session scheduled"
    elif v["in"] == "now":
        head = f"now: {v['next']} (since {v['start']})"
    else:
        head = f"next: {v['next']} {v['start']} (in {v['in']})"
    parts = [head, f"{v['attended']}/{v['week']}"] if v["week"] != "0" else [head]
    parts += [f"{v[k]} {k}" for k in ("queued", "failed") if v[k] != "0"]
    return " · ".join(parts)


def check_format(template: str) -> str:
    """``template`` when every ``{field}`` in it is one of ``FIELDS`` (no attributes, indexes
    or conversions); else a one-line UserError naming the fields there are."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise UserError(f"bad --format {template!r}: {exc} (use {{{{ for a brace)") from None
    for _text, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            raise UserError(
                f"--format has {{{name}}}: use only {', '.join('{' + f + '}' for f in FIELDS)}"
            )
    return template


def formatted(template: str, view: TodayView, tz: ZoneInfo, discreet: bool) -> str:
    return check_format(template).format_map(values(view, tz, discreet))
