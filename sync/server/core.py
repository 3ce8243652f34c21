"""The client-facing protocol operations, with no HTTP: enrol, post a notice, poll changes
(the calendar feed and the device's preferences are in ``feed.py``).

Each operation is a plain function of a storage transaction (:class:`~.storage.repo.Tx`)
run on a database thread (``Database.write``/``read``), and returns a result type; the
routes in ``api/`` only map results to status codes. Nothing here logs message or
reflection text: notices are identified by their ids only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from companion.domain.notices import Timing
from sync.protocol import (
    ADDED_AT,
    CRISIS_CONTACTS,
    NoticeIn,
    NoticeOut,
    NoticesPage,
    ProgramInfo,
    SeriesWire,
)
from sync.server import audit
from sync.server.contacts import stored
from sync.server.schedules import Occurrence, Refused, Schedules, timing, usable_wires
from sync.server.security import digest, new_token, normalize_code
from sync.server.settings import Settings
from sync.server.storage.repo import DeviceAuth, Tx
from sync.server.storage.repo_program import ProgramRow
from sync.server.storage.runner import batched
from sync.server.storage.tables import stamp, unstamp
from sync.wire import MAX_INT

ENROL_SCOPE = "enrol"


@dataclass(frozen=True, slots=True)
class Unauthorized:
    detail: str = "missing, unknown or revoked token"


@dataclass(frozen=True, slots=True)
class RateLimited:
    detail: str = "too many failed attempts; try again later"


@dataclass(frozen=True, slots=True)
class BadCode:
    detail: str = "this enrolment code is wrong, already used or expired"


@dataclass(frozen=True, slots=True)
class Enrolled:
    client_id: int
    token: str
    feed_token: str
    client_name: str
    program: ProgramInfo
    schedule: list[SeriesWire]
    cursor: int
    added_at: datetime | None = None  # for a client that understands it (ADDED_AT)


class Created:
    """A new notice was stored. Its wire form is built when first asked for, on the event
    loop rather than in the database writer's transaction (the writer's time is what
    several server processes queue for)."""

    __slots__ = ("_delivery", "_found", "_verdict", "_notice")

    def __init__(self, delivery: Delivery, found: Occurrence, verdict: Timing) -> None:
        self._delivery, self._found, self._verdict = delivery, found, verdict
        self._notice: NoticeOut | None = None

    @property
    def notice(self) -> NoticeOut:
        if self._notice is None:
            d = self._delivery
            fields = dict(d.notice.__dict__)  # validated on the way in: no second validation
            fields.update(title=self._found.title, start=self._found.start, timing=self._verdict)
            self._notice = NoticeOut.model_construct(
                **fields, status="new", received_at=d.received_at,
                claimed_timing=d.notice.timing, clock_offset_s=d.clock_offset_s,
            )  # fmt: skip
        return self._notice


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The same notice was stored before (a retry): nothing was written."""

    notice: NoticeOut


@dataclass(frozen=True, slots=True)
class Conflict:
    """The notice id is taken by a notice with other content."""

    detail: str


@dataclass(frozen=True, slots=True)
class CursorAhead:
    detail: str = "this cursor is not from this server; enrol again"


@dataclass(frozen=True, slots=True)
class ChangesPage:
    """Change bodies (JSON of protocol ``Change`` models), the next cursor, and ``more``."""

    bodies: list[str]
    cursor: int
    more: bool

    def to_json(self) -> bytes:
        # The bodies are stored as the protocol's own JSON, so the answer is assembled
        # rather than re-validated: an idle poll never touches pydantic.
        more = "true" if self.more else "false"
        body = f'{{"changes":[{",".join(self.bodies)}],"cursor":"{self.cursor}","more":{more}}}'
        return body.encode()


@dataclass(frozen=True, slots=True)
class NotFound:
    detail: str = "not found"


def program_info(program: ProgramRow, features: frozenset[str] = frozenset()) -> ProgramInfo:
    """The program as a client sees it; fields newer than API v1 only for a client that
    names them in its ``Companion-Features`` header (``features``)."""
    contacts = stored(program.crisis_contacts) if CRISIS_CONTACTS in features else None
    return ProgramInfo(
        name=program.name, timezone=program.timezone, threshold=program.threshold,
        unexcused_limit=program.unexcused_limit, coordinator=program.coordinator,
        discreet_default=program.discreet_default, crisis_contacts=contacts,
    )  # fmt: skip


def schedule_of(tx: Tx, program_id: int) -> list[SeriesWire]:
    return usable_wires(tx.series_bodies(program_id))


def enroll(tx: Tx, code: str, device_name: str, remote: str, now: datetime, settings: Settings,
           features: frozenset[str] = frozenset()) -> Enrolled | BadCode | RateLimited:  # fmt: skip
    """Trade a one-time code for a device token (and feed token); rate-limited per address.
    ``features``: what the client understands beyond API v1 (its ``Companion-Features``)."""
    at = stamp(now)
    window_start = stamp(now - settings.attempts_window)
    if tx.failures_since(ENROL_SCOPE, remote, window_start) >= settings.attempts_limit:
        return RateLimited()
    client_id = tx.claim_code(digest(normalize_code(code)), at)
    if client_id is None:
        tx.add_failure(ENROL_SCOPE, remote, at, stamp(now - 2 * settings.attempts_window))
        return BadCode()
    client = tx.client(client_id)
    assert client is not None
    token, feed_token = new_token(), new_token()
    device_id = tx.add_device(client_id, device_name, digest(token), digest(feed_token), at)
    actor = audit.device(device_id, client.program_id, remote)
    audit.record(tx, actor, "device.enrolled", now, client_id=client_id)
    # The counter is read before the schedule: a series changed in between is then in
    # both the schedule and the changes feed (harmless), never in neither.
    program = tx.program(client.program_id)
    assert program is not None
    added = unstamp(client.created_at) if ADDED_AT in features else None
    return Enrolled(client_id, token, feed_token, client.name, program_info(program, features),
                    schedule_of(tx, program.id), program.last_change, added)  # fmt: skip


def remove_device(tx: Tx, auth: DeviceAuth, now: datetime) -> bool:
    """Revoke the calling device (its token and feed); True when it was live until now."""
    return tx.revoke_own_device(auth.device_id, stamp(now))


def notice_digest(notice: NoticeIn) -> str:
    """A digest of the notice's content: equal for a retry, different for a clash."""
    return hashlib.sha256(notice.model_dump_json().encode()).hexdigest()


def notice_out(row: dict[str, Any]) -> NoticeOut:
    """The wire form of a stored notice row."""
    return NoticeOut.model_validate({
        "id": row["id"], "series_uid": row["series_uid"],
        "original_start": unstamp(row["original_start"]), "title": row["title"],
        "start": unstamp(row["start"]), "timing": row["timing"], "barrier": row["barrier"],
        "message": row["message"], "makeup": bool(row["makeup"]),
        "shared_reflection": row["shared_reflection"],
        "created_at": unstamp(row["created_at"]), "status": row["status"],
        "received_at": unstamp(row["received_at"]),
        "claimed_timing": row.get("claimed_timing"), "clock_offset_s": row.get("clock_offset_s"),
    })  # fmt: skip


def clock_offset(date_header: str | None, received_at: datetime) -> int | None:
    """The device's clock minus the server's, in seconds, from the request's ``Date``
    header (sent at delivery, so a notice queued offline does not look like a bad clock)."""
    if not date_header:
        return None
    try:
        sent = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if sent.tzinfo is None:
        return None
    seconds = round((sent - received_at).total_seconds())
    return max(-MAX_INT, min(MAX_INT, seconds))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST /v1/notices as the server received it, with what its stored row needs
    worked out ahead (on the event loop, outside the writer's transaction)."""

    notice: NoticeIn
    received_at: datetime
    clock_offset_s: int | None = None
    digest: str = field(init=False)
    row: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        n = self.notice
        content = notice_digest(n)
        object.__setattr__(self, "digest", content)
        object.__setattr__(self, "row", {
            "id": str(n.id), "series_uid": n.series_uid, "original_start": stamp(n.original_start),
            "barrier": n.barrier.value, "message": n.message, "makeup": n.makeup,
            "shared_reflection": n.shared_reflection, "created_at": stamp(n.created_at),
            "received_at": stamp(self.received_at), "digest": content, "status": "new",
            "claimed_timing": n.timing.value, "clock_offset_s": self.clock_offset_s,
        })  # fmt: skip


def _notice_values(
    auth: DeviceAuth, d: Delivery, found: Occurrence, verdict: Timing
) -> dict[str, Any]:
    """The row to store: title, start and timing from the schedule and the server's clock."""
    return {**d.row, "client_id": auth.client_id, "program_id": auth.program_id,
            "title": found.title, "start": stamp(found.start), "timing": verdict.value}  # fmt: skip


def _stored_before(row: dict[str, Any], auth: DeviceAuth, content: str) -> Duplicate | Conflict:
    if row["client_id"] != auth.client_id:
        return Conflict("this notice id is already taken")
    if row["digest"] != content:
        return Conflict("a different notice was already stored under this id")
    return Duplicate(notice_out(row))


PostResult = Created | Duplicate | Conflict | Refused | Unauthorized


def _judge(tx: Tx, auth: DeviceAuth, d: Delivery,
           schedules: Schedules) -> tuple[dict[str, Any], Created] | Refused:  # fmt: skip
    """The row and answer for a new notice, or why it names no occurrence of the schedule."""
    n = d.notice
    found = schedules.find(tx, auth.program_id, auth.last_change, auth.client_id,
                           n.series_uid, n.original_start, d.received_at)  # fmt: skip
    if isinstance(found, Refused):
        return found
    verdict = timing(d.received_at, found.start)
    return _notice_values(auth, d, found, verdict), Created(d, found, verdict)


def _post_notices(tx: Tx, calls: list[tuple[str, Delivery, Schedules]]) -> list[PostResult]:
    """The batch form of :func:`post_notice`: three statements for the whole batch."""
    auths = tx.devices_by_tokens({token_hash for token_hash, _, _ in calls})
    stored = tx.notice_rows({d.row["id"] for _, d, _ in calls})
    results: list[PostResult] = []
    new_rows: list[dict[str, Any]] = []
    excused: list[int] = []
    for token_hash, d, schedules in calls:
        auth = auths.get(token_hash)
        if auth is None:
            results.append(Unauthorized())
            continue
        row = stored.get(d.row["id"])
        if row is not None:  # stored before, or earlier in this very batch
            results.append(_stored_before(row, auth, d.digest))
            continue
        judged = _judge(tx, auth, d, schedules)
        if isinstance(judged, Refused):
            results.append(judged)
            continue
        values, created = judged
        stored[values["id"]] = values
        new_rows.append(values)
        if values["timing"] == Timing.ADVANCE.value:
            excused.append(auth.client_id)
        results.append(created)
    if new_rows:
        tx.insert_notices(new_rows)
    if excused:  # in id order, so concurrent batches never lock client rows crosswise
        tx.bump_feeds(sorted(set(excused)), calls[0][1].row["received_at"])
    return results


@batched(_post_notices)
def post_notice(tx: Tx, token_hash: str, delivery: Delivery, schedules: Schedules) -> PostResult:
    """Store an absence notice once, judged against the program's schedule and the server's
    clock: a retry of the same id and content is a Duplicate; a notice naming no occurrence
    of the client's schedule is Refused."""
    auth = tx.device_by_token(token_hash)
    if auth is None:
        return Unauthorized()
    row = tx.notice_row(delivery.row["id"])
    if row is not None:
        return _stored_before(row, auth, delivery.digest)
    judged = _judge(tx, auth, delivery, schedules)
    if isinstance(judged, Refused):
        return judged
    values, created = judged
    if tx.insert_notice(values):
        if values["timing"] == Timing.ADVANCE.value:
            tx.bump_feed(auth.client_id, values["received_at"])  # the feed shows it excused
        return created
    row = tx.notice_row(values["id"])  # stored by another process a moment ago
    assert row is not None
    return _stored_before(row, auth, values["digest"])


def client_notices(tx: Tx, auth: DeviceAuth, cursor: str | None, limit: int) -> NoticesPage:
    """A page of this client's notices, newest first, after ``cursor`` (from a previous
    page); ``more`` and the next cursor when older ones follow."""
    before = notices_cursor_key(cursor) if cursor else None
    rows = tx.client_notices(auth.program_id, auth.client_id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return NoticesPage(
        notices=[notice_out(r) for r in rows],
        cursor=notices_cursor(last["received_at"], last["id"]) if last else None,
        more=more,
    )


# A notices cursor: the (received_at, id) a page ended with, as text. Every string of
# this form names a place in the newest-first order, so any of them pages (the schema
# publishes the pattern; anything else is refused before it gets here).
NOTICES_CURSOR = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z_[0-9a-f-]{36}$"


def notices_cursor(received_at: str, notice_id: str) -> str:
    """The cursor naming the notice a page ended with."""
    return f"{received_at}_{notice_id}"


def notices_cursor_key(cursor: str) -> tuple[str, str]:
    """The (received_at, id) a cursor (matching ``NOTICES_CURSOR``) names."""
    at, _, notice_id = cursor.partition("_")
    return at, notice_id


ChangesResult = ChangesPage | Unauthorized | CursorAhead


def _changes_for(tx: Tx, auth: DeviceAuth | None, since: int, limit: int) -> ChangesResult:
    if auth is None:
        return Unauthorized()
    if since > auth.last_change:
        return CursorAhead()
    if since == auth.last_change:  # idle: the token lookup was all it took
        return ChangesPage([], since, False)
    rows = tx.changes_since(auth.program_id, auth.client_id, since, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if more:
        cursor = rows[-1][0]
    else:
        # Every change up to the counter read above is committed and visible now (the
        # counter is bumped in commit order), so the cursor may skip other clients' rows.
        cursor = max([auth.last_change] + [r[0] for r in rows])
    return ChangesPage([r[1] for r in rows], cursor, more)


def _changes_many(tx: Tx, calls: list[tuple[str, int, int]]) -> list[ChangesResult]:
    auths = tx.devices_by_tokens({token_hash for token_hash, _, _ in calls})
    return [_changes_for(tx, auths.get(h), since, limit) for h, since, limit in calls]


@batched(_changes_many)
def changes(tx: Tx, token_hash: str, since: int, limit: int) -> ChangesResult:
    """The client's changes after cursor ``since`` (at most ``limit``) and the next cursor."""
    return _changes_for(tx, tx.device_by_token(token_hash), since, limit)
