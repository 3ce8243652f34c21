"""Reminders that already fired, so each one fires once."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from companion.store.db import to_db


def claim_reminder(
    conn: sqlite3.Connection, uid: str, original: datetime, offset: timedelta, now: datetime
) -> bool:
    """Record that a reminder fired; False when it had fired already."""
    return (
        conn.execute(
            "INSERT OR IGNORE INTO reminder_fired (series_uid, original_start, offset_s, fired) "
            "VALUES (?, ?, ?, ?)",
            (uid, to_db(original), int(offset.total_seconds()), to_db(now)),
        ).rowcount
        == 1
    )
