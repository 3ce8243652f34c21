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
from sync.server.storage.repo_records import RecordQueries
from sync.server.storage.tables import notices, replies, series, stamp
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


class _Records(RecordQueries):
    """The storage queries on the migration's connection (the change log's one writer)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn


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
        _Records(conn).append_changes(program_id, [(None, b) for b in bodies], at)
    return counts


def _window(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 27 and "1900" <= text[:4] <= "2200"


def repair_notices(conn: Connection) -> int:
    """Notices within the bounds (their text without control characters, impossible
    times replaced by the receive time); how many rows were changed."""
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
    return changed


def repair_reply(text: str, makeup: str | None, links: str) -> dict[str, Any]:
    """A reply's columns within the bounds: a make-up slot or a link that does not
    validate is dropped (the client could not use it), control characters removed."""
    if makeup is not None:
        try:
            MakeupSlot.model_validate_json(makeup)
        except ValidationError:
            makeup = None
    try:
        items = json.loads(links or "[]")
    except ValueError:
        items = []
    kept = [x for x in items if isinstance(x, dict) and _valid(Link, x)] if isinstance(
        items, list) else []  # fmt: skip
    materials = "[" + ",".join(Link.model_validate(x).model_dump_json() for x in kept) + "]"
    return {"text": _CONTROL_TEXT.sub("", text or ""), "makeup": makeup, "materials": materials}


def repair_replies(conn: Connection) -> int:
    """Every reply through :func:`repair_reply`; how many rows were changed."""
    changed = 0
    cols = (replies.c.id, replies.c.text, replies.c.makeup, replies.c.materials)
    for rid, text, makeup, links in conn.execute(select(*cols)).all():
        fixed = repair_reply(text, makeup, links)
        valid_before = fixed["text"] == text and fixed["makeup"] == makeup
        if not valid_before or json.loads(fixed["materials"]) != _loads(links):
            conn.execute(update(replies).where(replies.c.id == rid).values(**fixed))
            changed += 1
    return changed


def _loads(text: str) -> Any:
    try:
        return json.loads(text or "[]")
    except ValueError:
        return None


def repair(conn: Connection) -> dict[str, int]:
    """Everything above, in the caller's transaction (the migration's)."""
    counts = repair_all_series(conn, datetime.now(UTC))
    counts["notices"] = repair_notices(conn)
    counts["replies"] = repair_replies(conn)
    return counts
