"""The client-facing protocol operations, with no HTTP: enrol, post a notice, poll changes
(the calendar feed and the device's preferences are in ``feed.py``).

Each operation is a plain function of a storage transaction (:class:`~.storage.repo.Tx`)
run on a database thread (``Database.write``/``read``), and returns a result type; the
routes in ``api/`` only map results to status codes. Nothing here logs message or
reflection text: notices are identified by their ids only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from companion.domain.notices import Timing
from sync.protocol import NoticeIn, NoticeOut, NoticesPage, ProgramInfo, SeriesWire
from sync.server.security import digest, new_token, normalize_code
from sync.server.settings import Settings
from sync.server.storage.repo import DeviceAuth, Tx
from sync.server.storage.repo_program import ProgramRow
from sync.server.storage.runner import batched
from sync.server.storage.tables import stamp, unstamp

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


@dataclass(frozen=True, slots=True)
class Created:
    """A new notice was stored."""

    notice: NoticeOut


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


def program_info(program: ProgramRow) -> ProgramInfo:
    return ProgramInfo(
        name=program.name, timezone=program.timezone, threshold=program.threshold,
        unexcused_limit=program.unexcused_limit, coordinator=program.coordinator,
        discreet_default=program.discreet_default,
    )  # fmt: skip


def schedule_of(tx: Tx, program_id: int) -> list[SeriesWire]:
    return [SeriesWire.model_validate_json(body) for _, body, _ in tx.series_bodies(program_id)]


def enroll(tx: Tx, code: str, device_name: str, remote: str, now: datetime,
           settings: Settings) -> Enrolled | BadCode | RateLimited:  # fmt: skip
    """Trade a one-time code for a device token (and feed token); rate-limited per address."""
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
    tx.add_device(client_id, device_name, digest(token), digest(feed_token), at)
    # The counter is read before the schedule: a series changed in between is then in
    # both the schedule and the changes feed (harmless), never in neither.
    program = tx.program(client.program_id)
    assert program is not None
    return Enrolled(client_id, token, feed_token, client.name, program_info(program),
                    schedule_of(tx, program.id), program.last_change)  # fmt: skip


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
    })  # fmt: skip


def _notice_values(auth: DeviceAuth, notice: NoticeIn, received_at: datetime) -> dict[str, Any]:
    return {
        "id": str(notice.id), "client_id": auth.client_id, "program_id": auth.program_id,
        "series_uid": notice.series_uid, "original_start": stamp(notice.original_start),
        "title": notice.title, "start": stamp(notice.start), "timing": notice.timing.value,
        "barrier": notice.barrier.value, "message": notice.message, "makeup": notice.makeup,
        "shared_reflection": notice.shared_reflection, "created_at": stamp(notice.created_at),
        "received_at": stamp(received_at), "digest": notice_digest(notice), "status": "new",
    }  # fmt: skip


def _created(notice: NoticeIn, received_at: datetime) -> Created:
    fields = dict(notice)  # already validated: no second validation on the hot path
    return Created(NoticeOut.model_construct(**fields, status="new", received_at=received_at))


def _stored_before(row: dict[str, Any], auth: DeviceAuth, content: str) -> Duplicate | Conflict:
    if row["client_id"] != auth.client_id:
        return Conflict("this notice id is already taken")
    if row["digest"] != content:
        return Conflict("a different notice was already stored under this id")
    return Duplicate(notice_out(row))


PostResult = Created | Duplicate | Conflict | Unauthorized


def _post_notices(tx: Tx, calls: list[tuple[str, NoticeIn, datetime]]) -> list[PostResult]:
    """The batch form of :func:`post_notice`: three statements for the whole batch."""
    auths = tx.devices_by_tokens({token_hash for token_hash, _, _ in calls})
    stored = tx.notice_rows({str(notice.id) for _, notice, _ in calls})
    results: list[PostResult] = []
    new_rows: list[dict[str, Any]] = []
    excused: list[int] = []
    for token_hash, notice, received_at in calls:
        auth = auths.get(token_hash)
        if auth is None:
            results.append(Unauthorized())
            continue
        values = _notice_values(auth, notice, received_at)
        row = stored.get(values["id"])
        if row is not None:  # stored before, or earlier in this very batch
            results.append(_stored_before(row, auth, values["digest"]))
            continue
        stored[values["id"]] = values
        new_rows.append(values)
        if notice.timing is Timing.ADVANCE:
            excused.append(auth.client_id)
        results.append(_created(notice, received_at))
    if new_rows:
        tx.insert_notices(new_rows)
    if excused:  # in id order, so concurrent batches never lock client rows crosswise
        tx.bump_feeds(sorted(set(excused)), stamp(calls[0][2]))
    return results


@batched(_post_notices)
def post_notice(tx: Tx, token_hash: str, notice: NoticeIn, received_at: datetime) -> PostResult:
    """Store an absence notice once: a retry of the same id and content is a Duplicate."""
    auth = tx.device_by_token(token_hash)
    if auth is None:
        return Unauthorized()
    values = _notice_values(auth, notice, received_at)
    if tx.insert_notice(values):
        if notice.timing is Timing.ADVANCE:
            tx.bump_feed(auth.client_id, values["received_at"])  # the feed shows it excused
        return _created(notice, received_at)
    row = tx.notice_row(values["id"])
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


class BadCursor(ValueError):
    """A notices cursor this server did not make."""


_CURSOR_KEY = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z [0-9a-f-]{36}")


def notices_cursor(received_at: str, notice_id: str) -> str:
    """The opaque cursor naming the notice a page ended with."""
    return base64.urlsafe_b64encode(f"{received_at} {notice_id}".encode()).decode().rstrip("=")


def notices_cursor_key(cursor: str) -> tuple[str, str]:
    """The (received_at, id) a cursor names; :class:`BadCursor` for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if not _CURSOR_KEY.fullmatch(text):
        raise BadCursor(cursor)
    at, notice_id = text.split(" ")
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
