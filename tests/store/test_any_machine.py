"""Issue 11, "any machine": a full disk, a read-only mount, folders the user may not write.

Each is a real file system (a small tmpfs, a read-only remount) or a real non-root user;
every command answers in one line naming the folder and what to do, exits 2 and changes
nothing; a healthy database is never called damaged.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.machine import fill, give_to_nobody, remount_read_only, run_as_nobody, small_disk

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:one@t\r\n"
    "DTSTAMP:20261101T000000Z\r\nDTSTART:20261201T150000Z\r\nDTEND:20261201T160000Z\r\n"
    "SUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
NEXT_GROUP = "Mon 30 Nov"  # the demo's next Process Group from the frozen Thu 26 Nov


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(result, *needles: str) -> str:
    """The one stderr line of a refused command, after checking what every refusal owes."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "move it aside" not in lines[0]  # a healthy database is never called damaged
    return lines[0]


def writing_commands(home: Path, ics: Path) -> list[list[str]]:
    sessions = run_cli("sessions", "--json", env={"COMPANION_HOME": str(home)})
    import json

    group = next(s for s in json.loads(sessions.stdout) if s["status"] == "upcoming")
    return [
        ["journal", "add", "--barrier", "work", "--what", "late shift"],
        ["notify", group["id"], "--barrier", "work"],
        ["series", "add", "--title", "Yoga", "--start", "2026-12-02 08:00"],
        ["import-ics", str(ics)],
        ["remind", "--no-notify", "--within", "14d"],
        ["mark", group["id"], "upcoming"],
        ["catchup", "add", json.loads(run_cli("catchup", "--json",
         env={"COMPANION_HOME": str(home)}).stdout)[0]["occurrence"], "call Sam"],
    ]  # fmt: skip


@pytest.mark.slow
def test_a_full_disk_refuses_each_write_in_one_line_and_reading_still_works(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path / "disk", 512) as disk:
        home = disk / "profile"
        env = {"COMPANION_HOME": str(home)}
        assert run_cli("demo", env=env).returncode == 0
        ics = tmp_path / "program.ics"
        ics.write_text(ICS)
        commands = writing_commands(home, ics)
        fill(disk)
        db = home / "data" / "companion.sqlite3"
        before = digest(db)
        status = run_cli("status", env=env)
        assert status.returncode == 0 and "Evening IOP" in status.stdout, status.stderr
        for argv in commands:
            line = one_line_error(run_cli(*argv, env=env), str(home / "data"), "full")
            assert "free some space" in line
        assert digest(db) == before
        (disk / "filler").unlink()
        # Space again: the same store works, with everything it had.
        added = run_cli("journal", "add", "--what", "after the disk was full", env=env)
        assert added.returncode == 0, added.stderr
        listed = run_cli("journal", "list", env=env)
        assert "after the disk was full" in listed.stdout and "Nearly missed it" in listed.stdout


@pytest.mark.slow
@pytest.mark.parametrize("free_kb", [0, 8, 16, 28])
def test_a_nearly_full_disk_is_never_called_a_damaged_database(
    tmp_path: Path, free_kb: int
) -> None:
    """At 0-28 KB free the store was "not a readable Companion database ... move it aside"."""
    with small_disk(tmp_path / "disk", 512) as disk:
        env = {"COMPANION_HOME": str(disk / "profile")}
        assert run_cli("demo", env=env).returncode == 0
        fill(disk, leave=free_kb * 1024)
        for argv in (["status"], ["sessions"], ["journal", "list"], ["outbox"]):
            result = run_cli(*argv, env=env)
            assert "move it aside" not in result.stderr and "Traceback" not in result.stderr
            assert result.returncode == 0 or len(result.stderr.strip().splitlines()) == 1
        added = run_cli("journal", "add", "--what", "x" * 40_000, env=env)
        if added.returncode:
            one_line_error(added, "full")


def test_a_read_only_home_reads_and_refuses_writes_in_one_line(tmp_path: Path) -> None:
    """The chmod in private_dir was a traceback (Errno 30) on a read-only COMPANION_HOME."""
    with small_disk(tmp_path / "disk", 1024) as disk:
        home = disk / "profile"
        env = {"COMPANION_HOME": str(home)}
        assert run_cli("demo", env=env).returncode == 0
        ics = tmp_path / "program.ics"
        ics.write_text(ICS)
        commands = writing_commands(home, ics)
        (home / "data").chmod(0o755)  # as an older version left it: private_dir tightens
        db = home / "data" / "companion.sqlite3"
        before = digest(db)
        remount_read_only(disk)
        status = run_cli("status", env=env)
        assert status.returncode == 0 and "Evening IOP" in status.stdout, status.stderr
        listed = run_cli("journal", "list", env=env)
        assert listed.returncode == 0 and "Nearly missed it" in listed.stdout
        for argv in commands:
            one_line_error(run_cli(*argv, env=env), str(home / "data"), "read-only")
        assert digest(db) == before


def test_a_new_profile_on_a_read_only_disk_names_the_folder(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 64) as disk:
        remount_read_only(disk)
        result = run_cli("status", env={"COMPANION_HOME": str(disk / "profile")})
        one_line_error(result, str(disk / "profile"), "read-only", "COMPANION_HOME")


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A temporary folder other users can reach (pytest's own is root's, 0700)."""
    path = Path(tempfile.mkdtemp(prefix="companion-robust-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_folder_the_user_may_not_write(public_tmp: Path) -> None:
    """As a real non-root user: no permission to create the profile, or to write in it."""
    tmp_path = public_tmp
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o755)  # root's, so not writable for nobody
    one_line_error(
        run_as_nobody(locked / "profile", "status"), str(locked / "profile"), "permission denied"
    )

    home = tmp_path / "mine"
    home.mkdir()
    give_to_nobody(home)
    assert run_as_nobody(home, "demo").returncode == 0
    db = home / "data" / "companion.sqlite3"
    before = digest(db)
    # The user took write permission away from the folder and the database.
    (home / "data").chmod(0o500)
    db.chmod(0o400)
    status = run_as_nobody(home, "status")
    assert status.returncode == 0 and "Evening IOP" in status.stdout, status.stderr
    line = one_line_error(
        run_as_nobody(home, "journal", "add", "--what", "x"), str(home / "data"), "not writable"
    )
    assert "nothing was changed" in line
    assert digest(db) == before


def test_companion_home_and_its_missing_parents_are_created_private(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b" / "profile"
    assert run_cli("status", env={"COMPANION_HOME": str(home)}).returncode == 0
    for folder in (tmp_path / "a", tmp_path / "a" / "b", home, home / "data"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_damaged_database_on_a_read_only_disk_is_still_called_damaged(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 1024) as disk:
        home = disk / "profile"
        env = {"COMPANION_HOME": str(home)}
        assert run_cli("demo", env=env).returncode == 0
        db = home / "data" / "companion.sqlite3"
        with open(db, "r+b") as fh:
            fh.seek(32)  # the freelist: quick_check finds the damage
            fh.write(b"\xff\x13")
        remount_read_only(disk)
        result = run_cli("status", env=env)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert "is not a readable Companion database" in lines[0] and "move it aside" in lines[0]
