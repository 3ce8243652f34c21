"""Apply the program's changes feed to the client's store.

One page of changes and the cursor after it are applied in one transaction, so the saved
cursor never runs ahead of (or behind) what the store holds. Applying a change twice
leaves the store as applying it once: a page re-fetched after a crash does no harm.

The program is authoritative for the schedule and for attendance: its record replaces
the client's provisional mark (a missed session gets its catch-up checklist; a delivered
notice ticks "tell the coordinator" on it).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from companion.actions.materials import attach_materials
from companion.actions.profile import Profile
from companion.actions.schedule import apply_status
from companion.domain.attendance import Status
from companion.domain.catchup import TELL
from companion.domain.notices import NoticeState
from companion.domain.schedule import Occurrence, ScheduleError, expand
from companion.store import repo_catchup, repo_outbox, repo_schedule, repo_sync
from companion.store.repo_sync import MakeupOffer
from sync.protocol import (
    AttendanceRecorded,
    ChangesResponse,
    MaterialAdded,
    ReplyPosted,
    SeriesChanged,
    SeriesRemoved,
    series_from_wire,
)

log = logging.getLogger("companion.sync")


@dataclass
class ChangeCounts:
    """How many changes of each kind altered the store."""

    schedule: int = 0
    materials: int = 0
    replies: int = 0
    attendance: int = 0
    skipped: int = 0  # changes this client could not use (e.g. a series it cannot expand)

    def add(self, other: ChangeCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def total(self) -> int:
        return self.schedule + self.materials + self.replies + self.attendance

    def as_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def apply_page(profile: Profile, page: ChangesResponse) -> ChangeCounts:
    """Apply one page and save its cursor, all in one transaction."""
    counts = ChangeCounts()
    now = profile.now()
    with profile.store.transaction() as conn:
        for change in page.changes:
            if isinstance(change, SeriesChanged):
                counts.schedule += _series(conn, change, now, counts)
            elif isinstance(change, SeriesRemoved):
                counts.schedule += repo_schedule.remove_series(conn, change.uid)
            elif isinstance(change, MaterialAdded):
                counts.materials += _material(conn, change, now)
            elif isinstance(change, ReplyPosted):
                counts.replies += _reply(conn, change, now)
            elif isinstance(change, AttendanceRecorded):
                counts.attendance += _attendance(profile, change, now)
        repo_sync.set_cursor(conn, page.cursor)
    return counts


def _series(
    conn: sqlite3.Connection, change: SeriesChanged, now: datetime, counts: ChangeCounts
) -> bool:
    try:
        series = series_from_wire(change.series)
    except ScheduleError as exc:
        log.warning("skipped series %s: %s", change.series.uid, exc)
        counts.skipped += 1
        return False
    if repo_schedule.get_series(conn, series.uid) == series:
        return False
    repo_schedule.save_series(conn, series, now)
    return True


def _material(conn: sqlite3.Connection, change: MaterialAdded, now: datetime) -> bool:
    new = repo_sync.add_material(
        conn,
        change.id,
        change.series_uid,
        change.original_start,
        change.kind,
        change.title,
        change.url,
        now,
    )
    if new:
        attach_materials(conn, change.series_uid, change.original_start)
    return new


def _reply(conn: sqlite3.Connection, change: ReplyPosted, now: datetime) -> bool:
    notice_id = str(change.notice_id)
    links = [(link.title, str(link.url)) for link in change.materials]
    changed = repo_sync.save_reply(
        conn, change.id, notice_id, change.status, change.text, links, change.at
    )
    if change.makeup is not None:
        slot = change.makeup
        repo_sync.save_offer(
            conn, MakeupOffer(change.id, notice_id, slot.start, slot.end, slot.title, slot.join_url)
        )
    entry = repo_outbox.get(conn, notice_id)
    if entry is not None:
        # A reply proves delivery even if this client never recorded the server's answer.
        if entry.state is NoticeState.QUEUED:
            repo_outbox.mark_delivered(conn, notice_id, now, change.status)
        repo_outbox.mark_acknowledged(conn, notice_id, change.status)
        repo_catchup.tick_key(conn, entry.notice.series_uid, entry.notice.original_start, TELL, now)
        attach_materials(conn, entry.notice.series_uid, entry.notice.original_start)
    return changed


def _find(conn: sqlite3.Connection, uid: str, original: datetime) -> Occurrence | None:
    series = repo_schedule.get_series(conn, uid)
    if series is None:
        return None
    override = series.overrides.get(original)
    lo, hi = original - timedelta(days=1), original + timedelta(days=1)
    if override is not None and override.start is not None:
        lo, hi = (
            min(lo, override.start - timedelta(days=1)),
            max(hi, override.start + series.duration),
        )
    return next((o for o in expand(series, lo, hi) if o.original_start == original), None)


def _attendance(profile: Profile, change: AttendanceRecorded, now: datetime) -> bool:
    conn = profile.store.conn
    status = Status(change.status)
    uid, original = change.series_uid, change.original_start
    current = repo_schedule.marks(conn, original, original + timedelta(seconds=1)).get(
        (uid, original)
    )
    if current is status and repo_schedule.mark_source(conn, uid, original) == "program":
        return False
    occ = _find(conn, uid, original)
    if occ is None:
        repo_schedule.set_mark(conn, uid, original, status, now, "program")
    else:
        apply_status(profile, occ, status, now, source="program")
        attach_materials(conn, uid, original)
    return True
