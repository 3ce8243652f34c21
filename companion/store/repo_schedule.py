"""Program, series, per-occurrence overrides and attendance marks in the store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.domain.attendance import Policy, Status
from companion.domain.schedule import Kind, Override, Series, zone
from companion.store.db import from_db, to_db

PROGRAM_COLUMNS = "name, timezone, threshold, unexcused_limit, coordinator"


class Program:
    """A program as the client knows it: name, timezone, policy, coordinator contact."""

    __slots__ = ("name", "timezone", "policy", "coordinator")

    def __init__(self, name: str, timezone: str, policy: Policy, coordinator: str = "") -> None:
        zone(timezone)
        self.name, self.timezone, self.policy, self.coordinator = (
            name,
            timezone,
            policy,
            coordinator,
        )

    def __repr__(self) -> str:
        return f"Program({self.name!r}, {self.timezone!r}, {self.policy!r})"


def get_program(conn: sqlite3.Connection) -> Program | None:
    row = conn.execute(f"SELECT {PROGRAM_COLUMNS} FROM program WHERE id = 1").fetchone()
    if row is None:
        return None
    return Program(row[0], row[1], Policy(row[2], row[3]), row[4])


def save_program(conn: sqlite3.Connection, program: Program) -> None:
    conn.execute(
        f"INSERT INTO program (id, {PROGRAM_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name=excluded.name, timezone=excluded.timezone, "
        "threshold=excluded.threshold, unexcused_limit=excluded.unexcused_limit, "
        "coordinator=excluded.coordinator",
        (
            program.name,
            program.timezone,
            program.policy.threshold,
            program.policy.unexcused_limit,
            program.coordinator,
        ),
    )


def _series(row: sqlite3.Row, overrides: dict[datetime, Override]) -> Series:
    tz = zone(row["tzid"])
    return Series(
        uid=row["uid"],
        title=row["title"],
        kind=Kind.of(row["kind"]),
        start=datetime.fromisoformat(row["start_local"]).replace(tzinfo=tz),
        duration=timedelta(seconds=row["duration_s"]),
        tzid=row["tzid"],
        rrule=row["rrule"],
        rdates=tuple(from_db(r) for r in json.loads(row["rdates"])),
        join_url=row["join_url"],
        facilitator=row["facilitator"],
        reminders=tuple(timedelta(seconds=s) for s in json.loads(row["reminders"])),
        overrides=overrides,
        sequence=row["sequence"],
        origin=row["origin"],
        description=row["description"],
        location=row["location"],
        cancelled_from=from_db(row["cancelled_from"]) if row["cancelled_from"] else None,
    )


OVERRIDE_COLUMNS = (
    "series_uid, original_start, start, end, cancelled, title, location, join_url, description"
)


def _overrides(conn: sqlite3.Connection, uid: str | None = None) -> dict[str, dict]:
    sql = f"SELECT {OVERRIDE_COLUMNS} FROM override"
    rows = conn.execute(sql + (" WHERE series_uid = ?" if uid else ""), (uid,) if uid else ())
    out: dict[str, dict[datetime, Override]] = {}
    for r in rows:
        original = from_db(r[1])
        out.setdefault(r[0], {})[original] = Override(
            original,
            from_db(r[2]) if r[2] else None,
            from_db(r[3]) if r[3] else None,
            bool(r[4]),
            title=r[5],
            location=r[6],
            join_url=r[7],
            description=r[8],
        )
    return out


@dataclass(frozen=True, slots=True)
class SetAside:
    """A stored series this version cannot use (e.g. a sub-daily repeat an older version
    accepted): kept untouched, left out of every schedule, shown so it can be removed."""

    uid: str
    title: str
    reason: str


def _usable(row: sqlite3.Row, overrides: dict[datetime, Override]) -> Series | SetAside:
    try:
        return _series(row, overrides)
    except (ValueError, TypeError, KeyError) as exc:  # ScheduleError is a ValueError
        return SetAside(row["uid"], row["title"], str(exc).splitlines()[0] if str(exc) else "")


def _all(conn: sqlite3.Connection) -> list[Series | SetAside]:
    overrides = _overrides(conn)
    rows = conn.execute("SELECT * FROM series ORDER BY start_local, title").fetchall()
    return [_usable(r, overrides.get(r["uid"], {})) for r in rows]


def list_series(conn: sqlite3.Connection) -> list[Series]:
    """Every series this version can expand; the others are :func:`set_aside`."""
    return [s for s in _all(conn) if isinstance(s, Series)]


def set_aside(conn: sqlite3.Connection) -> list[SetAside]:
    """Stored series that cannot be used, with the reason."""
    return [s for s in _all(conn) if isinstance(s, SetAside)]


def get_series(conn: sqlite3.Connection, uid: str) -> Series | None:
    """The series ``uid``; None when there is none or it is set aside."""
    row = conn.execute("SELECT * FROM series WHERE uid = ?", (uid,)).fetchone()
    if row is None:
        return None
    found = _usable(row, _overrides(conn, uid).get(uid, {}))
    return found if isinstance(found, Series) else None


def save_series(conn: sqlite3.Connection, series: Series, now: datetime) -> None:
    """Insert or replace ``series`` and its overrides (attendance is keyed apart and kept)."""
    local = series.start.astimezone(series.zone).replace(tzinfo=None).isoformat()
    conn.execute(
        """INSERT INTO series (uid, title, kind, tzid, start_local, duration_s, rrule, rdates,
               join_url, facilitator, reminders, sequence, origin, created, updated,
               description, location, cancelled_from)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(uid) DO UPDATE SET title=excluded.title, kind=excluded.kind,
               tzid=excluded.tzid, start_local=excluded.start_local,
               duration_s=excluded.duration_s, rrule=excluded.rrule, rdates=excluded.rdates,
               join_url=excluded.join_url, facilitator=excluded.facilitator,
               reminders=excluded.reminders, sequence=excluded.sequence,
               origin=excluded.origin, updated=excluded.updated,
               description=excluded.description, location=excluded.location,
               cancelled_from=excluded.cancelled_from""",
        (
            series.uid,
            series.title,
            series.kind.value,
            series.tzid,
            local,
            int(series.duration.total_seconds()),
            series.rrule,
            json.dumps([to_db(r) for r in series.rdates]),
            series.join_url,
            series.facilitator,
            json.dumps([int(r.total_seconds()) for r in series.reminders]),
            series.sequence,
            series.origin,
            to_db(now),
            to_db(now),
            series.description,
            series.location,
            to_db(series.cancelled_from) if series.cancelled_from else None,
        ),
    )
    conn.execute("DELETE FROM override WHERE series_uid = ?", (series.uid,))
    conn.executemany(
        f"INSERT INTO override ({OVERRIDE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                series.uid,
                to_db(o.original_start),
                to_db(o.start) if o.start else None,
                to_db(o.end) if o.end else None,
                int(o.cancelled),
                o.title,
                o.location,
                o.join_url,
                o.description,
            )
            for o in series.overrides.values()
        ],
    )


def remove_series(conn: sqlite3.Connection, uid: str) -> bool:
    """Remove a series with what only its sessions had: marks, catch-up checklists, the
    reminders it fired, materials. Reflections and notices about it stay (they are the
    client's words and the coordinator's record)."""
    for table in ("attendance", "checklist", "reminder_fired", "material"):
        conn.execute(f"DELETE FROM {table} WHERE series_uid = ?", (uid,))
    return conn.execute("DELETE FROM series WHERE uid = ?", (uid,)).rowcount > 0


def series_updated(conn: sqlite3.Connection) -> dict[str, datetime]:
    """When each series last changed (LAST-MODIFIED in exports)."""
    return {r[0]: from_db(r[1]) for r in conn.execute("SELECT uid, updated FROM series")}


def marks(
    conn: sqlite3.Connection, since: datetime | None = None, until: datetime | None = None
) -> dict[tuple[str, datetime], Status]:
    """Attendance marks keyed by (series uid, original start), optionally in a window."""
    sql, args = "SELECT series_uid, original_start, status FROM attendance", []
    if since is not None and until is not None:
        sql += " WHERE original_start >= ? AND original_start < ?"
        args = [to_db(since), to_db(until)]
    return {(r[0], from_db(r[1])): Status(r[2]) for r in conn.execute(sql, args)}


def mark_rows(conn: sqlite3.Connection) -> list[tuple[str, datetime, Status, str, datetime]]:
    """Every attendance mark: (series uid, original start, status, source, updated), in
    the order of the sessions."""
    rows = conn.execute(
        "SELECT series_uid, original_start, status, source, updated FROM attendance "
        "ORDER BY original_start, series_uid"
    )
    return [(r[0], from_db(r[1]), Status(r[2]), r[3], from_db(r[4])) for r in rows]


def mark_of(conn: sqlite3.Connection, uid: str, original: datetime) -> Status | None:
    """One occurrence's stored mark (None: not marked)."""
    row = conn.execute(
        "SELECT status FROM attendance WHERE series_uid = ? AND original_start = ?",
        (uid, to_db(original)),
    ).fetchone()
    return Status(row[0]) if row else None


def mark_source(conn: sqlite3.Connection, uid: str, original: datetime) -> str | None:
    row = conn.execute(
        "SELECT source FROM attendance WHERE series_uid = ? AND original_start = ?",
        (uid, to_db(original)),
    ).fetchone()
    return row[0] if row else None


def set_mark(
    conn: sqlite3.Connection,
    uid: str,
    original: datetime,
    status: Status,
    now: datetime,
    source: str = "client",
) -> None:
    """Record a status. ``upcoming`` clears the mark. ``source='program'`` is authoritative."""
    if status is Status.UPCOMING:
        conn.execute(
            "DELETE FROM attendance WHERE series_uid = ? AND original_start = ?",
            (uid, to_db(original)),
        )
        return
    conn.execute(
        "INSERT INTO attendance (series_uid, original_start, status, source, updated) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(series_uid, original_start) DO UPDATE SET "
        "status=excluded.status, source=excluded.source, updated=excluded.updated",
        (uid, to_db(original), status.value, source, to_db(now)),
    )


def marked_at(conn: sqlite3.Connection, status: Status) -> dict[tuple[str, datetime], datetime]:
    """When each occurrence got its ``status`` mark (the last change of the mark)."""
    rows = conn.execute(
        "SELECT series_uid, original_start, updated FROM attendance WHERE status = ?",
        (status.value,),
    )
    return {(r[0], from_db(r[1])): from_db(r[2]) for r in rows}
