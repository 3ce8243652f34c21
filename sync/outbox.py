"""Deliver the outbox: each queued notice POSTed once per try, its answer recorded at once.

Exactly once, whatever happens:
- The notice's UUID is its idempotency key and its payload is resent byte for byte, so a
  retry after a lost answer (timeout, server restart, this process killed between sending
  and recording) is recognised by the server and stored once.
- Each answer is recorded in its own transaction before the next notice goes out, so a
  crash loses at most the record of one answer, which the next resend restores.
- Only one process delivers a profile's outbox at a time: the caller holds the profile's
  sync lock (``sync.client.sync_lock``).

A 4xx other than 408/429 is final: the notice stays in the outbox as ``failed`` with the
server's message (a notice naming no session of the schedule is a 422 that says so), for
the client to edit or discard. Anything else that goes wrong stops the drain with the
notice still queued.

The server judges a notice by its own clock (issue 10): on delivery the client's
provisional mark follows the stored notice's ``timing`` (excused for advance, missed with
its catch-up checklist for after), unless the program has recorded attendance already or
the client marked the session attended. Each request carries a ``Date`` header (the
device's clock at sending), so a coordinator can see a clock that is wrong.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime

from companion.actions.profile import Profile
from companion.actions.schedule import apply_status
from companion.domain.attendance import Status
from companion.domain.catchup import TELL
from companion.domain.notices import Timing
from companion.store import repo_catchup, repo_journal, repo_makeup, repo_outbox, repo_schedule
from companion.store.db import StoreError
from companion.store.repo_makeup import PendingChoice
from companion.store.repo_outbox import PendingNotice
from sync.changes import find_occurrence
from sync.protocol import MakeupChoiceOut, NoticeOut
from sync.transport import Api, Permanent, SyncError

log = logging.getLogger("companion.sync")
BATCH = 100


@dataclass
class DrainReport:
    """What one drain did. ``error`` is set when it stopped early; the rest stays queued."""

    delivered: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (notice id, server message)
    error: SyncError | None = None
    choices: int = 0  # of ``delivered``: make-up choices (the rest are notices)


def deliver_one(profile: Profile, api: Api, notice: PendingNotice, *, retry: bool = True) -> str:
    """POST one notice and record the answer; returns the new state. Raises on trouble
    other than a final refusal (the notice then stays queued)."""
    try:
        body = api.call(
            "POST",
            "/v1/notices",
            retry=retry,
            content=notice.payload.encode(),
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": notice.id,
                "Date": format_datetime(profile.now(), usegmt=True),
            },
        )
        answer = NoticeOut.model_validate(body)
        if str(answer.id) != notice.id:
            raise Permanent("the server answered about a different notice", 200)
    except Permanent as exc:
        message = f"refused by the server ({exc.status}): {exc}"
        with profile.store.transaction() as conn:
            repo_outbox.mark_failed(conn, notice.id, message)
        log.info("notice %s refused: %s", notice.id, message)
        return "failed"
    except SyncError as exc:
        with profile.store.transaction() as conn:
            repo_outbox.note_attempt(conn, notice.id, str(exc))
        raise
    except ValueError:  # pydantic: JSON, but not a notice
        with profile.store.transaction() as conn:
            repo_outbox.note_attempt(conn, notice.id, "the server's answer was not a notice")
        raise SyncError("the server's answer to a notice was not a notice") from None
    now = profile.now()
    with profile.store.transaction() as conn:
        repo_outbox.mark_delivered(conn, notice.id, now, answer.status)
        follow_verdict(profile, conn, notice, answer)
        repo_catchup.tick_key(conn, notice.series_uid, notice.original_start, TELL, now)
        # A protected journal keeps no copy of a shared reflection in clear once sent.
        forgot = repo_journal.is_protected(conn) and repo_outbox.forget_shared_text(conn, notice.id)
    if forgot:
        try:
            profile.store.truncate_wal()  # nor in the WAL's old pages
        except StoreError as exc:  # delivered all the same; the next one tries again
            log.info("could not truncate the WAL after delivery: %s", exc)
    return "delivered"


def follow_verdict(
    profile: Profile, conn: sqlite3.Connection, notice: PendingNotice, answer: NoticeOut
) -> None:
    """Set the occurrence's provisional mark from the server's timing (inside a transaction)."""
    repo_outbox.set_timing(conn, notice.id, answer.timing, answer.title)
    key = (notice.series_uid, notice.original_start)
    if repo_schedule.mark_source(conn, *key) == "program":
        return  # the program's record is authoritative
    current = repo_schedule.marks(conn, key[1], key[1] + timedelta(seconds=1)).get(key)
    want = Status.EXCUSED if answer.timing is Timing.ADVANCE else Status.MISSED
    if current in (want, Status.ATTENDED, Status.MADE_UP):
        return
    now = profile.now()
    occ = find_occurrence(conn, *key)
    if occ is None:
        repo_schedule.set_mark(conn, *key, want, now)
    else:
        apply_status(profile, occ, want, now)


def deliver_choice(profile: Profile, api: Api, choice: PendingChoice, *, retry: bool = True) -> str:
    """POST one make-up choice (issue 14) and record the answer, as :func:`deliver_one`
    does for a notice: the same payload and id on every try, so it is stored once."""
    try:
        body = api.call(
            "POST",
            "/v1/makeup-choices",
            retry=retry,
            content=choice.payload.encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": choice.id},
        )
        answer = MakeupChoiceOut.model_validate(body)
        if str(answer.id) != choice.id:
            raise Permanent("the server answered about a different make-up choice", 200)
    except Permanent as exc:
        message = f"refused by the server ({exc.status}): {exc}"
        with profile.store.transaction() as conn:
            repo_makeup.mark_failed(conn, choice.id, message)
        return "failed"
    except SyncError as exc:
        with profile.store.transaction() as conn:
            repo_makeup.note_attempt(conn, choice.id, str(exc))
        raise
    except ValueError:
        with profile.store.transaction() as conn:
            repo_makeup.note_attempt(conn, choice.id, "the server's answer was not a choice")
        raise SyncError("the server's answer to a make-up choice was not one") from None
    with profile.store.transaction() as conn:
        repo_makeup.mark_delivered(conn, choice.id, profile.now())
    return "delivered"


def drain(profile: Profile, api: Api, *, retry: bool = True) -> DrainReport:
    """Deliver queued notices oldest first until none is left or something goes wrong,
    then the make-up choices (a choice answers a reply, so its notice is delivered)."""
    report = _drain_notices(profile, api, retry=retry)
    if report.error is not None:
        return report
    for choice in repo_makeup.pending(profile.store.conn):
        try:
            state = deliver_choice(profile, api, choice, retry=retry)
        except SyncError as exc:
            report.error = exc
            return report
        if state == "delivered":
            report.delivered.append(choice.id)
            report.choices += 1
        else:
            report.failed.append((choice.id, "the server refused this make-up choice"))
    return report


def _drain_notices(profile: Profile, api: Api, *, retry: bool = True) -> DrainReport:
    report = DrainReport()
    # Each pass removes every notice it sees from the queue (delivered or failed) unless it
    # stops; the bound only guards against a store that does not change under us.
    passes = repo_outbox.counts(profile.store.conn)["queued"] // BATCH + 2
    for _ in range(passes):
        batch = repo_outbox.pending(profile.store.conn, limit=BATCH)
        if not batch:
            break
        for notice in batch:
            try:
                state = deliver_one(profile, api, notice, retry=retry)
            except SyncError as exc:
                report.error = exc
                return report
            if state == "delivered":
                report.delivered.append(notice.id)
            else:
                entry = repo_outbox.get(profile.store.conn, notice.id)
                report.failed.append((notice.id, entry.last_error if entry else ""))
    return report
