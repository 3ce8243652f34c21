"""What the client knows about its program server: enrolment, the changes cursor, and what
came back through the changes feed (coordinator replies, materials, make-up offers).

The device token is not here: it lives 0600 in the config dir, apart from the database.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from companion.store.db import from_db, to_db


@dataclass(frozen=True, slots=True)
class SyncState:
    server_url: str
    feed_url: str
    client_name: str
    cursor: str
    enrolled_at: datetime
    last_sync: datetime | None
    last_error: str
    not_before: datetime | None
    added_at: datetime | None = None  # when the program added the client (None: not said)


@dataclass(frozen=True, slots=True)
class Slot:
    """One make-up slot of an offer."""

    start: datetime
    end: datetime
    title: str
    join_url: str = ""


@dataclass(frozen=True, slots=True)
class MakeupOffer:
    """A make-up slot a coordinator offered in a reply; accepting adds it to the schedule."""

    reply_id: int
    notice_id: str
    start: datetime
    end: datetime
    title: str
    join_url: str = ""
    accepted_uid: str | None = None
    slots: tuple[Slot, ...] = ()  # every slot offered (issue 14); empty: only this one
    chosen_slot: int | None = None  # 1-3 once the client picked one
    declined: bool = False

    def all_slots(self) -> tuple[Slot, ...]:
        """The slots offered, slot 1 first."""
        return self.slots or (Slot(self.start, self.end, self.title, self.join_url),)


@dataclass(frozen=True, slots=True)
class Reply:
    """A coordinator's acknowledgement or reply to one of the client's notices."""

    id: int
    notice_id: str
    status: str  # acknowledged | replied
    text: str
    at: datetime
    materials: tuple[tuple[str, str], ...] = ()  # (title, url)
    makeup: MakeupOffer | None = None
    notice_title: str = ""
    notice_start: datetime | None = None
    series_uid: str = ""
    original_start: datetime | None = None


def get_state(conn: sqlite3.Connection) -> SyncState | None:
    row = conn.execute("SELECT * FROM sync_state WHERE id = 1").fetchone()
    if row is None:
        return None
    return SyncState(
        server_url=row["server_url"],
        feed_url=row["feed_url"],
        client_name=row["client_name"],
        cursor=row["cursor"],
        enrolled_at=from_db(row["enrolled_at"]),
        last_sync=from_db(row["last_sync"]) if row["last_sync"] else None,
        last_error=row["last_error"],
        not_before=from_db(row["not_before"]) if row["not_before"] else None,
        added_at=from_db(row["added_at"]) if row["added_at"] else None,
    )


def save_enrolment(
    conn: sqlite3.Connection,
    server_url: str,
    feed_url: str,
    client_name: str,
    cursor: str,
    now: datetime,
    added_at: datetime | None = None,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sync_state (id, server_url, feed_url, client_name, cursor, "
        "enrolled_at, added_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
        (server_url, feed_url, client_name, cursor, to_db(now),
         to_db(added_at) if added_at else None),
    )  # fmt: skip


def forget_enrolment(conn: sqlite3.Connection) -> bool:
    return conn.execute("DELETE FROM sync_state WHERE id = 1").rowcount > 0


def get_discreet(conn: sqlite3.Connection) -> tuple[bool | None, bool] | None:
    """(this device's discreet-feed choice as the server acknowledged it, None meaning
    the program's default; the program's default); None when not enrolled."""
    row = conn.execute(
        "SELECT discreet_sent, discreet_default FROM sync_state WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    sent = row["discreet_sent"]
    return (None if sent is None else bool(sent)), bool(row["discreet_default"])


def set_discreet(conn: sqlite3.Connection, sent: bool | None, default: bool) -> None:
    """Remember what the server acknowledged (or, at enrolment, what a new device has)."""
    conn.execute(
        "UPDATE sync_state SET discreet_sent = ?, discreet_default = ? WHERE id = 1",
        (None if sent is None else int(sent), int(default)),
    )


def set_cursor(conn: sqlite3.Connection, cursor: str) -> None:
    """Only ever called in the transaction that applied the changes up to ``cursor``."""
    conn.execute("UPDATE sync_state SET cursor = ? WHERE id = 1", (cursor,))


def record_outcome(
    conn: sqlite3.Connection, when: datetime, error: str, not_before: datetime | None = None
) -> None:
    """Remember when the last sync ran and how it ended (an empty error means it worked)."""
    conn.execute(
        "UPDATE sync_state SET last_sync = ?, last_error = ?, not_before = ? WHERE id = 1",
        (to_db(when), error, to_db(not_before) if not_before else None),
    )


def replace_material(
    conn: sqlite3.Connection,
    mid: int,
    uid: str,
    original: datetime,
    kind: str,
    title: str,
    url: str,
    now: datetime,
    note: str = "",
) -> bool:
    """Store a material, or replace the one with its id (the coordinator corrected it).
    True when that changed what the store held."""
    row = conn.execute(
        "SELECT series_uid, original_start, kind, title, url, note FROM material WHERE id = ?",
        (mid,),
    ).fetchone()
    if row is not None and tuple(row) == (uid, to_db(original), kind, title, url, note):
        return False
    conn.execute(
        "INSERT OR REPLACE INTO material (id, series_uid, original_start, kind, title, url, "
        "note, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (mid, uid, to_db(original), kind, title, url, note, to_db(now)),
    )
    return True


def remove_material(conn: sqlite3.Connection, mid: int) -> bool:
    """Forget a material the coordinator withdrew. True when it was here."""
    return conn.execute("DELETE FROM material WHERE id = ?", (mid,)).rowcount > 0


def all_materials(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every material the program attached, by session then arrival."""
    return conn.execute("SELECT * FROM material ORDER BY original_start, series_uid, id").fetchall()


def materials_for(conn: sqlite3.Connection, uid: str, original: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM material WHERE series_uid = ? AND original_start = ? ORDER BY id",
        (uid, to_db(original)),
    ).fetchall()


def save_reply(
    conn: sqlite3.Connection,
    rid: int,
    notice_id: str,
    status: str,
    text: str,
    materials: list[tuple[str, str]],
    at: datetime,
) -> bool:
    """Store or update a reply by the server's id. True when something changed."""
    blob = json.dumps(materials)
    row = conn.execute(
        "SELECT notice_id, status, text, materials, at FROM reply WHERE id = ?", (rid,)
    ).fetchone()
    if row is not None and tuple(row) == (notice_id, status, text, blob, to_db(at)):
        return False
    conn.execute(
        "INSERT OR REPLACE INTO reply (id, notice_id, status, text, materials, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (rid, notice_id, status, text, blob, to_db(at)),
    )
    return True


def save_offer(conn: sqlite3.Connection, offer: MakeupOffer) -> None:
    """Store a make-up offer; an offer already accepted keeps its acceptance."""
    conn.execute(
        "INSERT INTO makeup_offer (reply_id, notice_id, start, end, join_url, title, slots) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(reply_id) DO UPDATE SET start=excluded.start, "
        "end=excluded.end, join_url=excluded.join_url, title=excluded.title, "
        "slots=excluded.slots",
        (
            offer.reply_id,
            offer.notice_id,
            to_db(offer.start),
            to_db(offer.end),
            offer.join_url,
            offer.title,
            json.dumps([[to_db(s.start), to_db(s.end), s.title, s.join_url] for s in offer.slots]),
        ),
    )


def accept_offer(
    conn: sqlite3.Connection, reply_id: int, series_uid: str, now: datetime, slot: int = 1
) -> None:
    conn.execute(
        "UPDATE makeup_offer SET accepted_uid = ?, accepted_at = ?, chosen_slot = ?, "
        "declined_at = NULL WHERE reply_id = ?",
        (series_uid, to_db(now), slot, reply_id),
    )


def decline_offer(conn: sqlite3.Connection, reply_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE makeup_offer SET accepted_uid = NULL, accepted_at = NULL, chosen_slot = NULL, "
        "declined_at = ? WHERE reply_id = ?",
        (to_db(now), reply_id),
    )


def _offer(row: sqlite3.Row) -> MakeupOffer:
    return MakeupOffer(
        reply_id=row["reply_id"],
        notice_id=row["notice_id"],
        start=from_db(row["start"]),
        end=from_db(row["end"]),
        title=row["title"],
        join_url=row["join_url"],
        accepted_uid=row["accepted_uid"],
        slots=tuple(Slot(from_db(a), from_db(b), t, u) for a, b, t, u in json.loads(row["slots"])),
        chosen_slot=row["chosen_slot"],
        declined=row["declined_at"] is not None,
    )


def list_replies(
    conn: sqlite3.Connection,
    since: datetime | None = None,
    limit: int | None = None,
    reply_id: int | None = None,
) -> list[Reply]:
    """Replies newest first, with the notice they answer and any make-up offer."""
    sql = (
        "SELECT r.*, o.title AS n_title, o.start AS n_start, o.series_uid AS n_uid, "
        "o.original_start AS n_original FROM reply r LEFT JOIN outbox o ON o.id = r.notice_id "
        "WHERE 1 = 1"
    )
    args: list[object] = []
    if since is not None:
        sql += " AND r.at >= ?"
        args.append(to_db(since))
    if reply_id is not None:
        sql += " AND r.id = ?"
        args.append(reply_id)
    sql += " ORDER BY r.at DESC, r.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = conn.execute(sql, args).fetchall()
    offers = {r["reply_id"]: _offer(r) for r in conn.execute("SELECT * FROM makeup_offer")}
    return [
        Reply(
            id=r["id"],
            notice_id=r["notice_id"],
            status=r["status"],
            text=r["text"],
            at=from_db(r["at"]),
            materials=tuple((t, u) for t, u in json.loads(r["materials"])),
            makeup=offers.get(r["id"]),
            notice_title=r["n_title"] or "",
            notice_start=from_db(r["n_start"]) if r["n_start"] else None,
            series_uid=r["n_uid"] or "",
            original_start=from_db(r["n_original"]) if r["n_original"] else None,
        )
        for r in rows
    ]


def get_reply(conn: sqlite3.Connection, rid: int) -> Reply | None:
    found = list_replies(conn, reply_id=rid)
    return found[0] if found else None
