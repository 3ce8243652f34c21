"""Reflections (journal entries) in the store. They never leave the device by themselves.

A protected journal (a row in ``journal_key``) keeps each reflection's free text sealed
(``what_sealed``, ``plan_sealed``; see :mod:`companion.domain.vault`) and '' in the plain
columns. Every read takes the key or None: without it a protected reflection comes back
``locked``, with its barriers, mood and dates, which insights and the catch-up ticks need.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime

from companion.domain import vault
from companion.domain.journal import Barrier, Reflection
from companion.errors import JOURNAL_LOCKED, STALE_KEY, JournalLocked
from companion.store.db import from_db, to_db

log = logging.getLogger(__name__)
# Each free-text field and the column its sealed value lives in.
SEALED = {"what_happened": "what_sealed", "plan": "plan_sealed"}
LOCKED, STALE = JOURNAL_LOCKED, STALE_KEY


def _aad(rid: int, column: str) -> bytes:
    return vault.field_aad("reflection", rid, column)


def _texts(row: sqlite3.Row, key: bytes | None) -> dict[str, str] | None:
    """The row's free text: plain, unsealed with ``key``, or None when it cannot be read."""
    if all(row[column] is None for column in SEALED.values()):
        return {name: row[name] for name in SEALED}
    if key is None:
        return None
    try:
        return {
            name: vault.unseal(key, row[column], _aad(row["id"], name))
            if row[column] is not None
            else ""
            for name, column in SEALED.items()
        }
    except vault.VaultError as exc:  # never the text: only which row
        log.warning("reflection %s cannot be decrypted: %s", row["id"], exc)
        return None


def _reflection(row: sqlite3.Row, key: bytes | None = None) -> Reflection:
    occurrence = (row["series_uid"], from_db(row["original_start"])) if row["series_uid"] else None
    texts = _texts(row, key)
    return Reflection(
        when=from_db(row["created"]),
        barriers=tuple(Barrier(b) for b in json.loads(row["barriers"])),
        what_happened=texts["what_happened"] if texts else "",
        plan=texts["plan"] if texts else "",
        mood=row["mood"],
        occurrence=occurrence,
        shared=bool(row["shared"]),
        id=row["id"],
        locked=texts is None,
    )


def add_reflection(conn: sqlite3.Connection, r: Reflection, key: bytes | None = None) -> int:
    """Insert ``r``; in a protected journal its text is sealed with ``key``, which it needs
    when there is text (:class:`JournalLocked` otherwise)."""
    protected = is_protected(conn)
    if protected and key is None and (r.what_happened or r.plan):
        raise JournalLocked(LOCKED)
    if protected and key is not None and not key_is_current(conn, key):
        raise JournalLocked(STALE)  # sealed under it, the text would open for no one
    uid, original = r.occurrence if r.occurrence else (None, None)
    cur = conn.execute(
        "INSERT INTO reflection (created, series_uid, original_start, barriers, what_happened, "
        "plan, mood, shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            to_db(r.when),
            uid,
            to_db(original) if original else None,
            json.dumps([b.value for b in r.barriers]),
            "" if protected else r.what_happened,
            "" if protected else r.plan,
            r.mood,
            int(r.shared),
        ),
    )
    assert cur.lastrowid is not None
    if protected and key is not None:  # sealed under its id, known only now
        _write_texts(conn, cur.lastrowid, {"what_happened": r.what_happened, "plan": r.plan}, key)
    return cur.lastrowid


def _write_texts(
    conn: sqlite3.Connection, rid: int, texts: dict[str, str], key: bytes | None
) -> None:
    """Store a reflection's text sealed with ``key``, or plain when ``key`` is None."""
    if key is None:
        plain, sealed = texts, dict.fromkeys(SEALED)
    else:
        plain = dict.fromkeys(SEALED, "")
        sealed = {n: vault.seal(key, t, _aad(rid, n)) for n, t in texts.items()}
    conn.execute(
        "UPDATE reflection SET what_happened = ?, plan = ?, what_sealed = ?, plan_sealed = ? "
        "WHERE id = ?",
        (plain["what_happened"], plain["plan"], sealed["what_happened"], sealed["plan"], rid),
    )


def reseal_all(conn: sqlite3.Connection, old: bytes | None, new: bytes | None) -> int:
    """Rewrite every reflection's text from under ``old`` (None: plain) to under ``new``
    (None: plain), inside the caller's transaction; returns how many rows. A row that
    ``old`` does not open raises :class:`~companion.domain.vault.VaultError`, so the
    transaction rolls back and nothing changes."""
    rows = conn.execute("SELECT * FROM reflection ORDER BY id").fetchall()
    for row in rows:
        texts = _texts(row, old)
        if texts is None:
            raise vault.VaultError(f"reflection {row['id']} cannot be decrypted (damaged)")
        _write_texts(conn, row["id"], texts, new)
    return len(rows)


def list_reflections(
    conn: sqlite3.Connection,
    since: datetime | None = None,
    limit: int | None = None,
    key: bytes | None = None,
) -> list[Reflection]:
    if key is not None and not key_is_current(conn, key):
        key = None  # the passphrase changed meanwhile: nothing opens with it
    sql, args = "SELECT * FROM reflection", []
    if since is not None:
        sql += " WHERE created >= ?"
        args.append(to_db(since))
    sql += " ORDER BY created DESC, id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_reflection(r, key) for r in conn.execute(sql, args)]


def get_reflection(
    conn: sqlite3.Connection, rid: int, key: bytes | None = None
) -> Reflection | None:
    if key is not None and not key_is_current(conn, key):
        key = None
    row = conn.execute("SELECT * FROM reflection WHERE id = ?", (rid,)).fetchone()
    return _reflection(row, key) if row else None


def mark_shared(conn: sqlite3.Connection, rid: int) -> None:
    conn.execute("UPDATE reflection SET shared = 1 WHERE id = ?", (rid,))


def has_reflection_for(conn: sqlite3.Connection, uid: str, original: datetime) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM reflection WHERE series_uid = ? AND original_start = ? LIMIT 1",
            (uid, to_db(original)),
        ).fetchone()
        is not None
    )


# ---- the journal's key ---------------------------------------------------------------
def is_protected(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM journal_key").fetchone() is not None


def key_is_current(conn: sqlite3.Connection, key: bytes) -> bool:
    """Whether ``key`` opens the journal as it is now (not one from before a change)."""
    stored = get_key(conn)
    return stored is None or vault.key_matches(key, stored[1])


def get_key(conn: sqlite3.Connection) -> tuple[vault.KdfParams, bytes] | None:
    """The key's derivation parameters and its key check; None when not protected."""
    row = conn.execute("SELECT * FROM journal_key").fetchone()
    if row is None:
        return None
    params = vault.KdfParams(
        salt=bytes(row["salt"]),
        time_cost=row["time_cost"],
        memory_kib=row["memory_kib"],
        parallelism=row["parallelism"],
        kdf=row["kdf"],
    )
    return params, bytes(row["key_check"])


def set_key(conn: sqlite3.Connection, params: vault.KdfParams, check: bytes, now: datetime) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO journal_key (id, kdf, salt, time_cost, memory_kib, "
        "parallelism, key_check, created) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        (
            params.kdf,
            params.salt,
            params.time_cost,
            params.memory_kib,
            params.parallelism,
            check,
            to_db(now),
        ),
    )


def drop_key(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM journal_key")
