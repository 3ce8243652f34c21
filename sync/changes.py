"""Apply the program's changes feed to the client's store, one change at a time.

Each change is validated and applied on its own (a savepoint inside the page's
transaction): a change this client cannot use, because it fails the wire models or the
store refuses it, is rolled back alone, kept aside with its reason
(:mod:`companion.store.repo_setaside`) and reported in one line; the changes after it
apply and the cursor moves on. A bad series stored by an old server, replayed to every
client, can no longer stop the whole program's sync. The page's changes, what was set
aside and the cursor after them commit together, so the saved cursor never runs ahead of
(or behind) what the store holds; applying a change twice leaves the store as applying it
once, so a page re-fetched after a crash does no harm.

The program is authoritative for the schedule and for attendance: its record replaces
the client's provisional mark (a missed session gets its catch-up checklist; a delivered
notice ticks "tell the coordinator" on it).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from companion.actions.materials import (
    attach_materials,
    checklist_when_excused,
    replace_on_checklist,
    withdraw_from_checklist,
)
from companion.actions.profile import Profile
from companion.actions.schedule import apply_status
from companion.domain.attendance import Status
from companion.domain.catchup import TELL
from companion.domain.notices import NoticeState
from companion.domain.schedule import Occurrence, expand
from companion.store import (
    repo_catchup,
    repo_help,
    repo_outbox,
    repo_schedule,
    repo_setaside,
    repo_sync,
)
from companion.store.repo_sync import MakeupOffer, Slot
from sync.protocol import (
    AttendanceRecorded,
    Change,
    CrisisContactsChanged,
    CrisisContactWire,
    MaterialAdded,
    MaterialWithdrawn,
    ReplyPosted,
    SeriesChanged,
    SeriesRemoved,
    SeriesWire,
    series_from_wire,
)
from sync.wire import describe_all

log = logging.getLogger("companion.sync")
_CHANGE: TypeAdapter[Change] = TypeAdapter(Change)
_TAGS = {
    "series", "series_removed", "material", "material_withdrawn", "reply", "attendance",
    "crisis_contacts",
}  # fmt: skip
_CURSOR_DIGITS = 18
# What a change can make go wrong while it is applied: its data, never the disk or the
# database itself (sqlite3.OperationalError stops the sync with the change still unread).
UNUSABLE = (
    ValueError,  # pydantic's ValidationError and the domain's ScheduleError included
    TypeError,
    LookupError,
    OverflowError,  # "Python int too large to convert to SQLite INTEGER"
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.DataError,
)


class PageError(ValueError):
    """The answer is not a page of changes at all (no list, no cursor)."""


@dataclass(frozen=True, slots=True)
class Page:
    """A page of the changes feed, each change still as received (a JSON value)."""

    changes: list[Any]
    cursor: str
    more: bool = False


def read_page(body: object) -> Page:
    """The page in a GET /v1/changes answer; its changes are validated one by one later."""
    if not isinstance(body, dict) or not isinstance(body.get("changes"), list):
        raise PageError("the server sent changes this version cannot read")
    cursor, more = body.get("cursor"), body.get("more", False)
    if not isinstance(cursor, str) or not cursor.isdigit() or len(cursor) > _CURSOR_DIGITS:
        raise PageError("the server sent a cursor this version cannot read")
    if not isinstance(more, bool):
        raise PageError("the server sent changes this version cannot read")
    return Page(body["changes"], cursor, more)


@dataclass
class ChangeCounts:
    """How many changes of each kind altered the store, and the ones set aside."""

    schedule: int = 0
    materials: int = 0  # materials a checklist now shows (added, corrected or withdrawn)
    materials_kept: int = 0  # materials stored until their session's checklist is made
    replies: int = 0
    attendance: int = 0
    contacts: int = 0  # the program's crisis contacts changed
    set_aside: list[str] = field(default_factory=list)  # one line each

    def add(self, other: ChangeCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def skipped(self) -> int:
        return len(self.set_aside)

    @property
    def total(self) -> int:
        return (
            self.schedule + self.materials + self.materials_kept + self.replies
            + self.attendance + self.contacts
        )  # fmt: skip

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["skipped"] = self.skipped
        return out


def _about(raw: Any) -> tuple[str, str]:
    """(type, what it names) of a change as received, for the one-line report."""
    if not isinstance(raw, dict):
        return "unreadable", ""
    kind = raw.get("type") if isinstance(raw.get("type"), str) else "unknown"
    series = raw.get("series")
    inner: dict[str, Any] = series if isinstance(series, dict) else raw
    for key in ("uid", "series_uid", "id"):
        value = inner.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(kind), str(value)
    return str(kind), ""


def _reason(exc: ValidationError) -> str:
    """The errors of one change, without the union's tag (``series.sequence: ...``)."""
    errors: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
    for e in errors:
        loc: tuple[Any, ...] = tuple(e.get("loc", ()))
        if loc and loc[0] in _TAGS:
            e["loc"] = loc[1:]
    return describe_all(errors)


def set_aside(conn: sqlite3.Connection, raw: Any, reason: str, cursor: str, now: datetime,
              counts: ChangeCounts) -> None:  # fmt: skip
    """Keep ``raw`` aside with ``reason``; a change set aside before is not reported again."""
    kind, about = _about(raw)
    body = json.dumps(raw, ensure_ascii=False, default=str)
    kept = repo_setaside.add(conn, body, kind, about, reason, cursor, now)
    log.warning("set aside a %s change (%s): %s", kind, about, reason)
    if kept is not None:
        counts.set_aside.append(kept.line())


def apply_page(profile: Profile, page: Page) -> ChangeCounts:
    """Apply one page, change by change, and save its cursor, all in one transaction."""
    counts = ChangeCounts()
    now = profile.now()
    with profile.store.transaction() as conn:
        for raw in page.changes:
            try:
                change = _CHANGE.validate_python(raw)
            except ValidationError as exc:
                set_aside(conn, raw, _reason(exc), page.cursor, now, counts)
                continue
            conn.execute("SAVEPOINT change")
            try:
                _apply(profile, conn, change, now, counts)
            except UNUSABLE as exc:
                conn.execute("ROLLBACK TO change")
                set_aside(conn, raw, str(exc) or type(exc).__name__, page.cursor, now, counts)
            conn.execute("RELEASE change")
        repo_sync.set_cursor(conn, page.cursor)
    return counts


def _apply(
    profile: Profile, conn: sqlite3.Connection, change: Change, now: datetime, counts: ChangeCounts
) -> None:
    if isinstance(change, SeriesChanged):
        counts.schedule += _series(conn, change.series, now)
    elif isinstance(change, SeriesRemoved):
        counts.schedule += repo_schedule.remove_series(conn, change.uid)
    elif isinstance(change, MaterialAdded):
        _material(conn, change, now, counts)
    elif isinstance(change, MaterialWithdrawn):
        _withdrawn(conn, change, counts)
    elif isinstance(change, ReplyPosted):
        counts.replies += _reply(conn, change, now)
    elif isinstance(change, AttendanceRecorded):
        counts.attendance += _attendance(profile, change, now)
    elif isinstance(change, CrisisContactsChanged):
        counts.contacts += save_contacts(conn, change.contacts, now)


def save_contacts(
    conn: sqlite3.Connection, contacts: list[CrisisContactWire], now: datetime
) -> bool:
    """Replace the program's crisis contacts (checked again by the domain's rules)."""
    return repo_help.set_program_contacts(conn, [c.to_domain() for c in contacts], now)


def usable_contacts(program: object) -> tuple[list[CrisisContactWire] | None, str]:
    """The crisis contacts of an enrolment answer's program, and why they cannot be used
    ('' when they can). None: the server did not send any (an older server)."""
    raw = program.get("crisis_contacts") if isinstance(program, dict) else None
    if raw is None:
        return None, ""
    try:
        return CrisisContactsChanged.model_validate({"contacts": raw}).contacts, ""
    except ValidationError as exc:
        return [], _reason(exc)


def recover_contacts(profile: Profile) -> bool:
    """Apply the newest crisis-contacts change an older version of the app set aside (it
    did not know the type), unless this version has heard the program's contacts since.
    True when that changed what the panel shows."""
    conn = profile.store.conn
    if repo_help.contacts_heard(conn):
        return False
    for body in repo_setaside.bodies(conn, "crisis_contacts"):
        try:
            change = _CHANGE.validate_json(body)
        except ValidationError:
            continue  # set aside for its content: it stays aside
        if isinstance(change, CrisisContactsChanged):
            with profile.store.transaction() as tx:
                return save_contacts(tx, change.contacts, profile.now())
    return False


def usable_schedule(items: object) -> tuple[list[SeriesWire], list[tuple[Any, str]]]:
    """The series of an enrolment answer that validate, and the others with the reason."""
    good: list[SeriesWire] = []
    bad: list[tuple[Any, str]] = []
    for raw in items if isinstance(items, list) else []:
        try:
            good.append(SeriesWire.model_validate(raw))
        except ValidationError as exc:
            bad.append(({"type": "series", "series": raw}, describe_all(exc.errors())))
    return good, bad


def _series(conn: sqlite3.Connection, wire: SeriesWire, now: datetime) -> bool:
    series = series_from_wire(wire)  # a ScheduleError sets the change aside
    if repo_schedule.get_series(conn, series.uid) == series:
        return False
    repo_schedule.save_series(conn, series, now)
    return True


def _material(
    conn: sqlite3.Connection, change: MaterialAdded, now: datetime, counts: ChangeCounts
) -> None:
    """A new material, or one the coordinator corrected (same id): it replaces the old one,
    on the checklist too. Counted as shown only when a checklist shows it; otherwise it is
    kept until the session's checklist is made (the sync says so, not "received")."""
    args = (change.series_uid, change.original_start, change.kind, change.title, change.url)
    if not repo_sync.replace_material(conn, change.id, *args, now, change.note):
        return
    checklist_when_excused(conn, change.series_uid, change.original_start, now)
    if replace_on_checklist(conn, change.id, *args, change.note):
        counts.materials += 1
    else:
        counts.materials_kept += 1


def _withdrawn(conn: sqlite3.Connection, change: MaterialWithdrawn, counts: ChangeCounts) -> None:
    """A withdrawn material leaves the store and its checklist (counted when one showed it)."""
    shown = withdraw_from_checklist(conn, change.id, change.series_uid, change.original_start)
    repo_sync.remove_material(conn, change.id)
    counts.materials += shown  # one nobody saw goes as quietly as it waited


def _reply(conn: sqlite3.Connection, change: ReplyPosted, now: datetime) -> bool:
    notice_id = str(change.notice_id)
    links = [(link.title, str(link.url)) for link in change.materials]
    changed = repo_sync.save_reply(
        conn, change.id, notice_id, change.status, change.text, links, change.at
    )
    if change.makeup is not None:
        slot = change.makeup
        every = tuple(Slot(s.start, s.end, s.title, s.join_url) for s in change.makeups or ())
        repo_sync.save_offer(
            conn,
            MakeupOffer(change.id, notice_id, slot.start, slot.end, slot.title, slot.join_url,
                        slots=every),
        )  # fmt: skip
    entry = repo_outbox.get(conn, notice_id)
    if entry is not None:
        # A reply proves delivery even if this client never recorded the server's answer.
        if entry.state is NoticeState.QUEUED:
            repo_outbox.mark_delivered(conn, notice_id, now, change.status)
        repo_outbox.mark_acknowledged(conn, notice_id, change.status)
        repo_catchup.tick_key(conn, entry.notice.series_uid, entry.notice.original_start, TELL, now)
        attach_materials(conn, entry.notice.series_uid, entry.notice.original_start)
    return changed


def find_occurrence(conn: sqlite3.Connection, uid: str, original: datetime) -> Occurrence | None:
    """The stored series' occurrence (uid, original start), as moved, when it has one."""
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
    occ = find_occurrence(conn, uid, original)
    if occ is None:
        repo_schedule.set_mark(conn, uid, original, status, now, "program")
    else:
        apply_status(profile, occ, status, now, source="program")
        attach_materials(conn, uid, original)
    return True
