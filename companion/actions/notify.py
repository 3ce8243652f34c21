"""Tell the coordinator: the notify action, the outbox, and what comes back.

:func:`notify` changes the occurrence's status and writes the notice to the outbox in one
transaction, online or not; delivery is the sync layer's job (``sync.client``). Nothing
here talks to the network.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from uuid import UUID

from companion.actions.profile import Profile, UserError
from companion.actions.schedule import apply_status, find_occurrence
from companion.domain.attendance import Status
from companion.domain.journal import Barrier, JournalError, Reflection
from companion.domain.notices import (
    AbsenceNotice,
    NoticeState,
    Timing,
    makeup_reply_id,
    makeup_uid,
    new_notice_id,
    preview,
    timing_for,
)
from companion.domain.schedule import DEFAULT_REMINDERS, Kind, Occurrence, Series, occurrence_id
from companion.store import repo_journal, repo_makeup, repo_outbox, repo_schedule, repo_sync
from companion.store.lock import outbox_lock
from companion.store.repo_outbox import OutboxEntry
from companion.store.repo_sync import Reply
from sync.protocol import MakeupChoiceIn, NoticeIn

LOCK_WAIT_S = 10.0  # a discard waits this long for a running sync to finish


def reflection_text(r: Reflection) -> str:
    """A reflection as the coordinator reads it when the client attaches it."""
    lines = [f"Reflection of {r.when:%d %b %Y}"]
    if r.barriers:
        lines.append("Barriers: " + ", ".join(b.label for b in r.barriers))
    if r.what_happened:
        lines.append(f"What happened: {r.what_happened}")
    if r.plan:
        lines.append(f"Plan for next time: {r.plan}")
    if r.mood is not None:
        lines.append(f"Mood: {r.mood} of 5")
    return "\n".join(lines)


def _barrier(value: str | Barrier) -> Barrier:
    try:
        return value if isinstance(value, Barrier) else Barrier.parse(value)
    except JournalError as exc:
        raise UserError(str(exc)) from exc


def _build(
    profile: Profile,
    occ: Occurrence,
    barrier: str | Barrier,
    message: str,
    makeup: bool,
    share_reflection_id: int | None,
    notice_id: str | None = None,
    key: bytes | None = None,
) -> tuple[AbsenceNotice, Reflection | None]:
    reflection = None
    if share_reflection_id is not None:
        # Only this reflection is decrypted, in memory, for the notice the client asked for.
        reflection = repo_journal.get_reflection(profile.store.conn, share_reflection_id, key)
        if reflection is None:
            raise UserError(f"no reflection {share_reflection_id} (see `companion journal list`)")
        if reflection.locked:
            raise UserError(
                f"reflection {share_reflection_id} is locked: unlock the journal to attach it"
            )
    now = profile.now()
    try:
        notice = AbsenceNotice(
            id=notice_id or new_notice_id(),
            series_uid=occ.series_uid,
            original_start=occ.original_start,
            title=occ.title,
            start=occ.start,
            timing=timing_for(occ.start, now),
            barrier=_barrier(barrier),
            created_at=now,
            message=message.strip(),
            makeup=makeup,
            shared_reflection=reflection_text(reflection) if reflection else None,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    return notice, reflection


def payload_of(notice: AbsenceNotice) -> str:
    """The notice's wire JSON, made once and resent unchanged (the server dedups on it)."""
    return NoticeIn(
        id=UUID(notice.id),
        series_uid=notice.series_uid,
        original_start=notice.original_start,
        title=notice.title,
        start=notice.start,
        timing=notice.timing,
        barrier=notice.barrier,
        message=notice.message,
        makeup=notice.makeup,
        shared_reflection=notice.shared_reflection,
        created_at=notice.created_at,
    ).model_dump_json()


def _check_notifiable(profile: Profile, occ: Occurrence) -> None:
    conn = profile.store.conn
    series = repo_schedule.get_series(conn, occ.series_uid)
    offered = makeup_reply_id(occ.series_uid) is not None  # a make-up the program offered
    if series is not None and series.origin != "program" and not offered:
        raise UserError(
            f"{occ.title} is one of your own sessions, not the program's; "
            "your coordinator does not follow it"
        )
    if occ.cancelled:
        raise UserError(
            f"{occ.title} on {occ.local_start(profile.tz()):%a %d %b} was cancelled "
            "by the program; there is nothing to tell"
        )
    for entry in repo_outbox.for_occurrence(conn, *occ.key):
        if entry.state is NoticeState.FAILED:
            raise UserError(
                f"a notice about this session was refused by the server; fix it "
                f"with `companion outbox --retry {entry.id[:8]}` or discard it"
            )
        raise UserError(
            f"you already told the coordinator about this session "
            f"({entry.state.value}); see `companion outbox`"
        )


def notify_occurrence(
    profile: Profile,
    occ: Occurrence,
    barrier: str | Barrier,
    message: str = "",
    makeup: bool = False,
    share_reflection_id: int | None = None,
    key: bytes | None = None,
) -> AbsenceNotice:
    """:func:`notify` for an occurrence already looked up; ``key`` opens a shared
    reflection of a protected journal."""
    barrier = _barrier(barrier)
    _check_notifiable(profile, occ)
    notice, reflection = _build(
        profile, occ, barrier, message, makeup, share_reflection_id, key=key
    )
    status = Status.EXCUSED if notice.timing is Timing.ADVANCE else Status.MISSED
    with profile.store.transaction() as conn:
        if repo_schedule.mark_source(conn, *occ.key) != "program":
            apply_status(profile, occ, status, notice.created_at)
        if reflection is not None and reflection.id is not None:
            repo_journal.mark_shared(conn, reflection.id)
        repo_outbox.add(conn, notice, payload_of(notice), share_reflection_id)
    return notice


def notify(
    profile: Profile,
    occurrence_id: str,
    barrier: str | Barrier,
    message: str = "",
    makeup: bool = False,
    share_reflection_id: int | None = None,
    key: bytes | None = None,
) -> AbsenceNotice:
    """Tell the coordinator about a session you will miss (advance: it becomes excused) or
    missed (after: it becomes missed, with its catch-up checklist). The notice is queued in
    the same transaction; deliver it with ``sync.client.sync_now``. ``key`` opens the
    shared reflection when the journal is protected."""
    occ = find_occurrence(profile, occurrence_id)
    return notify_occurrence(profile, occ, barrier, message, makeup, share_reflection_id, key)


def preview_text(
    profile: Profile,
    occurrence_id: str,
    barrier: str | Barrier,
    message: str = "",
    makeup: bool = False,
    share_reflection_id: int | None = None,
    key: bytes | None = None,
) -> str:
    """Exactly what the coordinator will read, without saving anything."""
    occ = find_occurrence(profile, occurrence_id)
    notice, _ = _build(profile, occ, barrier, message, makeup, share_reflection_id, key=key)
    return preview(notice, client_name(profile), profile.tz())


def client_name(profile: Profile) -> str:
    """The name the coordinator knows the client by; "" when there is none yet."""
    state = repo_sync.get_state(profile.store.conn)
    return (state.client_name if state else "") or profile.settings.client_name


def outbox(profile: Profile) -> list[OutboxEntry]:
    """Every notice, oldest first, with its delivery state."""
    return repo_outbox.list_entries(profile.store.conn)


def _entry(profile: Profile, notice_id: str) -> OutboxEntry:
    found = repo_outbox.find(profile.store.conn, notice_id.strip()) if notice_id.strip() else []
    if len(found) != 1:
        what = "no notice" if not found else "more than one notice"
        raise UserError(f"{what} matches {notice_id!r} (see `companion outbox`)")
    return found[0]


def discard(profile: Profile, notice_id: str) -> OutboxEntry:
    """Drop a queued or failed notice. A delivered one is the coordinator's record: kept.

    An advance notice made its session excused; once discarded the coordinator will never
    hear of it, so the session goes back to unmarked (the client's own mark only)."""
    with outbox_lock(profile.paths.lock_file, wait=LOCK_WAIT_S) as held:
        if not held:
            raise UserError("a sync is sending notices right now; try again in a moment")
        return _discard(profile, notice_id)


def _discard(profile: Profile, notice_id: str) -> OutboxEntry:
    # Under the outbox lock: no sync can be sending this notice while it is removed.
    entry = _entry(profile, notice_id)
    if entry.state not in (NoticeState.QUEUED, NoticeState.FAILED):
        raise UserError("that notice has reached your coordinator and cannot be discarded")
    notice = entry.notice
    with profile.store.transaction() as conn:
        repo_outbox.remove(conn, entry.id)
        key = (notice.series_uid, notice.original_start)
        if (
            notice.timing is Timing.ADVANCE
            and repo_schedule.marks(conn).get(key) is Status.EXCUSED
            and repo_schedule.mark_source(conn, *key) != "program"
        ):
            repo_schedule.set_mark(conn, *key, Status.UPCOMING, profile.now())
    return entry


def retry(
    profile: Profile,
    notice_id: str,
    barrier: str | Barrier | None = None,
    message: str | None = None,
) -> OutboxEntry:
    """Queue a failed notice again, edited or as it was. An edited notice gets a new id so
    the server never sees two contents under one id."""
    entry = _entry(profile, notice_id)
    if entry.state is not NoticeState.FAILED:
        raise UserError(f"only a failed notice can be retried; that one is {entry.state.value}")
    old = entry.notice
    edited = barrier is not None or message is not None
    if edited:
        notice = AbsenceNotice(
            id=new_notice_id(),
            series_uid=old.series_uid,
            original_start=old.original_start,
            title=old.title,
            start=old.start,
            timing=old.timing,
            barrier=_barrier(barrier) if barrier is not None else old.barrier,
            created_at=old.created_at,
            message=message.strip() if message is not None else old.message,
            makeup=old.makeup,
            shared_reflection=NoticeIn.model_validate_json(entry.payload).shared_reflection,
        )
        payload = payload_of(notice)
    else:
        notice, payload = old, entry.payload
    with profile.store.transaction() as conn:
        repo_outbox.requeue(conn, old.id, notice.id, payload, notice.message, notice.barrier.value)
    found = repo_outbox.get(profile.store.conn, notice.id)
    assert found is not None
    return found


def replies(profile: Profile, since_days: int | None = None) -> list[Reply]:
    """The coordinator's acknowledgements and replies, newest first."""
    since = profile.now() - timedelta(days=since_days) if since_days else None
    return repo_sync.list_replies(profile.store.conn, since=since)


def accept_makeup(
    profile: Profile, reply_id: int, slot: int = 1, *, decline: bool = False
) -> Series | None:
    """Pick slot ``slot`` (1-3) of the make-up offered in reply ``reply_id`` (or decline
    them all): the make-up joins (or leaves) the schedule at once, and the choice is
    queued in the outbox for the coordinator, delivered exactly once by the next sync.
    Returns the make-up series (None for a decline). Picking the slot already picked
    queues nothing again."""
    conn = profile.store.conn
    reply = repo_sync.get_reply(conn, reply_id)
    if reply is None or reply.makeup is None:
        raise UserError(f"reply {reply_id} offers no make-up session (see `companion status`)")
    offer = reply.makeup
    slots = offer.all_slots()
    if not decline and not 1 <= slot <= len(slots):
        offered = "slot 1" if len(slots) == 1 else f"slots 1-{len(slots)}"
        raise UserError(f"reply {reply_id} offers {offered}, not slot {slot}")
    uid = makeup_uid(reply_id)
    now = profile.now()
    if decline:
        if offer.declined:
            return None
        with profile.store.transaction() as tx:
            repo_schedule.remove_series(tx, uid)
            repo_sync.decline_offer(tx, reply_id, now)
            _queue_choice(tx, reply_id, None, now)
        return None
    picked = offer.chosen_slot or (1 if offer.accepted_uid else None)
    existing = repo_schedule.get_series(conn, uid) if offer.accepted_uid else None
    if existing is not None and picked == slot:
        return existing
    chosen = slots[slot - 1]
    original = repo_schedule.get_series(conn, reply.series_uid) if reply.series_uid else None
    tz = profile.tz()
    series = Series(
        uid=uid,
        title=chosen.title,
        kind=original.kind if original else Kind.OTHER,
        start=chosen.start.astimezone(tz),
        duration=max(chosen.end - chosen.start, timedelta(minutes=1)),
        tzid=tz.key,
        join_url=chosen.join_url,
        facilitator=original.facilitator if original else "",
        reminders=original.reminders if original else DEFAULT_REMINDERS,
    )
    with profile.store.transaction() as tx:
        repo_schedule.save_series(tx, series, now)
        repo_sync.accept_offer(tx, reply_id, series.uid, now, slot)
        _queue_choice(tx, reply_id, slot, now)
    return series


def _queue_choice(tx: sqlite3.Connection, reply_id: int, slot: int | None, now: datetime) -> None:
    choice_id = new_notice_id()
    wire = MakeupChoiceIn(id=UUID(choice_id), reply_id=reply_id, slot=slot, created_at=now)
    repo_makeup.add(tx, choice_id, reply_id, slot, wire.model_dump_json(), now)


def notice_json(entry: OutboxEntry) -> dict[str, object]:
    n = entry.notice
    return {
        "id": n.id,
        "occurrence": occurrence_id(n.series_uid, n.original_start),
        "title": n.title,
        "start": n.start.isoformat(),
        "timing": n.timing.value,
        "barrier": n.barrier.value,
        "message": n.message,
        "makeup": n.makeup,
        "reflection_id": entry.reflection_id,
        "state": n.state.value,
        "created_at": n.created_at.isoformat(),
        "attempts": entry.attempts,
        "error": entry.last_error or None,
        "delivered_at": entry.delivered_at.isoformat() if entry.delivered_at else None,
    }


def reply_json(r: Reply) -> dict[str, object]:
    offer = r.makeup
    return {
        "id": r.id,
        "notice_id": r.notice_id,
        "status": r.status,
        "text": r.text,
        "at": r.at.isoformat(),
        "session": r.notice_title or None,
        "session_start": r.notice_start.isoformat() if r.notice_start else None,
        "materials": [{"title": t, "url": u} for t, u in r.materials],
        "makeup": None
        if offer is None
        else {
            "start": offer.start.isoformat(),
            "end": offer.end.isoformat(),
            "title": offer.title,
            "join_url": offer.join_url,
            "accepted": offer.accepted_uid is not None,
            "slots": [
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "title": s.title,
                    "join_url": s.join_url,
                }
                for s in offer.all_slots()
            ],
            "chosen_slot": offer.chosen_slot,
            "declined": offer.declined,
        },
    }
