"""Make-ups end to end (issue 14), with no HTTP: a client's choice among the slots a reply
offers (POST /v1/makeup-choices), the make-up series it puts in the client's schedule
and calendar feed, and what the dashboard shows of it.

A choice is stored once by its client-made id (a retry is a Duplicate, another body under
the same id a Conflict). The newest choice of a reply stands: picking another slot
replaces the make-up (same UID ``makeup-<reply id>@companion``, a higher SEQUENCE), a
decline removes it. Each goes to the client through the changes feed and bumps the feed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from companion.domain.notices import makeup_uid
from companion.domain.schedule import Kind, zone
from sync.protocol import (
    MakeupChoiceIn,
    MakeupChoiceOut,
    MakeupSlot,
    SeriesChanged,
    SeriesRemoved,
    SeriesWire,
)
from sync.server import audit
from sync.server.core import Conflict, Unauthorized
from sync.server.schedules import Refused, slots_of, usable_wires
from sync.server.storage.repo import DeviceAuth, Tx
from sync.server.storage.tables import stamp, unstamp

NOT_OFFERED = "no make-up was offered to you in this reply"
NO_SUCH_SLOT = "slot {slot} was not offered in this reply (it offers {count})"
SLOT_OVER = "that make-up slot has started already; ask your coordinator for another"


@dataclass(frozen=True, slots=True)
class ChoiceStored:
    """The choice as stored; ``created`` is False for a retry of the same choice."""

    choice: MakeupChoiceOut
    created: bool


ChoiceResult = ChoiceStored | Conflict | Refused | Unauthorized


def choice_digest(body: MakeupChoiceIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def choice_out(row: dict[str, Any]) -> MakeupChoiceOut:
    return MakeupChoiceOut(
        id=row["id"], reply_id=row["reply_id"], slot=row["slot"],
        created_at=unstamp(row["created_at"]), received_at=unstamp(row["received_at"]),
        start=unstamp(row["start"]) if row["start"] else None,
        end=unstamp(row["end"]) if row["end"] else None,
    )  # fmt: skip


def makeup_series(tx: Tx, program_id: int, reply_id: int, slot: MakeupSlot,
                  original_uid: str, sequence: int) -> SeriesWire:  # fmt: skip
    """The make-up as a one-off series of the client's schedule, like the session it makes
    up for (kind, facilitator, reminders), in the program's timezone."""
    program = tx.program(program_id)
    assert program is not None
    body = tx.series_body(program_id, original_uid)
    found = usable_wires([(original_uid, body, "")]) if body else []
    like = found[0] if found else None
    tz = zone(program.timezone)
    minutes = max(1, int((slot.end - slot.start).total_seconds() // 60))
    return SeriesWire(
        uid=makeup_uid(reply_id), title=slot.title, kind=like.kind if like else Kind.OTHER,
        tzid=program.timezone, start_local=slot.start.astimezone(tz).replace(tzinfo=None),
        duration_min=minutes, join_url=slot.join_url,
        facilitator=like.facilitator if like else "",
        reminders_min=list(like.reminders_min) if like else [1440, 30],
        sequence=min(sequence, 1_000_000),
    )  # fmt: skip


def post_choice(tx: Tx, auth: DeviceAuth | None, body: MakeupChoiceIn, now: datetime,
                remote: str | None = None) -> ChoiceResult:  # fmt: skip
    """Store the client's choice once and put its make-up in their schedule and feed."""
    if auth is None:
        return Unauthorized()
    content = choice_digest(body)
    before = tx.makeup_choice(str(body.id))
    if before is not None:
        if before["client_id"] != auth.client_id or before["digest"] != content:
            return Conflict("a different make-up choice was already stored under this id")
        return ChoiceStored(choice_out(before), created=False)
    offer = tx.offered_slots(body.reply_id, auth.client_id)
    if offer is None:
        return Refused(NOT_OFFERED)
    slots = slots_of(offer["makeup"], offer["makeup_slots"])
    if not slots:
        return Refused(NOT_OFFERED)
    chosen = None
    if body.slot is not None:
        if body.slot > len(slots):
            return Refused(NO_SUCH_SLOT.format(slot=body.slot, count=len(slots)))
        chosen = slots[body.slot - 1]
        if chosen.start <= now:
            return Refused(SLOT_OVER)
    at = stamp(now)
    previous = tx.standing_choices(reply_ids=[body.reply_id]).get(body.reply_id)
    sequence = tx.choices_made(body.reply_id) + 1
    row = {
        "id": str(body.id), "program_id": auth.program_id, "client_id": auth.client_id,
        "reply_id": body.reply_id, "notice_id": offer["notice_id"], "n": sequence,
        "slot": body.slot,
        "start": stamp(chosen.start) if chosen else None,
        "end": stamp(chosen.end) if chosen else None, "digest": content,
        "created_at": stamp(body.created_at), "received_at": at,
    }  # fmt: skip
    tx.insert_makeup_choice(row)
    change: SeriesChanged | SeriesRemoved
    if chosen is not None:
        wire = makeup_series(tx, auth.program_id, body.reply_id, chosen, offer["series_uid"],
                             sequence)  # fmt: skip
        change = SeriesChanged(series=wire)
    else:
        change = SeriesRemoved(uid=makeup_uid(body.reply_id))
    if chosen is not None or (previous is not None and previous["slot"] is not None):
        tx.append_changes(auth.program_id, [(auth.client_id, change.model_dump_json())], at)
    tx.bump_feed(auth.client_id, at)
    actor = audit.device(auth.device_id, auth.program_id, remote)
    action = "makeup.accepted" if chosen is not None else "makeup.declined"
    detail = f"slot {body.slot}" if body.slot is not None else None
    audit.record(tx, actor, action, now, client_id=auth.client_id,
                 target=f"reply {body.reply_id}", detail=detail)  # fmt: skip
    return ChoiceStored(choice_out(row), created=True)


def accepted_series(tx: Tx, program_id: int, client_id: int) -> list[SeriesWire]:
    """The client's make-ups standing now (the newest choice of each reply picks a slot)."""
    out = []
    for reply_id, row in sorted(tx.standing_choices(client_id=client_id).items()):
        slots = offered(tx, reply_id, client_id)
        if row["slot"] is None or len(slots) < row["slot"]:
            continue
        out.append(makeup_series(tx, program_id, reply_id, slots[row["slot"] - 1],
                                 row["series_uid"], row["n"]))  # fmt: skip
    return out


def offered(tx: Tx, reply_id: int, client_id: int) -> list[MakeupSlot]:
    """The slots reply ``reply_id`` offers client ``client_id`` (none: not theirs)."""
    offer = tx.offered_slots(reply_id, client_id)
    return slots_of(offer["makeup"], offer["makeup_slots"]) if offer else []
