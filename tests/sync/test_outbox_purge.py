"""A sync removes notices delivered over a year ago (with the replies and make-up offers
to them) and nothing else: recent and undelivered notices stay, and so does the journal,
however old."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from companion.domain.journal import Barrier, Reflection
from companion.domain.notices import KEEP_DELIVERED_NOTICES, AbsenceNotice, NoticeState, Timing
from companion.store import repo_journal, repo_outbox
from companion.store.db import to_db
from sync.client import sync_now
from tests.sync.conftest import Enrolled


def old_notice(enrolled: Enrolled, age: timedelta, state: NoticeState) -> str:
    """A notice about a session ``age`` ago, in ``state``, with a reply and a make-up
    offer when delivered."""
    profile = enrolled.profile
    when: datetime = profile.now() - age
    notice = AbsenceNotice(
        id=str(uuid.uuid4()), series_uid="old@example", original_start=when, title="Group",
        start=when, timing=Timing.ADVANCE, barrier=Barrier.WORK_SCHOOL, created_at=when,
        message="Late shift.", makeup=True, shared_reflection=None, state=NoticeState.QUEUED,
    )  # fmt: skip
    with profile.store.transaction() as conn:
        repo_outbox.add(conn, notice, "{}", None)
        if state is NoticeState.FAILED:
            repo_outbox.mark_failed(conn, notice.id, "refused")
        else:
            repo_outbox.mark_delivered(conn, notice.id, when, "acknowledged")
            reply = conn.execute(
                "INSERT INTO reply (notice_id, status, text, at) VALUES (?, 'replied', 'Ok', ?)",
                (notice.id, to_db(when)),
            ).lastrowid
            conn.execute(
                "INSERT INTO makeup_offer (reply_id, notice_id, start, end, title) "
                "VALUES (?, ?, ?, ?, 'Make-up')",
                (reply, notice.id, to_db(when), to_db(when + timedelta(hours=1))),
            )
    return notice.id


def count(enrolled: Enrolled, sql: str, *args: object) -> int:
    return int(enrolled.profile.store.conn.execute(sql, args).fetchone()[0])


def test_sync_purges_old_delivered_notices_and_keeps_the_journal(enrolled: Enrolled) -> None:
    profile = enrolled.profile
    year = KEEP_DELIVERED_NOTICES
    gone = old_notice(enrolled, year + timedelta(days=2), NoticeState.DELIVERED)
    recent = old_notice(enrolled, year - timedelta(days=2), NoticeState.DELIVERED)
    undelivered = old_notice(enrolled, year * 3, NoticeState.FAILED)
    with profile.store.transaction() as conn:
        rid = repo_journal.add_reflection(conn, Reflection(
            when=profile.now() - year * 5, barriers=(Barrier.TECHNICAL,),
            what_happened="An old entry, mine to keep.", plan="Keep it."))  # fmt: skip

    result = sync_now(profile)
    assert result.ok, result.message

    assert repo_outbox.get(profile.store.conn, gone) is None
    assert count(enrolled, "SELECT count(*) FROM reply WHERE notice_id = ?", gone) == 0
    assert count(enrolled, "SELECT count(*) FROM makeup_offer WHERE notice_id = ?", gone) == 0
    kept = repo_outbox.get(profile.store.conn, recent)
    assert kept is not None and kept.state is NoticeState.ACKNOWLEDGED
    assert count(enrolled, "SELECT count(*) FROM makeup_offer WHERE notice_id = ?", recent) == 1
    failed = repo_outbox.get(profile.store.conn, undelivered)
    assert failed is not None and failed.state is NoticeState.FAILED
    entry = repo_journal.get_reflection(profile.store.conn, rid)
    assert entry is not None and entry.what_happened == "An old entry, mine to keep."
