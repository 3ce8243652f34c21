"""The storage interface: every query the server makes, run inside a :class:`Tx`.

A ``Tx`` is handed to jobs by the database threads (``runner.py``), which own the
transaction: a method never commits, and everything a job does through it commits or
rolls back together (see the guarantees in ``runner.py``). The same methods run on
SQLite and PostgreSQL and are checked by one contract suite (tests/server).

The hot paths (device and feed token lookups, notice inserts, change polls) execute
statements compiled once per dialect at start-up on the raw driver cursor: building a
SQLAlchemy statement per call cost 0.18-0.28 ms on the prototype, which alone would
eat the request budget. Everything else uses SQLAlchemy Core on the same connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, TextClause, text

from sync.server.storage.repo_accounts import AccountQueries
from sync.server.storage.repo_audit import AuditQueries
from sync.server.storage.repo_clients import ClientQueries
from sync.server.storage.repo_dashboard import DashboardQueries
from sync.server.storage.repo_makeups import MakeupQueries
from sync.server.storage.repo_materials import MaterialQueries
from sync.server.storage.repo_program import ProgramQueries
from sync.server.storage.repo_records import RecordQueries


class Prebuilt:
    """A statement compiled once for a dialect, run on the raw DBAPI connection."""

    def __init__(self, clause: TextClause, dialect: Dialect) -> None:
        compiled = clause.compile(dialect=dialect)
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None

    def params(self, values: dict[str, Any]) -> Any:
        return tuple(values[k] for k in self.order) if self.order is not None else values


_NOTICE_COLUMNS = (
    "id, client_id, program_id, series_uid, original_start, title, start, timing, barrier, "
    "message, makeup, shared_reflection, created_at, received_at, digest, status, "
    "claimed_timing, clock_offset_s"
)
NOTICE_FIELDS = tuple(c.strip() for c in _NOTICE_COLUMNS.split(","))

_HOT = {
    "device": """
        SELECT d.id, d.client_id, c.program_id, p.last_change
        FROM devices d JOIN clients c ON c.id = d.client_id JOIN programs p ON p.id = c.program_id
        WHERE d.token_hash = :h AND d.revoked_at IS NULL AND c.revoked_at IS NULL
              AND c.discharged_at IS NULL""",
    "feed": """
        SELECT d.client_id, c.program_id, p.last_change, p.last_change_at, c.feed_rev,
               c.feed_changed_at, d.feed_rev, d.feed_changed_at, d.discreet, p.discreet_default
        FROM devices d JOIN clients c ON c.id = d.client_id JOIN programs p ON p.id = c.program_id
        WHERE d.feed_hash = :h AND d.revoked_at IS NULL AND c.revoked_at IS NULL
              AND c.discharged_at IS NULL""",
    "insert_notice": f"""
        INSERT INTO notices ({_NOTICE_COLUMNS})
        VALUES (:id, :client_id, :program_id, :series_uid, :original_start, :title, :start,
                :timing, :barrier, :message, :makeup, :shared_reflection, :created_at,
                :received_at, :digest, :status, :claimed_timing, :clock_offset_s)
        ON CONFLICT (id) DO NOTHING""",
    "notice": f"SELECT {_NOTICE_COLUMNS} FROM notices WHERE id = :id",
    "bump_feed": """
        UPDATE clients SET feed_rev = feed_rev + 1, feed_changed_at = :at WHERE id = :cid""",
    "changes": """
        SELECT seq, body FROM changes
        WHERE program_id = :pid AND seq > :since AND (client_id IS NULL OR client_id = :cid)
        ORDER BY seq LIMIT :lim""",
}


# The same lookups for a whole batch of requests at once (``WHERE ... IN``), compiled
# once per batch size: one statement per batch instead of one per request.
_MANY = {
    "devices": _HOT["device"]
    .replace("d.token_hash = :h", "d.token_hash IN ({in_list})")
    .replace("SELECT d.id", "SELECT d.token_hash, d.id"),
    "feeds": _HOT["feed"]
    .replace("d.feed_hash = :h", "d.feed_hash IN ({in_list})")
    .replace("SELECT d.client_id", "SELECT d.feed_hash, d.client_id"),
    "notices": f"SELECT {_NOTICE_COLUMNS} FROM notices WHERE id IN ({{in_list}})",
}
_PLAIN_INSERT = _HOT["insert_notice"].replace("ON CONFLICT (id) DO NOTHING", "")


class Statements:
    """The hot-path statements, compiled for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.by_name = {name: Prebuilt(text(sql), dialect) for name, sql in _HOT.items()}
        self.by_name["insert_notices"] = Prebuilt(text(_PLAIN_INSERT), dialect)
        self._many: dict[tuple[str, int], Prebuilt] = {}

    def many(self, name: str, n: int) -> Prebuilt:
        """The ``IN`` form of lookup ``name`` for ``n`` keys (compiled on first use)."""
        stmt = self._many.get((name, n))
        if stmt is None:
            in_list = ", ".join(f":k{i}" for i in range(n))
            stmt = Prebuilt(text(_MANY[name].format(in_list=in_list)), self.dialect)
            self._many[(name, n)] = stmt
        return stmt


@dataclass(frozen=True, slots=True)
class DeviceAuth:
    """Who a device token belongs to, and the program's change counter."""

    device_id: int
    client_id: int
    program_id: int
    last_change: int


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a feed token opens, and the counters and times its validators are made of:
    the program's change counter (series), the client's feed revision (advance notices)
    and the device's own (its discreet choice, or the program default it follows)."""

    client_id: int
    program_id: int
    last_change: int
    last_change_at: str
    feed_rev: int
    feed_changed_at: str
    device_rev: int
    device_changed_at: str | None
    discreet: bool | None  # the device's choice; None follows the program's default
    discreet_default: bool

    @property
    def changed_at(self) -> str:
        """The stamp of the feed's last change (stamps compare as the instants they name)."""
        return max(self.last_change_at, self.feed_changed_at, self.device_changed_at or "")

    @property
    def is_discreet(self) -> bool:
        return bool(self.discreet_default if self.discreet is None else self.discreet)


class Tx(
    ProgramQueries,
    RecordQueries,
    DashboardQueries,
    AccountQueries,
    AuditQueries,
    ClientQueries,
    MakeupQueries,
    MaterialQueries,
):
    """The queries of one transaction (see the module docstring)."""

    def __init__(self, conn: Connection, raw: Any, statements: Statements) -> None:
        self.conn = conn
        self.raw = raw
        self.statements = statements
        self._stmts = statements.by_name

    def _run(self, name: str, values: dict[str, Any]) -> Any:
        stmt = self._stmts[name]
        return self.raw.execute(stmt.sql, stmt.params(values))

    def _many(self, name: str, keys: list[str]) -> list[Any]:
        # Padded to a power of two with the last key again (a repeat in IN changes
        # nothing): a handful of compiled forms instead of one per batch size, each of
        # which cost SQLAlchemy milliseconds to compile while serving.
        size = 1 << (len(keys) - 1).bit_length()
        stmt = self.statements.many(name, size)
        padded = keys + keys[-1:] * (size - len(keys))
        values = {f"k{i}": key for i, key in enumerate(padded)}
        return self.raw.execute(stmt.sql, stmt.params(values)).fetchall()

    # -- client-facing hot paths ---------------------------------------------------

    def device_by_token(self, token_hash: str) -> DeviceAuth | None:
        row = self._run("device", {"h": token_hash}).fetchone()
        return DeviceAuth(*row) if row else None

    def feed_by_token(self, feed_hash: str) -> FeedState | None:
        row = self._run("feed", {"h": feed_hash}).fetchone()
        return FeedState(*row) if row else None

    def devices_by_tokens(self, token_hashes: set[str]) -> dict[str, DeviceAuth]:
        """:meth:`device_by_token` for many tokens in one statement."""
        if not token_hashes:
            return {}
        rows = self._many("devices", sorted(token_hashes))
        return {row[0]: DeviceAuth(*row[1:]) for row in rows}

    def feeds_by_tokens(self, feed_hashes: set[str]) -> dict[str, FeedState]:
        """:meth:`feed_by_token` for many tokens in one statement."""
        if not feed_hashes:
            return {}
        rows = self._many("feeds", sorted(feed_hashes))
        return {row[0]: FeedState(*row[1:]) for row in rows}

    def notice_rows(self, notice_ids: set[str]) -> dict[str, dict[str, Any]]:
        """:meth:`notice_row` for many ids in one statement."""
        if not notice_ids:
            return {}
        out = {}
        for row in self._many("notices", sorted(notice_ids)):
            found = dict(zip(NOTICE_FIELDS, row, strict=True))
            found["makeup"] = bool(found["makeup"])
            out[found["id"]] = found
        return out

    def insert_notices(self, rows: list[dict[str, Any]]) -> None:
        """Insert notices known to be new (one statement). A concurrent insert of the same
        id by another process makes this raise, and the runner retries each job alone."""
        stmt = self._stmts["insert_notices"]
        self.raw.cursor().executemany(stmt.sql, [stmt.params(r) for r in rows])

    def bump_feeds(self, client_ids: list[int], at: str) -> None:
        stmt = self._stmts["bump_feed"]
        self.raw.cursor().executemany(
            stmt.sql, [stmt.params({"cid": c, "at": at}) for c in client_ids]
        )

    def insert_notice(self, values: dict[str, Any]) -> bool:
        """Store a notice; False when its id is already stored (nothing is written)."""
        return self._run("insert_notice", values).rowcount == 1

    def notice_row(self, notice_id: str) -> dict[str, Any] | None:
        row = self._run("notice", {"id": notice_id}).fetchone()
        if row is None:
            return None
        out = dict(zip(NOTICE_FIELDS, row, strict=True))
        out["makeup"] = bool(out["makeup"])
        return out

    def bump_feed(self, client_id: int, at: str) -> None:
        self._run("bump_feed", {"cid": client_id, "at": at})

    def changes_since(self, program_id: int, client_id: int, since: int, limit: int) -> list[Any]:
        """(seq, body JSON) of the program's changes for this client after ``since``."""
        return self._run(
            "changes", {"pid": program_id, "cid": client_id, "since": since, "lim": limit}
        ).fetchall()
