"""Opening the database: a SQLite file (WAL, zero set-up) by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_SIDECARS = ("-wal", "-shm", "-journal", ".writer-lock")


class DatabaseUrlError(ValueError):
    """A --db URL this server cannot use."""


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///PATH`` or ``postgresql+psycopg://...``).

    SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed notice survives a
    killed process (what the client's outbox relies on), and readers never block the
    writer. A ``busy_timeout`` lets several server processes share one file.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a long message
        raise DatabaseUrlError(f"cannot read database URL {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseUrlError("SQLite needs a file: sqlite:///PATH")
        _private_sqlite(Path(parsed.database).expanduser())
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_size=4, max_overflow=4, pool_pre_ping=True)
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _private_sqlite(path: Path) -> None:
    """The database file and its companions 0600, before SQLite opens them: it creates
    the WAL and shared-memory files with the database file's mode, so they follow.
    Missing directories are made 0700."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Create the file only when it is missing, and never open an existing one here:
        # closing any descriptor of a file drops every POSIX lock this process holds on
        # it, SQLite's included, and a process that already has connections open (the
        # demo, a test, anything embedding the server) would then let another process
        # believe it is the last user, checkpoint and delete the WAL and shared-memory
        # files under it: its connections would read a stale snapshot for good.
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
        except FileExistsError:
            pass
        for file in (path, *(path.with_name(path.name + s) for s in SQLITE_SIDECARS)):
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
    except OSError as exc:
        raise DatabaseUrlError(f"cannot use {path}: {exc.strerror or exc}") from exc


WAL_BACKSTOP_PAGES = 10_000


def _sqlite_pragmas(dbapi_conn: Any, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # The serving process checkpoints from a thread of its own (runner.Checkpointer); a
    # commit checkpoints itself only past this many WAL pages (40 MB): the backstop.
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
    cur.close()
