"""The local SQLite store: open safely, migrate, one transaction per user action.

WAL mode with ``synchronous=NORMAL`` survives a killed process. A new database is built
under a temporary name and renamed into place, so Companion never leaves an empty file
behind; an empty file next to other files of the profile is a lost database, not a new
profile. Problems are a :class:`StoreError` whose one line tells the causes apart:

- the file is damaged or not a Companion database: left untouched, "move it aside";
- it was written by a newer version: left untouched, "update Companion";
- the folder or disk cannot be written (read-only, permission, full): the file is fine.
  It is then opened read-only when it safely can be, so what only reads still works, and
  every write is refused with the reason, changing nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from companion.errors import (
    WRITABLE_ADVICE,
    FolderError,
    ProfileError,
    disk_is_full,
    one_line,
    why_not_writable,
    writable,
)
from companion.paths import private_dir
from companion.store.migrations import MIGRATIONS, SCHEMA_VERSION

STAMP = "%Y-%m-%dT%H:%M:%SZ"
# SQLite's primary result codes (``sqlite3.Error.sqlite_errorcode & 0xFF``).
BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
DAMAGED = (CORRUPT, NOTADB)
REFUSED = (BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN)  # a write the machine refused
SIDE_FILES = ("-wal", "-shm")


class StoreError(ProfileError):
    """The store cannot be used; the message is one line meant for the user."""


def to_db(when: datetime) -> str:
    """An aware datetime as the sortable UTC text the store keeps."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return when.astimezone(UTC).strftime(STAMP)


def from_db(text: str) -> datetime:
    """The store's UTC text (``STAMP``) as an aware datetime; anything else is a ValueError.
    fromisoformat, not strptime: ten times faster, and no _strptime import for `status`."""
    if len(text) != 20 or text[10] != "T" or text[-1] != "Z":
        raise ValueError(f"not a stored time: {text!r}")
    return datetime.fromisoformat(text)


class Damaged(sqlite3.DatabaseError):
    """The file opened but is not a usable Companion database."""


def damaged_message(path: Path, why: str) -> str:
    return one_line(
        f"{path} is not a readable Companion database ({why}). It was left untouched; "
        "restore it from a backup, or move it aside to start afresh."
    )


class Store:
    """A connection to one profile's database. Use :meth:`transaction` for every write.

    ``read_only`` holds the reason when the file could only be opened for reading."""

    def __init__(self, path: Path, *, migrate: bool = True, others: Iterable[Path] = ()) -> None:
        """Open (or create) the database at ``path``; ``others`` are the profile's files
        kept elsewhere (settings, token), which an empty database must not be taken over by."""
        self.path = path
        self.read_only = ""
        try:
            private_dir(path.parent)
        except FolderError as exc:
            raise StoreError(str(exc)) from exc
        if not _has_content(path):
            _refuse_lost_database(path, others)
            _create(path, SCHEMA_VERSION if migrate else 0)
        try:
            self.conn = self._open()
        except Damaged as exc:
            raise StoreError(damaged_message(path, str(exc))) from exc
        except sqlite3.Error as exc:
            if _code(exc) in DAMAGED:
                raise StoreError(damaged_message(path, str(exc))) from exc
            self.conn = self._open_read_only(exc)
        if migrate and self.version < SCHEMA_VERSION:
            self.migrate()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            self._check_readable(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            # What a write deletes or replaces is overwritten with zeros in the file, not
            # left in free space: a journal locked with a passphrase leaves no old text.
            conn.execute("PRAGMA secure_delete=ON")
        except BaseException:
            conn.close()
            raise
        for suffix in SIDE_FILES:
            side = self.path.with_name(self.path.name + suffix)
            try:
                os.chmod(side, 0o600)
            except OSError:
                pass  # not there, or not ours to change
        return conn

    def _open_read_only(self, cause: sqlite3.Error) -> sqlite3.Connection:
        """Open for reading after ``cause`` stopped a normal open, when the folder cannot
        be written. With no ``-wal`` content no connection has anything unwritten, and
        none can write meanwhile, so the file can be read as it is (``immutable``)."""
        reason = why_not_writable(self.path.parent)
        if not reason or _size(self.path.with_name(self.path.name + "-wal")):
            raise StoreError(self.problem(cause, "open")) from cause
        try:
            conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=10
            )
            conn.row_factory = sqlite3.Row
            self._check_readable(conn)
        except Damaged as exc:
            raise StoreError(damaged_message(self.path, str(exc))) from exc
        except sqlite3.Error as exc:
            raise StoreError(self.problem(exc, "open")) from exc
        self.read_only = reason
        return conn

    def _check_readable(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer Companion (schema {version}, this one "
                f"knows {SCHEMA_VERSION}). Update Companion; the file was left untouched."
            )
        rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            more = f" and {len(rows) - 1} more problems" if len(rows) > 1 else ""
            raise Damaged(f"integrity check failed: {one_line(rows[0])[:120]}{more}")
        if version < 0:
            raise Damaged(f"its schema version {version} is not one Companion writes")
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
        if version == 0 and tables.fetchone()[0]:
            raise Damaged("it holds tables but no Companion schema version")

    def problem(self, exc: sqlite3.Error, doing: str = "save to") -> str:
        """One line for a SQLite error: damage, a busy file, or a folder/disk problem."""
        code = _code(exc)
        if code in DAMAGED:
            return damaged_message(self.path, str(exc))
        if code in (BUSY, LOCKED):
            return (
                f"cannot {doing} {self.path}: another Companion is using it; try again in a moment"
            )
        folder = self.path.parent
        if code == FULL or disk_is_full(folder):
            return f"cannot {doing} {self.path}: the disk is full; free some space and try again"
        reason = why_not_writable(folder)
        if reason:
            return f"cannot {doing} {self.path}: {reason}"
        if code == READONLY or not writable(self.path):
            return (
                f"cannot {doing} {self.path}: the file is not writable for you; {WRITABLE_ADVICE}"
            )
        return one_line(
            f"cannot {doing} {self.path} ({exc}); check the disk; the file was left untouched"
        )

    def wipe_leftovers(self) -> bool:
        """Leave no copy of replaced rows in the files: VACUUM rebuilds the database
        without free pages (its working copy in memory, never a temporary file), then
        :meth:`truncate_wal`. With ``secure_delete`` on, the truncation alone already
        leaves nothing; the VACUUM is for rare, sensitive rewrites (a journal's passphrase)."""
        if self.read_only:
            raise StoreError(f"cannot save to {self.path}: {self.read_only}; nothing was changed")
        try:
            self.conn.execute("PRAGMA temp_store=MEMORY")
            self.conn.execute("VACUUM")
        except sqlite3.Error as exc:
            raise StoreError(self.problem(exc)) from exc
        return self.truncate_wal()

    def truncate_wal(self) -> bool:
        """Checkpoint the WAL and truncate it to nothing: it keeps old page images (what a
        write replaced) until it restarts. False when another connection's reading held it
        back; the last connection to close removes it anyway."""
        try:
            busy, _log, _done = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(self.problem(exc)) from exc
        return not busy

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Apply the migrations above the file's version, each in its own transaction."""
        if self.read_only and self.version < target:
            raise StoreError(
                f"{self.path} needs an update for this version of Companion, but {self.read_only}"
            )
        for version, script in MIGRATIONS:
            if self.version < version <= target:
                with self.transaction() as conn:
                    for statement in script:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception. A write the disk or
        folder refuses is a :class:`StoreError` and leaves the store as it was."""
        if self.conn.in_transaction:  # nested: the outer transaction owns commit
            yield self.conn
            return
        if self.read_only:
            raise StoreError(f"cannot save to {self.path}: {self.read_only}; nothing was changed")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(self.problem(exc) + "; nothing was changed") from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.DatabaseError) and _code(exc) in REFUSED:
                raise StoreError(self.problem(exc) + "; nothing was changed") from exc
            if isinstance(exc, FolderError):
                raise StoreError(f"{exc}; nothing was changed") from exc
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolled back by itself (a full disk does that)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _refuse_lost_database(path: Path, others: Iterable[Path]) -> None:
    """An empty database file is a new profile only when nothing else of it exists: the
    files beside it in its folder, or ``others`` (the profile's settings and token)."""
    if not path.exists():
        return
    found = [p.name for p in sorted(path.parent.iterdir())
             if p.name != path.name and not p.name.startswith(f".{path.name}.")]  # fmt: skip
    found += [p.name for p in others if p.exists()]
    if found:
        raise StoreError(
            damaged_message(
                path, f"it is empty (0 bytes) though this profile has {', '.join(found[:3])}"
            )  # fmt: skip
        )


def _create(path: Path, version: int) -> None:
    """Build a new database under a temporary name, then move it into place: a crash or
    a full disk half-way leaves no empty or half-made file under the real name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # kept in the file's header
            for number, script in MIGRATIONS:
                if number <= version:
                    conn.execute("BEGIN IMMEDIATE")
                    for statement in script:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={number}")
                    conn.execute("COMMIT")
        finally:
            conn.close()  # the last connection checkpoints and removes -wal and -shm
        if path.exists():  # an empty file we may replace (see _refuse_lost_database)
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # never over a database another process just made
            except FileExistsError:
                pass
            except OSError:
                os.replace(tmp, path)  # a file system without hard links
    except sqlite3.Error as exc:
        raise StoreError(_creation_problem(path, str(exc))) from exc
    except OSError as exc:
        raise StoreError(_creation_problem(path, exc.strerror or str(exc))) from exc
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in SIDE_FILES)):
            try:
                leftover.unlink()
            except OSError:
                pass


def _creation_problem(path: Path, detail: str) -> str:
    reason = why_not_writable(path.parent)
    if reason:
        return f"cannot create {path}: {reason}"
    return one_line(f"cannot create {path} ({detail}); check the disk")
