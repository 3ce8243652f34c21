"""The files the server writes hold messages and shared reflections in clear text: the
database and its WAL and shared-memory files are 0600 in a 0700 directory, after a real
``serve`` that stored a notice, whatever umask it was started under and whatever modes
an older version left behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sync.server import admin
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from tests.conftest import FROZEN_NOW
from tests.server.conftest import notice, pg_schema, publish
from tests.server.served import serve


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def umask_022() -> None:
    os.umask(0o022)  # a shell's usual umask: files 0644 unless the server says otherwise


def server_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args],
        capture_output=True, text=True, timeout=60, preexec_fn=umask_022,
    )  # fmt: skip


def store_a_notice(url: str, db_url: str) -> None:
    """Enrol a client and post a notice through the running server."""
    engine = make_engine(db_url)
    try:
        publish(engine, "P", FROZEN_NOW)  # a notice must name one of the program's sessions
        code = admin.add_client(engine, "Alex", None, datetime.now(UTC))["code"]
    finally:
        engine.dispose()
    with httpx.Client(base_url=url, timeout=10) as http:
        token = http.post("/v1/enroll", json={"code": code}).json()["token"]
        r = http.post("/v1/notices", json=notice(), headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201


def sqlite_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def test_serve_in_the_default_home_writes_0600_files_in_a_0700_dir(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "server-home"
    env = {"COMPANION_SERVER_HOME": str(home)}
    r = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "create-program", "P", "--timezone", "UTC"],
        capture_output=True, text=True, timeout=60, env=dict(os.environ, **env),
        preexec_fn=umask_022,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    db = home / "server.sqlite3"
    with serve(tmp_path / "serve.log", env=env, preexec_fn=umask_022) as served:
        store_a_notice(served.url, f"sqlite:///{db}")
        assert all(f.exists() for f in sqlite_files(db))  # WAL mode: all three in use
        assert [mode(f) for f in sqlite_files(db)] == [0o600] * 3
        assert mode(home) == 0o700 and mode(home.parent) == 0o700
    assert sorted(p.name for p in home.iterdir() if mode(p) & 0o077) == []


def test_modes_an_older_version_left_are_tightened(tmp_path: Path) -> None:
    home = tmp_path / "server-home"
    env = {"COMPANION_SERVER_HOME": str(home)}
    first = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "create-program", "P", "--timezone", "UTC"],
        capture_output=True, text=True, timeout=60, env=dict(os.environ, **env),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    db = home / "server.sqlite3"
    for f in sqlite_files(db):
        f.touch()
        f.chmod(0o644)  # what the old server left
    home.chmod(0o755)
    with serve(tmp_path / "serve.log", env=env, preexec_fn=umask_022) as served:
        store_a_notice(served.url, f"sqlite:///{db}")
        assert [mode(f) for f in sqlite_files(db)] == [0o600] * 3
        assert mode(home) == 0o700


def test_a_db_given_with_db_is_0600_and_a_shared_dir_is_warned_about(tmp_path: Path) -> None:
    nested = tmp_path / "new" / "dirs" / "server.sqlite3"
    r = server_cli("migrate", "--db", f"sqlite:///{nested}")
    assert r.returncode == 0, r.stderr
    assert mode(nested) == 0o600 and mode(nested.parent) == 0o700
    assert mode(nested.parent.parent) == 0o700
    assert "warning" not in r.stderr

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    db_url = f"sqlite:///{shared / 'server.sqlite3'}"
    r = server_cli("migrate", "--db", db_url)
    assert r.returncode == 0, r.stderr
    assert f"{shared} is open to other users" in r.stderr and r.stderr.count("\n") == 1
    assert server_cli("create-program", "P", "--timezone", "UTC", "--db", db_url).returncode == 0
    with serve(tmp_path / "serve.log", "--db", db_url, preexec_fn=umask_022) as served:
        store_a_notice(served.url, db_url)
        assert [mode(f) for f in sqlite_files(shared / "server.sqlite3")] == [0o600] * 3
        assert f"{shared} is open to other users" in served.stderr
    assert mode(shared) == 0o755  # not the server's to change


@pytest.mark.postgres
def test_on_postgresql_serve_writes_no_file_at_all(tmp_path: Path) -> None:
    """Everything lives in the database server; nothing lands in the server's home."""
    home = tmp_path / "server-home"
    env = {"COMPANION_SERVER_HOME": str(home)}
    with pg_schema() as db_url:
        engine = make_engine(db_url)
        migrate.upgrade(engine)
        admin.create_program(engine, "P", "UTC", 0.8, 3, "", FROZEN_NOW)
        engine.dispose()
        with serve(tmp_path / "serve.log", "--db", db_url, env=env, preexec_fn=umask_022) as s:
            store_a_notice(s.url, db_url)
    assert not home.exists()


def test_a_db_in_the_servers_own_dir_tightens_it_instead_of_warning(tmp_path: Path) -> None:
    home = tmp_path / "server-home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    db_url = f"sqlite:///{home / 'demo.sqlite3'}"
    r = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "migrate", "--db", db_url],
        capture_output=True, text=True, timeout=60, preexec_fn=umask_022,
        env=dict(os.environ, COMPANION_SERVER_HOME=str(home)),
    )  # fmt: skip
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert mode(home) == 0o700 and mode(home / "demo.sqlite3") == 0o600
