"""Bring rows stored before the bounds of issue 10 within them (run once by revision 0003).

Before this revision the server stored whatever a coordinator or a device sent: a series
with ``"sequence": 10000000000000000000`` or ``FREQ=SECONDLY``, a ``javascript:`` join link,
control characters in titles, notices dated in year 1. Each such row now fails the wire
models, so it would stop every client's sync (the changes feed replays it) or answer a
500. This module repairs what can be repaired and removes what cannot:

- a series is repaired field by field (sequence reset, reminders and links dropped when out
  of bounds, control characters removed, bad overrides and extra dates dropped) and
  republished on the changes feed; a series whose rule or times cannot be used at all is
  removed and a ``SeriesRemoved`` goes out, so clients drop it too;
- a notice keeps its content with control characters removed and impossible times
  replaced by its receive time; a reply drops a make-up slot or link that is not valid.

The changes already in the feed are history and stay as they are: a client sets aside
the ones it cannot use (``sync.changes``) and then receives the repaired series.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy import Connection, select, update

from companion.domain.links import is_web_link
from sync.protocol import (
    CancelIn,
    Link,
    MakeupSlot,
    OverrideWire,
    SeriesChanged,
    SeriesRemoved,
    SeriesWire,
)
from sync.server.storage.tables import changes, notices, programs, replies, series, stamp
from sync.wire import MAX_INT, MAX_REMINDER_MIN

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UID_BAD = "\x00\x20\x7f/?#\\"


def _line(value: Any, default: str = "") -> str:
    return _CONTROL.sub("", value) if isinstance(value, str) else default


def _valid(model: type[Any], value: Any) -> bool:
    try:
        model.model_validate(value)
    except ValidationError:
        return False
    return True


def repair_series(body: dict[str, Any]) -> dict[str, Any] | None:
    """The series ``body`` (SeriesWire JSON as a dict) within the bounds, or None when it
    cannot be used at all (its rule, zone or start)."""
    fixed = dict(body)
    for name in ("title", "tzid", "facilitator", "rrule"):
        if name in fixed and fixed[name] is not None:
            fixed[name] = _line(fixed[name])
    fixed["title"] = (fixed.get("title") or "").strip()[:200] or "Session"
    seq = fixed.get("sequence")
    fixed["sequence"] = seq if type(seq) is int and 0 <= seq <= MAX_INT else 0
    reminders = fixed.get("reminders_min") or []
    fixed["reminders_min"] = [
        m for m in reminders if type(m) is int and 0 <= m <= MAX_REMINDER_MIN
    ][:10]
    link = fixed.get("join_url")
    if not isinstance(link, str) or (link and not is_web_link(link)):
        fixed["join_url"] = ""
    duration = fixed.get("duration_min")
    if type(duration) is int:
        fixed["duration_min"] = max(1, min(24 * 60, duration))
    fixed["rdates"] = [d for d in fixed.get("rdates") or [] if _instant(d)][:500]
    fixed["overrides"] = [o for o in fixed.get("overrides") or [] if _override(o)][:2000]
    return fixed if _valid(SeriesWire, fixed) else None


def _instant(value: Any) -> bool:
    return _valid(CancelIn, {"original_start": value})


def _override(value: Any) -> bool:
    return _valid(OverrideWire, value)


def _append(conn: Connection, program_id: int, bodies: list[str], at: str) -> None:
    """Append changes for every client of the program (as ``Tx.append_changes`` does)."""
    if not bodies:
        return
    last = conn.execute(
        update(programs)
        .where(programs.c.id == program_id)
        .values(last_change=programs.c.last_change + len(bodies), last_change_at=at)
        .returning(programs.c.last_change)
    ).scalar_one()
    first = last - len(bodies) + 1
    conn.execute(
        changes.insert(),
        [
            {"program_id": program_id, "seq": first + i, "client_id": None, "body": b, "at": at}
            for i, b in enumerate(bodies)
        ],
    )


def repair_all_series(conn: Connection, now: datetime) -> dict[str, int]:
    """Repair or remove every stored series that no longer validates; counts of each."""
    at = stamp(now)
    counts = {"repaired": 0, "removed": 0}
    published: dict[int, list[str]] = {}
    for program_id, uid, body in conn.execute(select(series.c.program_id, series.c.uid,
                                                     series.c.body)).all():  # fmt: skip
        try:
            SeriesWire.model_validate_json(body)
            continue
        except ValidationError:
            pass
        try:
            loaded = json.loads(body)
        except ValueError:
            loaded = None
        fixed = repair_series(loaded) if isinstance(loaded, dict) else None
        key = (series.c.program_id == program_id) & (series.c.uid == uid)
        if fixed is None or fixed.get("uid") != uid:
            conn.execute(series.delete().where(key))
            removed = SeriesRemoved.model_construct(uid=quote(uid, safe=""))
            published.setdefault(program_id, []).append(removed.model_dump_json())
            counts["removed"] += 1
            continue
        wire = SeriesWire.model_validate(fixed)
        conn.execute(update(series).where(key).values(body=wire.model_dump_json(), updated_at=at))
        published.setdefault(program_id, []).append(SeriesChanged(series=wire).model_dump_json())
        counts["repaired"] += 1
    for program_id, bodies in published.items():
        _append(conn, program_id, bodies, at)
    return counts


def _window(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 27 and "1900" <= text[:4] <= "2200"


def repair_notices(conn: Connection) -> int:
    """Notices and replies within the bounds; how many rows were changed."""
    changed = 0
    cols = (notices.c.id, notices.c.series_uid, notices.c.title, notices.c.message,
            notices.c.shared_reflection, notices.c.original_start, notices.c.start,
            notices.c.created_at, notices.c.received_at)  # fmt: skip
    for row in conn.execute(select(*cols)).all():
        nid, uid, title, message, reflection, original, start, created, received = row
        fixed = {
            "series_uid": "".join(quote(c, safe="") if c in _UID_BAD else c for c in uid),
            "title": _line(title).strip()[:200] or "Session",
            "message": _CONTROL_TEXT.sub("", message or ""),
            "shared_reflection": _CONTROL_TEXT.sub("", reflection) if reflection else reflection,
            "original_start": original if _window(original) else received,
            "start": start if _window(start) else received,
            "created_at": created if _window(created) else received,
        }
        before = dict(zip(fixed, (uid, title, message, reflection, original, start, created),
                          strict=True))  # fmt: skip
        if fixed != before:
            conn.execute(update(notices).where(notices.c.id == nid).values(**fixed))
            changed += 1
    for rid, text, makeup, links in conn.execute(
        select(replies.c.id, replies.c.text, replies.c.makeup, replies.c.materials)
    ).all():
        kept_makeup = makeup if makeup is None or _valid_json(MakeupSlot, makeup) else None
        try:
            items = json.loads(links or "[]")
        except ValueError:
            items = []
        kept = [x for x in items if isinstance(x, dict) and _valid(Link, x)] if isinstance(
            items, list) else []  # fmt: skip
        fixed_links = "[" + ",".join(Link.model_validate(x).model_dump_json() for x in kept) + "]"
        clean = _CONTROL_TEXT.sub("", text or "")
        if (clean, kept_makeup) != (text, makeup) or len(kept) != len(
            items if isinstance(items, list) else []
        ):
            conn.execute(
                update(replies)
                .where(replies.c.id == rid)
                .values(text=clean, makeup=kept_makeup, materials=fixed_links)
            )
            changed += 1
    return changed


def _valid_json(model: type[Any], text: str) -> bool:
    try:
        model.model_validate_json(text)
    except ValidationError:
        return False
    return True


def repair(conn: Connection) -> dict[str, int]:
    """Everything above, in the caller's transaction."""
    counts = repair_all_series(conn, datetime.now(UTC))
    counts["notices"] = repair_notices(conn)
    return counts
