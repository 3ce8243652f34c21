"""How the dashboard words things: times in the program's zone, notice lines, attendance bars.

Pure formatting over domain values (no database, no HTTP), so every page says the same
thing the same way and the client app's domain code decides what the numbers mean.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from companion.domain.attendance import UnexcusedCount, WeekSummary, at_risk
from companion.domain.journal import Barrier, JournalError
from companion.domain.notices import humanize_delta, makeup_uid
from sync.protocol import Link
from sync.server.schedules import slots_of
from sync.server.storage.tables import unstamp

CLOCK_SLACK = timedelta(minutes=10)  # a device clock off by less is not worth a word


def when(moment: datetime, tz: ZoneInfo) -> str:
    """'Mon 30 Nov 18:00' in the program's zone."""
    return moment.astimezone(tz).strftime("%a %d %b %H:%M")


def barrier_label(value: str) -> str:
    try:
        return Barrier.parse(value).label
    except JournalError:
        return value


@dataclass(frozen=True, slots=True)
class ReplyLine:
    at: str
    status: str
    text: str
    makeup: str  # "" when none offered
    materials: list[dict[str, str]] = field(default_factory=list)
    by: str = ""  # the coordinator's email
    answer: str = ""  # the client's answer to the make-up slots (issue 14)
    roster_url: str = ""  # the accepted make-up's roster


def reply_line(r: Mapping[str, Any], tz: ZoneInfo) -> ReplyLine:
    """A stored reply (``replies`` row plus the coordinator's ``email``) as pages show it."""
    makeup = ""
    slots = slots_of(r["makeup"], r.get("makeup_slots"))
    if slots:
        makeup = " or ".join(
            (f"{i}) " if len(slots) > 1 else "") + makeup_text(s.start, s.end, tz)
            for i, s in enumerate(slots, 1)
        )
    answer, roster = "", ""
    choice = r.get("choice")
    if choice is not None and choice["slot"] is None:
        answer = "client declined the make-up"
    elif choice is not None and choice["start"]:
        start = unstamp(choice["start"])
        picked = makeup_text(start, unstamp(choice["end"]), tz)
        answer = f"client accepted slot {choice['slot']}: {picked}"
        query = urlencode({"series": makeup_uid(r["id"]), "start": choice["start"]})
        roster = f"/attendance/roster?{query}"
    links = [Link.model_validate(x) for x in json.loads(r["materials"] or "[]")]
    return ReplyLine(
        at=when(unstamp(r["at"]), tz),
        status=r["status"],
        text=r["text"] or "",
        makeup=makeup,
        materials=[{"title": link.title, "url": str(link.url)} for link in links],
        by=r.get("email") or "",
        answer=answer,
        roster_url=roster,
    )


@dataclass(frozen=True, slots=True)
class NoticeLine:
    """One notice as the inbox shows it."""

    id: str
    client_id: int
    client_name: str
    title: str
    when: str
    timing: str
    lead: str  # how long before (or after) the session it reached the server
    barrier: str
    message: str
    makeup: bool
    shared_reflection: str | None
    status: str
    received: str
    replies: list[ReplyLine] = field(default_factory=list)
    clock: str = ""  # "device clock 2 h behind", when the device's clock looks wrong


def clock_note(offset: object, created: datetime, received: datetime) -> str:
    """What the inbox says about the sending device's clock; "" when nothing is worth it.

    ``offset`` (the device's clock minus the server's at delivery, from its ``Date``
    header) is measured when the notice is sent, so a notice queued offline for hours is
    not mistaken for a wrong clock. Without it, only a notice written "in the future"
    proves a clock ahead; one written long before it arrived may have waited offline, so
    it is said neutrally.
    """
    if isinstance(offset, int):
        if abs(offset) < CLOCK_SLACK.total_seconds():
            return ""
        side = "ahead" if offset > 0 else "behind"
        return f"device clock {humanize_delta(timedelta(seconds=offset))} {side}"
    if created - received > CLOCK_SLACK:
        return f"device clock {humanize_delta(created - received)} ahead"
    if received - created > timedelta(hours=1):
        return f"written {humanize_delta(received - created)} before it arrived"
    return ""


def notice_line(row: Mapping[str, object], tz: ZoneInfo, replies: list[ReplyLine]) -> NoticeLine:
    """A notice row (keys as the ``notices`` table plus ``client_name``) for the inbox.
    Timing and lead are the server's: the session's start against the receive time."""
    start = row["start"]
    created = row["created_at"]
    received = row["received_at"]
    assert isinstance(start, datetime) and isinstance(created, datetime)
    assert isinstance(received, datetime)
    return NoticeLine(
        id=str(row["id"]),
        client_id=int(row["client_id"]),  # type: ignore[call-overload]
        client_name=str(row["client_name"]),
        title=str(row["title"]),
        when=when(start, tz),
        timing=str(row["timing"]),
        lead=humanize_delta(start - received),
        barrier=barrier_label(str(row["barrier"])),
        message=str(row["message"] or ""),
        makeup=bool(row["makeup"]),
        shared_reflection=(str(row["shared_reflection"]) if row["shared_reflection"] else None),
        status=str(row["status"]),
        received=when(received, tz),
        replies=replies,
        clock=clock_note(row.get("clock_offset_s"), created, received),
    )


def makeup_text(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    return f"{when(start, tz)}-{end.astimezone(tz).strftime('%H:%M')}"


@dataclass(frozen=True, slots=True)
class ClientRow:
    """A client's attendance against the policy, as the clients page shows it."""

    id: int
    name: str
    devices: int
    revoked: bool
    week_bar: str
    week_text: str
    forecast: str
    month_text: str
    unexcused: int
    at_risk: bool
    risk_reason: str
    discharged: bool = False


def client_row(
    client_id: int,
    name: str,
    devices: int,
    revoked: bool,
    week: WeekSummary,
    month: tuple[int, int],
    unexcused: UnexcusedCount,
    discharged: bool = False,
) -> ClientRow:
    """``month`` is (attended, decided) over the last four weeks."""
    bar = "▮" * week.attended + "▯" * (week.counted - week.attended)
    attended, total = month
    month_text = f"{attended} of {total} ({round(100 * attended / total)}%)" if total else "—"
    risky = not revoked and not discharged and at_risk(week, unexcused)
    reason = risk_reason(week, unexcused)
    return ClientRow(
        id=client_id,
        name=name,
        devices=devices,
        revoked=revoked,
        week_bar=bar,
        week_text=f"{week.attended} of {week.counted} attended",
        forecast=week.coordinator_forecast(),
        month_text=month_text,
        unexcused=unexcused.count,
        at_risk=risky,
        risk_reason=reason,
        discharged=discharged,
    )


def risk_reason(week: WeekSummary, unexcused: UnexcusedCount) -> str:
    """Why a client is at risk, in a few words ("" when they are not)."""
    if not week.recoverable:
        return f"{week.attended} of {week.counted}, policy {round(week.threshold * 100)}%"
    if unexcused.at_limit:
        return f"{unexcused.count} unexcused in {unexcused.window_days} days"
    return ""


def parse_day(text: str | None) -> date | None:
    """A date from an ``<input type=date>`` (empty or malformed: None)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def day_end(day: date, tz: ZoneInfo) -> datetime:
    """The start of the day after ``day``: ranges are half-open."""
    return day_start(day + timedelta(days=1), tz)
