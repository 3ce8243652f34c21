"""Coordinator operations, with no HTTP: the notice inbox, replies, materials and program
series (attendance is ``attendance.py``, sign-in ``signin.py``).

The JSON API (``api/coordinator_*.py``) and the web dashboard (``web/``) both call these.
Every function takes the caller's :class:`CoordinatorAuth` and only ever touches rows of
that coordinator's program: another program's notice, series or client is NotFound,
exactly as if it did not exist. Functions taking a ``tx`` run on a database thread via
``Database.read``/``write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.domain.schedule import ScheduleError, original_starts
from sync.protocol import (
    CoordinatorNotice,
    MakeupSlot,
    MaterialAdded,
    MaterialIn,
    NoticeStatus,
    OverrideWire,
    ReplyIn,
    ReplyPosted,
    SeriesChanged,
    SeriesRemoved,
    SeriesWire,
    series_from_wire,
)
from sync.server import audit
from sync.server.core import NotFound, notice_out
from sync.server.schedules import usable_wires
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp
from sync.wire import MAX_INT

MAKEUP_AHEAD = timedelta(days=366)
HAS_ATTENDANCE = "this session has attendance recorded; it cannot be cancelled"


@dataclass(frozen=True, slots=True)
class Invalid:
    """The request is well-formed but names something impossible (422)."""

    detail: str


@dataclass(frozen=True, slots=True)
class Exists:
    detail: str


# -- notices and replies ---------------------------------------------------------------------


def _coordinator_notice(row: dict) -> CoordinatorNotice:
    base = notice_out(row).model_dump()
    return CoordinatorNotice(**base, client_id=row["client_id"], client_name=row["client_name"])


def list_notices(tx: Tx, auth: CoordinatorAuth, *, status: str | None = None,
                 client_id: int | None = None, since: datetime | None = None,
                 until: datetime | None = None, limit: int = 100, offset: int = 0,
                 now: datetime | None = None) -> list[CoordinatorNotice]:  # fmt: skip
    """The program's notices, newest first, filtered by status, client and received time;
    each one shown is a ``notice.viewed`` entry (run it in a write transaction)."""
    rows = tx.notices_of(
        auth.program_id, status=status, client_id=client_id,
        since=stamp(since) if since else None, until=stamp(until) if until else None,
        limit=limit, offset=offset,
    )  # fmt: skip
    viewed(tx, auth, rows, now)
    return [_coordinator_notice(r) for r in rows]


def viewed(tx: Tx, auth: CoordinatorAuth, rows: list[dict], now: datetime | None) -> None:
    """The audit entries of notices shown to the coordinator (``now`` None: none)."""
    if now is not None:
        items = [(r["client_id"], str(r["id"]), None) for r in rows]
        audit.record_many(tx, auth, "notice.viewed", now, items)


def get_notice(tx: Tx, auth: CoordinatorAuth, notice_id: str) -> CoordinatorNotice | NotFound:
    """A notice of the program, looked up (no audit entry: see :func:`view_notice`)."""
    rows = tx.notices_of(auth.program_id, notice_id=notice_id, limit=1)
    return _coordinator_notice(rows[0]) if rows else NotFound("no such notice")


def view_notice(tx: Tx, auth: CoordinatorAuth, notice_id: str,
                now: datetime) -> CoordinatorNotice | NotFound:  # fmt: skip
    """A notice shown to the coordinator: looked up, and recorded as viewed."""
    rows = tx.notices_of(auth.program_id, notice_id=notice_id, limit=1)
    viewed(tx, auth, rows, now)
    return _coordinator_notice(rows[0]) if rows else NotFound("no such notice")


def acknowledge(tx: Tx, auth: CoordinatorAuth, notice_id: str,
                now: datetime) -> CoordinatorNotice | NotFound:  # fmt: skip
    """Mark a notice seen; the client learns it through the changes feed."""
    result = reply(tx, auth, notice_id, None, now)
    assert not isinstance(result, Invalid)  # nothing to refuse without a body
    return result


def check_makeup(slot: MakeupSlot, now: datetime) -> Invalid | None:
    """A make-up slot is offered for the coming year, not the past (a client cannot attend
    a slot that is over, and one decades ahead is a typo)."""
    if slot.start < now:
        return Invalid("a make-up slot must start in the future")
    if slot.start > now + MAKEUP_AHEAD:
        return Invalid("a make-up slot must start within a year")
    return None


def reply(tx: Tx, auth: CoordinatorAuth, notice_id: str, body: ReplyIn | None,
          now: datetime) -> CoordinatorNotice | NotFound | Invalid:  # fmt: skip
    """Reply to a notice (text, make-up slot, links); ``body=None`` only acknowledges."""
    found = get_notice(tx, auth, notice_id)
    if isinstance(found, NotFound):
        return found
    offered = body.slots() if body else []
    problem = next((p for p in (check_makeup(s, now) for s in offered) if p), None)
    if problem is not None:
        return problem
    status: NoticeStatus = (
        "replied" if body is not None or found.status == "replied" else "acknowledged"
    )
    reply_given = body is not None
    body = body or ReplyIn()
    at = stamp(now)
    makeup = offered[0].model_dump_json() if offered else None
    every = "[" + ",".join(s.model_dump_json() for s in offered) + "]" if offered else None
    links = "[" + ",".join(link.model_dump_json() for link in body.materials) + "]"
    reply_id = tx.add_reply(notice_id, auth.coordinator_id, status, body.text, makeup, links, at,
                            every)  # fmt: skip
    tx.set_notice_status(notice_id, status)
    # ``makeups`` only when there is a choice: a client from before issue 14 reads the rest.
    change = ReplyPosted(id=reply_id, notice_id=found.id, status=status, text=body.text,
                         makeup=offered[0] if offered else None, materials=body.materials,
                         at=now, makeups=offered if len(offered) > 1 else None)  # fmt: skip
    tx.append_changes(auth.program_id, [(found.client_id, change.model_dump_json())], at)
    what = "notice.replied" if reply_given else "notice.acknowledged"
    detail = f"make-up offered ({len(offered)} slots)" if len(offered) > 1 else (
        "make-up offered" if offered else None)  # fmt: skip
    audit.record(tx, auth, what, now, client_id=found.client_id, target=notice_id, detail=detail)
    return found.model_copy(update={"status": status})


# -- materials and series ------------------------------------------------------------------


def occurs(wire: SeriesWire, original_start: datetime) -> bool:
    series = series_from_wire(wire, "program")
    tick = timedelta(seconds=1)
    window = original_starts(series, original_start - tick, original_start + tick)
    return original_start in window or original_start in series.overrides


def actual_start(wire: SeriesWire, original_start: datetime) -> datetime:
    """When the occurrence starts: moved by an override, or at its original start."""
    moved = next((o for o in wire.overrides if o.original_start == original_start), None)
    return moved.start if moved is not None and moved.start is not None else original_start


def find_series(tx: Tx, auth: CoordinatorAuth, uid: str) -> SeriesWire | None:
    body = tx.series_body(auth.program_id, uid)
    found = usable_wires([(uid, body, "")]) if body else []
    return found[0] if found else None


def add_material(tx: Tx, auth: CoordinatorAuth, body: MaterialIn,
                 now: datetime) -> MaterialAdded | NotFound | Invalid:  # fmt: skip
    """Attach a link to an occurrence of one of the program's series (editing and
    withdrawing it: ``sync.server.materials``)."""
    wire = find_series(tx, auth, body.series_uid)
    if wire is None:
        return NotFound("no such series")
    if not occurs(wire, body.original_start):
        return Invalid("the series has no session starting at original_start")
    at = stamp(now)
    material_id = tx.add_material(auth.program_id, {
        "series_uid": body.series_uid, "original_start": stamp(body.original_start),
        "kind": body.kind, "title": body.title, "url": str(body.url), "note": body.note,
        "coordinator_id": auth.coordinator_id, "at": at,
    })  # fmt: skip
    change = MaterialAdded(id=material_id, series_uid=body.series_uid, kind=body.kind,
                           original_start=body.original_start, title=body.title,
                           url=str(body.url), note=body.note)  # fmt: skip
    tx.append_changes(auth.program_id, [(None, change.feed_json())], at)
    audit.record(tx, auth, "materials.attached", now, target=audit.session_key(
        body.series_uid, body.original_start), detail=f"material {material_id}")  # fmt: skip
    return change


def list_series(tx: Tx, auth: CoordinatorAuth) -> list[SeriesWire]:
    return usable_wires(tx.series_bodies(auth.program_id))


def _check(wire: SeriesWire) -> Invalid | None:
    try:
        series_from_wire(wire, "program")
    except (ScheduleError, ValueError) as exc:
        return Invalid(str(exc))
    return None


def save_series(tx: Tx, auth: CoordinatorAuth, wire: SeriesWire, now: datetime, *,
                create: bool) -> SeriesWire | NotFound | Exists | Invalid:  # fmt: skip
    """Create (``create=True``) or replace a series; SEQUENCE rises when it visibly changes."""
    problem = _check(wire)
    if problem:
        return problem
    old = find_series(tx, auth, wire.uid)
    if create and old is not None:
        return Exists("a series with this uid exists; PUT replaces it")
    if not create and old is None:
        return NotFound("no such series")
    if old is not None:
        same = old.model_copy(update={"sequence": 0}) == wire.model_copy(update={"sequence": 0})
        seq = old.sequence if same else next_sequence(old.sequence, wire.sequence)
        wire = wire.model_copy(update={"sequence": seq})
        if same:
            return wire
    audit.record(tx, auth, "schedule.changed", now, target=wire.uid,
                 detail="created" if old is None else "changed")  # fmt: skip
    return _store_series(tx, auth, wire, now, new=old is None)


def next_sequence(old: int, given: int = 0) -> int:
    """SEQUENCE after a visible change: one more than before (or the caller's, if higher),
    never past what iCalendar and the database hold (it then stays at the top)."""
    return min(MAX_INT, max(old + 1, given))


def _store_series(tx: Tx, auth: CoordinatorAuth, wire: SeriesWire, now: datetime, *,
                  new: bool) -> SeriesWire:  # fmt: skip
    at = stamp(now)
    tx.put_series(auth.program_id, wire.uid, wire.model_dump_json(), at, new=new)
    change = SeriesChanged(series=wire)
    tx.append_changes(auth.program_id, [(None, change.model_dump_json())], at)
    return wire


def delete_series(
    tx: Tx, auth: CoordinatorAuth, uid: str, now: datetime
) -> SeriesRemoved | NotFound:
    if not tx.delete_series(auth.program_id, uid):
        return NotFound("no such series")
    change = SeriesRemoved(uid=uid)
    tx.append_changes(auth.program_id, [(None, change.model_dump_json())], stamp(now))
    audit.record(tx, auth, "schedule.changed", now, target=uid, detail="removed")
    return change


def cancel_occurrence(tx: Tx, auth: CoordinatorAuth, uid: str, original_start: datetime,
                      now: datetime) -> SeriesWire | NotFound | Invalid:  # fmt: skip
    """Call off one session of a series (an override; calendars drop it)."""
    wire = find_series(tx, auth, uid)
    if wire is None:
        return NotFound("no such series")
    if not occurs(wire, original_start):
        return Invalid("the series has no session starting at original_start")
    kept = [o for o in wire.overrides if o.original_start != original_start]
    old = next((o for o in wire.overrides if o.original_start == original_start), None)
    if old is not None and old.cancelled:
        return wire
    if tx.attendance_recorded(auth.program_id, uid, stamp(original_start)):
        return Invalid(HAS_ATTENDANCE)
    override = OverrideWire(original_start=original_start, cancelled=True)
    overrides = [*kept, override]
    sequence = next_sequence(wire.sequence)
    updated = wire.model_copy(update={"overrides": overrides, "sequence": sequence})
    audit.record(tx, auth, "schedule.changed", now,
                 target=audit.session_key(uid, original_start), detail="cancelled")  # fmt: skip
    return _store_series(tx, auth, updated, now, new=False)
