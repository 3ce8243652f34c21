"""Issue 11, damaged files: an empty database beside a profile's other files, a corrupt
header anywhere in it, a damaged credentials.json. Each is refused in one line and left
exactly as it was; only an empty database with nothing else around is a new profile."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from companion.paths import Paths
from tests.conftest import run_cli
from tests.machine import COMMANDS


def refused(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_an_empty_database_beside_credentials_is_refused_by_every_command(
    paths: Paths,
) -> None:
    """A 0-byte database was a new profile: 14 of 19 commands wrote a fresh schema into
    it, and `unenroll` printed "Forgot ." and deleted credentials.json."""
    paths.data_dir.mkdir(parents=True)
    paths.config_dir.mkdir(parents=True)
    paths.database.write_bytes(b"")
    token = json.dumps({"server_url": "https://iop.example.org", "token": "t" * 43})
    paths.credentials_file.write_text(token)
    for argv in COMMANDS:
        line = refused(run_cli(*argv))
        assert "is empty (0 bytes)" in line and "credentials.json" in line, argv
        assert "restore it from a backup" in line
        assert paths.database.read_bytes() == b"", argv
        assert paths.credentials_file.read_text() == token, argv
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["companion.sqlite3"]


def test_an_empty_database_with_nothing_else_is_a_new_profile(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.database.write_bytes(b"")
    assert run_cli("demo").returncode == 0
    assert "Evening IOP" in run_cli("status").stdout


def test_a_new_profile_never_leaves_an_empty_database(paths: Paths) -> None:
    """The database is built aside and moved in whole: no 0-byte file under its name."""
    assert run_cli("status").returncode == 0
    names = sorted(p.name for p in paths.data_dir.iterdir())
    assert names == ["companion.sqlite3"]
    conn = sqlite3.connect(paths.database)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] > 0
    finally:
        conn.close()


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("good")
    assert run_cli("demo", env={"COMPANION_HOME": str(home)}).returncode == 0
    return home / "data" / "companion.sqlite3"


# Offsets in the 100-byte header (and the first page) that SQLite reads: page size, format
# versions, reserved space, payload fractions, page count, freelist, schema cookie and
# format, user_version, incremental vacuum, the first page's b-tree header.
HEADER_OFFSETS = [16, 18, 19, 20, 21, 28, 32, 36, 44, 52, 60, 64, 100, 101, 105, 107]


@pytest.mark.parametrize("offset", HEADER_OFFSETS)
def test_a_corrupt_header_is_one_line_and_the_file_is_left_as_it_was(
    paths: Paths, good_database: Path, offset: int
) -> None:
    paths.data_dir.mkdir(parents=True)
    shutil.copy(good_database, paths.database)
    with open(paths.database, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xff\x13")
    damaged = paths.database.read_bytes()
    result = run_cli("status")
    if result.returncode == 0:
        return  # SQLite does not use those bytes for reading (e.g. a counter)
    line = refused(result)
    assert "not a readable Companion database" in line and "move it aside" in line
    assert paths.database.read_bytes() == damaged
    assert refused(run_cli("journal", "add", "--what", "x")) == line
    assert paths.database.read_bytes() == damaged


def test_a_negative_schema_version_is_damage_not_an_old_store(
    paths: Paths, good_database: Path
) -> None:
    """user_version is signed: a damaged one read as -237 ran every migration again."""
    paths.data_dir.mkdir(parents=True)
    shutil.copy(good_database, paths.database)
    conn = sqlite3.connect(paths.database)
    conn.execute("PRAGMA user_version=-237")
    conn.close()
    line = refused(run_cli("status"))
    assert "schema version -237" in line and "move it aside" in line
