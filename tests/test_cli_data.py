"""Issue 16 from the command line: `companion help-now`, the low-mood line after
`journal add`, `companion export` (documented JSON, a Markdown journal, 0600, nothing
sent, nothing changed) and `companion erase` (typed confirmation, nothing left behind)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from companion.actions.help_now import CLI_OFFER
from companion.paths import Paths
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.test_from_demo import ask_at_a_terminal

DEFAULTS = [
    "- 988 Suicide & Crisis Lifeline — call or text 988 (US)",
    "- Outside the US: call your local emergency number",
]
EXPORT_KEYS = {
    "format", "version", "exported_at", "app_version", "program", "enrolment", "settings",
    "series", "day_notes", "attendance", "reflections", "checklists", "notices", "replies",
    "materials", "crisis_contacts", "help_now",
}  # fmt: skip


def everything_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def db_dump(paths: Paths) -> list[str]:
    conn = sqlite3.connect(paths.database)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def store_contacts(paths: Paths, *rows: tuple[str, str]) -> None:
    run_cli("status")  # creates the profile
    conn = sqlite3.connect(paths.database)
    with conn:
        conn.executemany("INSERT INTO crisis_contact (position, name, phone) VALUES (?, ?, ?)",
                         [(i, n, p) for i, (n, p) in enumerate(rows)])  # fmt: skip
    conn.close()


# -- help-now ------------------------------------------------------------------------------


def test_help_now_lists_the_programs_contacts_then_the_defaults(paths: Paths) -> None:
    out = run_cli("help-now")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Need help now?"
    assert lines[3:5] == DEFAULTS
    assert "Nothing here is sent anywhere" in out.stdout
    store_contacts(paths, ("After-hours line", "+1 212 555 0100"), ("Broken", "not a number"))
    lines = run_cli("help-now").stdout.splitlines()
    assert lines[3:6] == [
        "- After-hours line — call +1 212 555 0100",
        *DEFAULTS,
    ]  # bad row left out
    listed = json.loads(run_cli("help-now", "--json").stdout)
    assert [c["name"] for c in listed] == ["After-hours line", "988 Suicide & Crisis Lifeline",
                                           "Outside the US"]  # fmt: skip
    assert listed[1] == {
        "name": "988 Suicide & Crisis Lifeline", "phone": "988", "sms": "988", "url": "",
        "note": "US", "line": "988 Suicide & Crisis Lifeline — call or text 988 (US)",
    }  # fmt: skip


def test_help_now_always_answers(home: Path, paths: Paths) -> None:
    """A crisis line must not depend on the profile: none is made, a broken one is read
    around."""
    out = run_cli("help-now")
    assert out.returncode == 0 and out.stdout.splitlines()[3:5] == DEFAULTS
    assert everything_under(home) == []  # no profile created just to show the defaults
    store_contacts(paths, ("After-hours line", "+1 212 555 0100"))
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('{"timezone": 5}')
    broken = run_cli("help-now")
    assert broken.returncode == 0 and broken.stdout.splitlines()[3:5] == DEFAULTS
    [line] = broken.stderr.strip().splitlines()
    assert line.startswith("companion: your program's contacts could not be read (")
    paths.config_file.unlink()
    paths.database.write_bytes(b"garbage" * 1000)
    damaged = run_cli("help-now", "--json")
    assert damaged.returncode == 0 and len(json.loads(damaged.stdout)) == 2


def test_a_low_mood_reflection_points_to_help_now_once_a_day() -> None:
    low = run_cli("journal", "add", "--what", "A hard day.", "--mood", "1")
    assert low.returncode == 0 and CLI_OFFER in low.stderr
    again = run_cli("journal", "add", "--barrier", "emotional", "--mood", "2")
    assert CLI_OFFER not in again.stderr  # not twice the same day
    okay = run_cli("journal", "add", "--barrier", "emotional", "--mood", "3",
                   now=FROZEN_NOW + timedelta(days=1))  # fmt: skip
    assert CLI_OFFER not in okay.stderr
    tomorrow = run_cli("journal", "add", "--barrier", "emotional", "--mood", "2", "--json",
                       now=FROZEN_NOW + timedelta(days=1))  # fmt: skip
    assert CLI_OFFER in tomorrow.stderr
    assert json.loads(tomorrow.stdout)["mood"] == 2  # standard output stays JSON


# -- export --------------------------------------------------------------------------------


def test_export_is_documented_json_of_the_whole_profile(paths: Paths) -> None:
    assert run_cli("demo").returncode == 0
    run_cli("journal", "add", "--barrier", "health", "--what", "Migraine.\nStayed in bed.",
            "--mood", "2")  # fmt: skip
    before = db_dump(paths)
    out = run_cli("export")
    assert out.returncode == 0, out.stderr
    assert "holds your private journal" in out.stderr
    data = json.loads(out.stdout)
    assert set(data) == EXPORT_KEYS
    assert (data["format"], data["version"]) == ("companion-export", 1)
    assert data["exported_at"] == FROZEN_NOW.isoformat()
    assert data["program"]["name"] == "Evening IOP" and data["enrolment"] is None
    assert [s["title"] for s in data["series"]] == [
        "Process Group", "Individual counselling", "Coping Skills workshop"]  # fmt: skip
    assert data["reflections"][-1]["what_happened"] == "Migraine.\nStayed in bed."
    assert data["reflections"][-1]["barriers"] == ["health"]
    assert {a["status"] for a in data["attendance"]} >= {"attended", "missed"}
    assert data["checklists"] and data["checklists"][0]["items"]
    assert data["help_now"] == [line[2:] for line in DEFAULTS]
    assert db_dump(paths) == before  # an export changes nothing
    # standard output again with "-"; the same object
    assert json.loads(run_cli("export", "-o", "-").stdout) == data


def test_export_to_a_file_is_private_and_atomic(paths: Paths, tmp_path: Path) -> None:
    run_cli("demo")
    folder = tmp_path / "Documents"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    target = folder / "companion.json"
    target.write_text("an older export")
    os.chmod(target, 0o644)
    out = run_cli("export", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "" and f"Wrote {target}" in out.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # the user's folder is left as it is
    assert json.loads(target.read_text())["format"] == "companion-export"
    assert sorted(p.name for p in folder.iterdir()) == ["companion.json"]  # no temp file left
    md = folder / "journal.md"
    assert run_cli("export", "--format", "markdown", "-o", str(md)).returncode == 0
    assert stat.S_IMODE(md.stat().st_mode) == 0o600
    # it is an export, not something Companion reads back
    back = run_cli("import-ics", str(target))
    assert back.returncode == 2 and len(back.stderr.strip().splitlines()) == 1
    for bad, why in ((folder, "is a folder"), (folder / "no" / "x.json", "does not exist")):
        refused = run_cli("export", "-o", str(bad))
        assert refused.returncode == 2 and why in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr


def test_export_never_holds_the_token_or_the_feed_address(paths: Paths) -> None:
    run_cli("demo")
    conn = sqlite3.connect(paths.database)
    with conn:
        conn.execute("INSERT INTO sync_state (id, server_url, feed_url, client_name, enrolled_at)"
                     " VALUES (1, 'https://iop.example.org', 'https://iop.example.org/v1/feeds/"
                     "SECRETFEED.ics', 'Jordan R.', '2026-11-20T10:00:00Z')")  # fmt: skip
    conn.close()
    paths.config_dir.mkdir(mode=0o700, exist_ok=True)
    paths.credentials_file.write_text(json.dumps({"server_url": "https://iop.example.org",
                                                  "token": "SECRETTOKEN"}))  # fmt: skip
    for fmt in ("json", "markdown"):
        out = run_cli("export", "--format", fmt)
        assert out.returncode == 0, out.stderr
        assert "SECRETTOKEN" not in out.stdout and "SECRETFEED" not in out.stdout
    data = json.loads(run_cli("export").stdout)
    assert data["enrolment"] == {
        "server_url": "https://iop.example.org", "client_name": "Jordan R.",
        "enrolled_at": "2026-11-20T10:00:00+00:00", "last_sync": None,
    }  # fmt: skip


def test_the_markdown_journal_reads_as_written() -> None:
    run_cli("journal", "add", "--barrier", "emotional", "--mood", "2",
            "--what", "# not a heading\n<script>alert(1)</script> [link](javascript:x)",
            "--plan", "Call my sister *first*.")  # fmt: skip
    out = run_cli("export", "--format", "markdown")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("# Companion: your journal and records\n")
    for heading in ("## Journal", "## Schedule", "## Attendance", "## Catch-up checklists",
                    "## Notices to your coordinator", "## Replies from your coordinator",
                    "## Need help now?"):  # fmt: skip
        assert f"\n{heading}\n" in text
    assert "In the way: emotional/symptoms  \nMood: 2 of 5 (low)  \nPrivate" in text
    assert (
        "> \\# not a heading\n> \\<script\\>alert(1)\\</script\\> \\[link\\](javascript:x)" in text
    )
    assert "> Call my sister \\*first\\*." in text
    assert "<script>" not in text and "\n# not" not in text


# -- erase ---------------------------------------------------------------------------------


def test_erase_leaves_nothing_behind(home: Path, paths: Paths) -> None:
    run_cli("demo")
    run_cli("journal", "add", "--what", "private words", "--mood", "1")
    paths.config_dir.mkdir(mode=0o700, exist_ok=True)
    paths.config_file.write_text('{"client_name": "Jordan"}\n')
    (paths.data_dir / ".companion.sqlite3.999.new").write_text("")  # an interrupted creation
    out = run_cli("erase", "--yes")
    assert out.returncode == 0, out.stderr
    assert "Erased: " in out.stdout and "companion.sqlite3" in out.stderr
    assert everything_under(home) == []  # the profile folder holds nothing
    assert run_cli("erase", "--yes").stdout.startswith("Nothing to erase")
    assert json.loads(run_cli("status", "--json").stdout)["program"]["name"] == "My sessions"


def test_erase_asks_for_the_word(home: Path, paths: Paths) -> None:
    run_cli("demo")
    before = db_dump(paths)
    refused = run_cli("erase")  # no terminal, no --yes
    assert refused.returncode == 2 and "in a script, pass --yes" in refused.stderr
    status, out = ask_at_a_terminal(["erase"], "yes")
    assert status == 1 and "Nothing was erased." in out, out
    assert "Type `erase` to remove it all:" in out and "It cannot be undone." in out
    assert db_dump(paths) == before
    status, out = ask_at_a_terminal(["erase"], "erase")
    assert status == 0 and "Erased: " in out, out
    assert everything_under(home) == []


def test_erase_a_profile_that_cannot_be_opened_and_keep_what_is_not_ours(
    home: Path, paths: Paths
) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.database.write_bytes(b"not a database at all" * 100)
    (paths.data_dir / "my-notes.txt").write_text("mine")
    paths.config_dir.mkdir()
    paths.config_file.write_text("{ broken")
    assert run_cli("status").returncode == 2  # the profile cannot be opened
    out = run_cli("erase", "--yes")
    assert out.returncode == 0, out.stderr
    assert f"Left in place (not Companion's): {paths.data_dir / 'my-notes.txt'}" in out.stdout
    assert everything_under(home) == ["data", "data/my-notes.txt"]


def test_erase_removes_the_platform_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without COMPANION_HOME the profile lives in the user's data and config folders."""
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    monkeypatch.delenv("COMPANION_HOME")
    assert run_cli("demo", env=env).returncode == 0
    assert run_cli("journal", "add", "--what", "x", env=env).returncode == 0
    settings = tmp_path / "config" / "companion" / "config.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"theme": "textual-light"}\n')
    assert run_cli("help-now", env=env).returncode == 0
    assert (tmp_path / "share" / "companion" / "companion.sqlite3").exists()
    out = run_cli("erase", "--yes", env=env)
    assert out.returncode == 0, out.stderr
    assert everything_under(tmp_path) == ["config", "share"]  # only the XDG roots remain


def test_every_key_of_the_export_is_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "export.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", doc, flags=re.MULTILINE))
    data = json.loads(run_cli("export").stdout)
    assert documented == set(data) == EXPORT_KEYS


def test_a_protected_journal_is_exported_decrypted_only_with_its_passphrase(
    home: Path, paths: Paths
) -> None:
    words = "The group felt like too much today."
    secret = home / "journal.pass"
    secret.write_text("blue kettle morning\n")
    assert run_cli("journal", "add", "--barrier", "emotional", "--what", words, "--mood", "2",
                   input="").returncode == 0  # fmt: skip
    assert run_cli("journal", "protect", "--passphrase-file", str(secret), input="").returncode == 0
    locked = run_cli("export", input="")  # no terminal, no passphrase file: left locked
    assert locked.returncode == 0, locked.stderr
    assert words not in locked.stdout
    [r] = json.loads(locked.stdout)["reflections"]
    assert (r["locked"], r["what_happened"], r["mood"]) == (True, None, 2)
    assert r["barriers"] == ["emotional"]
    assert "the journal's text is locked in this export" in locked.stderr
    md = run_cli("export", "--format", "markdown", input="").stdout
    assert words not in md and "🔒 Text locked" in md
    env = {"COMPANION_PASSPHRASE_FILE": str(secret)}
    opened = run_cli("export", input="", env=env)
    [r] = json.loads(opened.stdout)["reflections"]
    assert (r["locked"], r["what_happened"]) == (False, words)
    assert "locked in this export" not in opened.stderr
    assert f"> {words}" in run_cli("export", "--format", "markdown", input="", env=env).stdout
