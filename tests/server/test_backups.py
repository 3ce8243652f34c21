"""``companion-server backup`` during a write load, and ``restore``: the copy passes the
integrity check and holds every notice committed before it began; restore refuses a
database that holds data without --force; backups are 0600. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from sync.server.storage.engine import make_engine
from sync.server.storage.tables import notices
from tests.server.retained import add_notice, program


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync.server.cli", *args],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


class Writer(threading.Thread):
    """Acknowledged notices, one transaction each, until stopped; ``done`` lists those
    committed."""

    def __init__(self, engine: Engine, ids: tuple[int, int, int]) -> None:
        super().__init__(daemon=True)
        self.engine, self.ids = engine, ids
        self.done: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        pid, coord, client = self.ids
        while not self.stop.is_set():
            self.done.append(add_notice(self.engine, pid, client, coord, timedelta(0)))

    def wait_for(self, n: int) -> None:
        while len(self.done) < n:
            self.stop.wait(0.01)


def held(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(notices.c.id)).scalars())


def test_backup_under_load_restores_whole(engine: Engine, db_url: str,
                                                 tmp_path: Path) -> None:  # fmt: skip
    if engine.dialect.name != "sqlite":
        return _pg_backup_under_load(engine, db_url, tmp_path)
    writer = Writer(engine, program(engine))
    writer.start()
    writer.wait_for(20)
    before = list(writer.done)
    path = tmp_path / "backup.sqlite3"
    r = cli("backup", str(path), "--db", db_url, "--json")
    writer.wait_for(len(before) + 5)  # the load ran on through the backup
    writer.stop.set()
    writer.join()
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["path"] == str(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    r = cli("restore", str(path), "--db", fresh)
    assert r.returncode == 0, r.stderr
    restored = make_engine(fresh)
    assert set(before) <= held(restored)
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored.dispose()

    refused = cli("restore", str(path), "--db", db_url)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert cli("backup", str(path), "--db", db_url).returncode == 2  # never overwrites
    assert cli("restore", str(path), "--db", db_url, "--force").returncode == 0
    assert held(engine) == held(make_engine(fresh))  # the later notices are gone again


def _pg_backup_under_load(engine: Engine, db_url: str, tmp_path: Path) -> None:
    ids = program(engine)
    writer = Writer(engine, ids)
    writer.start()
    writer.wait_for(20)
    before = list(writer.done)
    path = tmp_path / "backup.pgdump"
    r = cli("backup", str(path), "--db", db_url)
    writer.stop.set()
    writer.join()
    assert r.returncode == 0, r.stderr
    assert path.stat().st_mode & 0o777 == 0o600
    at_backup = held(engine)
    assert set(before) <= at_backup
    late = add_notice(engine, ids[0], ids[2], ids[1], timedelta(0))  # after the backup

    refused = cli("restore", str(path), "--db", db_url)
    assert refused.returncode == 2 and "--force" in refused.stderr
    engine.dispose()
    r = cli("restore", str(path), "--db", db_url, "--force")
    assert r.returncode == 0, r.stderr
    after = held(engine)
    assert set(before) <= after <= at_backup and late not in after
    # the restored schema takes writes
    assert add_notice(engine, ids[0], ids[2], ids[1], timedelta(0)) in held(engine)


def test_without_pg_dump_the_error_says_how(engine: Engine, db_url: str, tmp_path: Path) -> None:
    if engine.dialect.name == "sqlite":  # SQLite needs no tool: the copy is made all the same
        path = tmp_path / "b.sqlite3"
        assert cli("backup", str(path), "--db", db_url).returncode == 0
        return
    path = tmp_path / "b.pgdump"
    r = subprocess.run([sys.executable, "-m", "sync.server.cli", "backup", str(path), "--db",
                        db_url], capture_output=True, text=True, timeout=60,
                       env={"PATH": str(tmp_path)})  # fmt: skip
    assert r.returncode == 2
    assert "pg_dump is not installed" in r.stderr
    assert "apt-get install postgresql-client" in r.stderr
    assert not path.exists()
