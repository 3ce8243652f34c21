"""The program's attendance record and who is at risk under its policy.

A coordinator records a roster for one occurrence; an absence with an advance notice is
recorded as ``excused``, otherwise ``missed``. Each client learns their own record
through the changes feed. The forecast and the at-risk flag come from the same domain
code the client app uses (:mod:`companion.domain.attendance`), so both ends agree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from companion.domain.attendance import (
    Policy,
    Status,
    at_risk,
    counted_from,
    unexcused_absences,
    week_bounds,
    week_summary,
)
from companion.domain.notices import makeup_reply_id
from companion.domain.schedule import expand_all, zone
from sync.protocol import (
    AttendanceIn,
    AttendanceOut,
    AttendanceRecorded,
    ClientSummary,
    WeekForecast,
)
from sync.server import audit
from sync.server.coordinator import Invalid, actual_start, find_series, occurs
from sync.server.core import NotFound
from sync.server.schedules import usable_series
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import stamp, unstamp

NOT_STARTED = "attendance can be recorded once the session has started"


def record_attendance(tx: Tx, auth: CoordinatorAuth, body: AttendanceIn,
                      now: datetime) -> AttendanceOut | NotFound | Invalid:  # fmt: skip
    """Record attended/absent for each client on the roster of one occurrence."""
    reply_id = makeup_reply_id(body.series_uid)
    if reply_id is not None:
        return record_makeup(tx, auth, body, reply_id, now)
    wire = find_series(tx, auth, body.series_uid)
    if wire is None:
        return NotFound("no such series")
    if not occurs(wire, body.original_start):
        return Invalid("the series has no session starting at original_start")
    ids = {entry.client_id for entry in body.roster}
    known = {c.id for c in tx.clients_of(auth.program_id)}
    if ids - known:
        return NotFound(f"no such client: {min(ids - known)}")
    if actual_start(wire, body.original_start) > now:
        return Invalid(NOT_STARTED)
    if any(o.original_start == body.original_start and o.cancelled for o in wire.overrides):
        return Invalid("the session was cancelled; there is no attendance to record")
    start = stamp(body.original_start)
    notified = {cid for cid, uid, s in tx.advance_notices(ids)
                if uid == body.series_uid and s == start}  # fmt: skip
    at = stamp(now)
    recorded: dict[int, str] = {}
    entries: list[tuple[int | None, str]] = []
    for entry in body.roster:
        status = "attended" if entry.status == "attended" else (
            "excused" if entry.client_id in notified else "missed")  # fmt: skip
        tx.put_attendance(auth.program_id, entry.client_id, body.series_uid, start, status, at,
                          auth.coordinator_id)  # fmt: skip
        recorded[entry.client_id] = status
        change = AttendanceRecorded(series_uid=body.series_uid, original_start=body.original_start,
                                    status=status, at=now)  # type: ignore[arg-type]  # fmt: skip
        entries.append((entry.client_id, change.model_dump_json()))
    tx.append_changes(auth.program_id, entries, at)
    session = audit.session_key(body.series_uid, body.original_start)
    audit.record_many(tx, auth, "attendance.recorded", now,
                      [(cid, session, status) for cid, status in recorded.items()])  # fmt: skip
    return AttendanceOut(series_uid=body.series_uid, original_start=body.original_start,
                         recorded=recorded)  # type: ignore[arg-type]  # fmt: skip


def makeup_attendees(tx: Tx, program_id: int, reply_id: int,
                     original_start: datetime) -> dict[str, Any] | None:  # fmt: skip
    """The standing choice that puts a client on the roster of make-up ``reply_id`` at
    ``original_start`` (the slot picked), with the absence it makes up; None if none."""
    row = tx.standing_choices(reply_ids=[reply_id], program_id=program_id).get(reply_id)
    if row is None or row["slot"] is None or row["start"] != stamp(original_start):
        return None
    return row


def record_makeup(tx: Tx, auth: CoordinatorAuth, body: AttendanceIn, reply_id: int,
                  now: datetime) -> AttendanceOut | NotFound | Invalid:  # fmt: skip
    """The roster of a make-up: the client who picked the slot. Present there turns the
    absence it makes up into ``made_up`` (DESIGN.md); absent puts that absence back."""
    choice = makeup_attendees(tx, auth.program_id, reply_id, body.original_start)
    if choice is None:
        return NotFound("no such make-up")
    client_id = choice["client_id"]
    if {e.client_id for e in body.roster} != {client_id}:
        return NotFound(f"no such client on this make-up: {body.roster[0].client_id}")
    if body.original_start > now:
        return Invalid(NOT_STARTED)
    present = body.roster[0].status == "attended"
    original = (choice["series_uid"], choice["original"])
    excused = (client_id, *original) in tx.advance_notices([client_id])
    was = "excused" if excused else "missed"
    at, start = stamp(now), stamp(body.original_start)
    status = "attended" if present else "missed"
    tx.put_attendance(auth.program_id, client_id, body.series_uid, start, status, at,
                      auth.coordinator_id)  # fmt: skip
    entries: list[tuple[int | None, str]] = [(client_id, AttendanceRecorded(
        series_uid=body.series_uid, status=status,  # type: ignore[arg-type]
        original_start=body.original_start, at=now).model_dump_json())]  # fmt: skip
    then = {c: st for c, u, s, st in tx.attendance_of(auth.program_id, original[1])
            if u == original[0] and s == original[1] and c == client_id}.get(client_id)  # fmt: skip
    made = "made_up" if present else was
    if present or then == "made_up":
        tx.put_attendance(auth.program_id, client_id, original[0], original[1], made, at,
                          auth.coordinator_id)  # fmt: skip
        entries.append((client_id, AttendanceRecorded(
            series_uid=original[0], original_start=unstamp(original[1]), status=made,  # type: ignore[arg-type]
            at=now).model_dump_json()))  # fmt: skip
    tx.append_changes(auth.program_id, entries, at)
    session = audit.session_key(body.series_uid, body.original_start)
    audit.record(tx, auth, "attendance.recorded", now, client_id=client_id, target=session,
                 detail=status)  # fmt: skip
    if present:
        audit.record(tx, auth, "attendance.recorded", now, client_id=client_id,
                     target=audit.session_key(original[0], unstamp(original[1])),
                     detail="made_up")  # fmt: skip
    return AttendanceOut(series_uid=body.series_uid, original_start=body.original_start,
                         recorded={client_id: status})  # type: ignore[dict-item]  # fmt: skip


Marks = dict[int, dict[tuple[str, datetime], Status]]


def program_marks(tx: Tx, program_id: int, client_ids: list[int], since: datetime) -> Marks:
    """Each client's marks from ``since`` on: the roster's record, and an advance notice
    excusing a session until the roster says otherwise."""
    marks: Marks = defaultdict(dict)
    for cid, uid, start in tx.advance_notices(client_ids, stamp(since)):
        marks[cid][(uid, unstamp(start))] = Status.EXCUSED
    for cid, uid, start, status in tx.attendance_of(program_id, stamp(since)):
        marks[cid][(uid, unstamp(start))] = Status(status)
    return marks


def client_summaries(tx: Tx, auth: CoordinatorAuth, now: datetime,
                     client_id: int | None = None) -> list[ClientSummary]:  # fmt: skip
    """Every client of the program (or one), with this week's forecast and the at-risk flag."""
    program = tx.program(auth.program_id)
    assert program is not None
    policy = Policy(threshold=program.threshold, unexcused_limit=program.unexcused_limit)
    series = list(usable_series(tx.series_bodies(program.id)).values())
    tz = zone(program.timezone)
    week_start, week_end = week_bounds(now, tz)
    week_occ = expand_all(series, week_start, week_end)
    window_occ = expand_all(series, now - timedelta(days=policy.window_days), now)
    rows = tx.clients_of(program.id, client_id)
    # Only marks that can matter (a week's margin for moved sessions): the page costs the
    # same after years of notices.
    since = min(week_start, now - timedelta(days=policy.window_days)) - timedelta(days=7)
    marks = program_marks(tx, program.id, [r.id for r in rows], since)
    out = []
    for row in rows:
        added = unstamp(row.created_at)  # sessions over before they were added do not count
        theirs = marks[row.id]
        week = week_summary(counted_from(week_occ, added, theirs), theirs, policy, now,
                            week_start)  # fmt: skip
        unexcused = unexcused_absences(counted_from(window_occ, added, theirs), theirs,
                                       policy, now)  # fmt: skip
        out.append(ClientSummary(
            id=row.id, name=row.name, devices=row.devices, revoked=row.revoked_at is not None,
            at_risk=at_risk(week, unexcused) and row.discharged_at is None,
            discharged=row.discharged_at is not None,
            week=WeekForecast(
                week_start=week.week_start, attended=week.attended, missed=week.missed,
                excused=week.excused, remaining=week.remaining, counted=week.counted,
                threshold=week.threshold, needed_to_stay_above=week.needed_to_stay_above,
                forecast=week.coordinator_forecast(),
            ),
            unexcused=unexcused.count, unexcused_limit=unexcused.limit,
        ))  # fmt: skip
    return out
