"""The local SQLite store: open safely, migrate, one transaction per user action.

WAL mode with ``synchronous=NORMAL`` survives a killed process. A file that is not a
Companion database, is corrupt, or was written by a newer version is reported with a
clear :class:`StoreError` and never touched.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from companion.paths import private_dir, private_file
from companion.store.migrations import MIGRATIONS, SCHEMA_VERSION

STAMP = "%Y-%m-%dT%H:%M:%SZ"


class StoreError(Exception):
    """The store cannot be used; the message is meant for the user."""


def to_db(when: datetime) -> str:
    """An aware datetime as the sortable UTC text the store keeps."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return when.astimezone(UTC).strftime(STAMP)


def from_db(text: str) -> datetime:
    return datetime.strptime(text, STAMP).replace(tzinfo=UTC)


class Store:
    """A connection to one profile's database. Use :meth:`transaction` for every write."""

    def __init__(self, path: Path, *, migrate: bool = True) -> None:
        self.path = path
        private_dir(path.parent)
        existed = path.exists() and path.stat().st_size > 0
        if not existed:
            private_file(path)
        try:
            self.conn = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self._check_readable(existed)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} is not a readable Companion database ({exc}). "
                "It was left untouched; move it aside to start afresh."
            ) from exc
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.chmod(side, 0o600)
        if migrate:
            self.migrate()

    def _check_readable(self, existed: bool) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer Companion (schema {version}, this one "
                f"knows {SCHEMA_VERSION}). Update Companion; the file was left untouched."
            )
        if existed:
            result = self.conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {result}")
            if (
                version == 0
                and self.conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type='table'"
                ).fetchone()[0]
            ):
                raise sqlite3.DatabaseError("it holds tables but no Companion schema version")

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Apply the migrations above the file's version, each in its own transaction."""
        for version, script in MIGRATIONS:
            if self.version < version <= target:
                with self.transaction() as conn:
                    for statement in script:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception."""
        if self.conn.in_transaction:  # nested: the outer transaction owns commit
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
