"""Opening the database again in a process that already has it open must not drop that
process's SQLite locks (closing any descriptor of a file drops every POSIX lock the
process holds on it). Before the fix, ``make_engine`` opened and closed the file each
time: another process then believed it was the last user when it closed, removed the
WAL and shared-memory files, and this process's connections read a stale snapshot for
good (a device discharged from the command line kept syncing with a served demo)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import Database


def write_elsewhere(path: Path, name: str) -> None:
    code = (
        f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
        f"c.execute('UPDATE programs SET name = ?', ({name!r},)); c.commit(); c.close()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_a_second_engine_keeps_the_first_ones_view_current(tmp_path: Path) -> None:
    path = tmp_path / "server.sqlite3"
    first = make_engine(f"sqlite:///{path}")
    migrate.upgrade(first)
    with first.begin() as conn:
        conn.execute(text(
            "INSERT INTO programs (name, timezone, threshold, unexcused_limit, coordinator,"
            " last_change, last_change_at, created_at) VALUES ('A', 'UTC', 0.8, 3, '', 0,"
            " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"))  # fmt: skip
    held = first.connect()  # this process has the database open (the pool keeps it)
    held.execute(text("SELECT 1")).all()

    def name(tx: object) -> str:
        return tx.conn.execute(text("SELECT name FROM programs")).scalar_one()  # type: ignore[attr-defined]

    async def run() -> list[str]:
        db = Database(make_engine(f"sqlite:///{path}"))  # opened again, as the demo does
        db.start()
        try:
            seen = [await db.read(name)]
            for new in ("B", "C", "D"):
                write_elsewhere(path, new)
                seen.append(await db.read(name))
            return seen
        finally:
            db.stop()

    try:
        assert asyncio.run(run()) == ["A", "B", "C", "D"]
    finally:
        held.close()
        first.dispose()
