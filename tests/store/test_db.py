"""The local store: permissions, migrations, corrupt and newer files, transactions."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.config import ConfigError, Settings, load_settings, save_settings
from companion.paths import Paths
from companion.store.db import Store, StoreError
from companion.store.migrations import MIGRATIONS, SCHEMA_VERSION
from companion.store.repo_schedule import get_program, save_program
from tests.conftest import run_cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private(paths: Paths) -> None:
    with Store(paths.database) as store:
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO reflection (created, barriers) VALUES ('2026-01-01T00:00:00Z', '[]')"
            )
    save_settings(paths.config_file, Settings(discreet=True))
    assert mode(paths.data_dir) == 0o700 and mode(paths.config_dir) == 0o700
    assert mode(paths.database) == 0o600 and mode(paths.config_file) == 0o600
    for side in paths.data_dir.glob("*-wal"):
        assert mode(side) == 0o600


def test_wal_mode_and_current_schema(paths: Paths) -> None:
    with Store(paths.database) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.version == SCHEMA_VERSION


def test_migrates_a_version_1_database_and_keeps_its_data(paths: Paths) -> None:
    with Store(paths.database, migrate=False) as old:
        old.migrate(target=1)
        assert old.version == 1
        with old.transaction() as conn:
            conn.execute(
                "INSERT INTO reflection (created, barriers, what_happened) "
                "VALUES ('2026-01-01T00:00:00Z', '[\"health\"]', 'flu')"
            )
    with Store(paths.database) as store:
        assert store.version == SCHEMA_VERSION
        row = store.conn.execute("SELECT what_happened, shared FROM reflection").fetchone()
        assert tuple(row) == ("flu", 0)
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "reminder_fired" in tables


def test_migrations_are_numbered_in_order() -> None:
    assert [v for v, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_corrupt_database_is_reported_and_left_untouched(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    garbage = b"this is not sqlite at all" * 100
    paths.database.write_bytes(garbage)
    with pytest.raises(StoreError, match="not a readable Companion database"):
        Store(paths.database)
    assert paths.database.read_bytes() == garbage
    result = run_cli("status")
    assert result.returncode == 2
    assert "not a readable Companion database" in result.stderr
    assert "Traceback" not in result.stderr
    assert paths.database.read_bytes() == garbage


def test_a_foreign_sqlite_file_is_not_adopted(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    conn = sqlite3.connect(paths.database)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="no Companion schema version"):
        Store(paths.database)


def test_newer_database_is_refused_and_left_untouched(paths: Paths) -> None:
    with Store(paths.database) as store:
        store.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    before = paths.database.read_bytes()
    with pytest.raises(StoreError, match="newer Companion"):
        Store(paths.database)
    assert paths.database.read_bytes() == before


def test_failed_action_rolls_back(paths: Paths) -> None:
    from companion.domain.attendance import Policy
    from companion.store.repo_schedule import Program

    with Store(paths.database) as store:
        with pytest.raises(RuntimeError):
            with store.transaction() as conn:
                save_program(conn, Program("P", "UTC", Policy()))
                raise RuntimeError("boom")
        assert get_program(store.conn) is None


def test_corrupt_config_is_reported_not_overwritten(paths: Paths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("{ not json")
    with pytest.raises(ConfigError, match="cannot read settings"):
        load_settings(paths.config_file)
    result = run_cli("status")
    assert result.returncode == 2 and "cannot read settings" in result.stderr
    assert paths.config_file.read_text() == "{ not json"


def test_store_timestamps_are_utc_text() -> None:
    from companion.store.db import from_db, to_db

    when = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert to_db(when) == "2026-03-08T07:30:00Z" and from_db(to_db(when)) == when
    with pytest.raises(ValueError):
        to_db(datetime(2026, 1, 1))
