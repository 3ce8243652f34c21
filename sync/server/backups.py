"""``companion-server backup PATH`` and ``restore PATH``: a consistent copy of the
server's database while it serves, and putting one back.

SQLite: the online backup API (a consistent snapshot however many server processes are
writing; readers and writers carry on). PostgreSQL: ``pg_dump --format=custom`` of the
schema the URL's ``search_path`` names (``public`` without one), restored with
``pg_restore``; without those tools the error says how to get them. Backups are 0600
and never overwrite a file. ``restore`` refuses a database that holds a program unless
``force`` is given.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL

from sync.server.storage.tables import programs

PG_TOOLS_HINT = (
    "install the PostgreSQL client tools (Debian: apt-get install postgresql-client, the "
    "same major version as the server), or run by hand: pg_dump --format=custom "
    "--schema=SCHEMA --file=PATH DATABASE"
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, on one line."""


def backup(engine: Engine, path: Path) -> dict[str, Any]:
    """Copy the database to ``path`` (a new file, 0600)."""
    if path.exists():
        raise BackupError(f"{path} exists: a backup never overwrites a file")
    if engine.dialect.name == "sqlite":
        _sqlite_backup(_sqlite_file(engine.url), path)
    else:
        _pg_dump(engine.url, path)
    path.chmod(0o600)
    return {"path": str(path), "bytes": path.stat().st_size, "backend": engine.dialect.name}


def restore(engine: Engine, path: Path, *, force: bool = False) -> dict[str, Any]:
    """Put the backup at ``path`` back into the database of ``engine``."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    held = programs_held(engine)
    if held and not force:
        raise BackupError(
            f"the database holds {held} program(s): restoring replaces everything in it; "
            "give --force to do that (take a backup of it first)"
        )
    if engine.dialect.name == "sqlite":
        _sqlite_restore(path, _sqlite_file(engine.url))
    else:
        _pg_restore(engine.url, path)
    return {"path": str(path), "replaced_programs": held, "backend": engine.dialect.name}


def programs_held(engine: Engine) -> int:
    """How many programs the database holds (0 for an empty or unmigrated one)."""
    if not inspect(engine).has_table("programs"):
        return 0
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(programs)).scalar_one())


def _sqlite_file(url: URL) -> Path:
    assert url.database
    return Path(url.database).expanduser()


def _sqlite_backup(source: Path, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_restore(path: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a SQLite backup: {exc}") from None
        if ok != ("ok",):
            raise BackupError(f"{path} fails SQLite's integrity check: {ok[0]}")
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # through SQLite's locks: safe with the WAL of a live file
        finally:
            dst.close()
    finally:
        src.close()


def pg_schema(url: URL) -> str:
    """The schema the URL's ``options=-csearch_path=...`` names, else ``public``."""
    options = url.query.get("options", "")
    text = " ".join(options) if isinstance(options, tuple) else options
    m = re.search(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_$]*)", text)
    return m.group(1) if m else "public"


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = [f"--dbname={url.database or 'postgres'}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: {PG_TOOLS_HINT}")
    return found


def _run(argv: list[str], env: dict[str, str]) -> None:
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        raise BackupError(f"{Path(argv[0]).name} failed: {lines[-1] if lines else r.returncode}")


def _pg_dump(url: URL, path: Path) -> None:
    args, env = _pg_args(url)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={pg_schema(url)}",
              f"--file={path}", *args], env)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _pg_restore(url: URL, path: Path) -> None:
    args, env = _pg_args(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", *args, str(path)], env)  # fmt: skip
