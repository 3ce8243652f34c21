"""`companion journal protect | unprotect | list | show` with a passphrase, through the real
CLI: from files for scripts, asked at a terminal (getpass), locked text without either,
one-line errors, and no clear text left in any file of the profile."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from companion import cli
from companion.commands import passphrase
from tests.cleartext import found_in
from tests.conftest import run_cli

SENTENCE = "I stayed in bed because the group felt like too much today."
PLAN = "Text Sam before the session so someone expects me."


def cli_run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """The real CLI with no terminal: stdin is a pipe, so nothing is ever asked."""
    return run_cli(*args, input="", env=env)


@pytest.fixture
def files(home: Path) -> dict[str, str]:
    out = {}
    for name, text in (("old", "blue kettle morning\n"), ("new", "seven quiet rivers\n")):
        (home / f"{name}.pass").write_text(text)
        out[name] = str(home / f"{name}.pass")
    (home / "bad.pass").write_text("not it at all\n")
    out["bad"] = str(home / "bad.pass")
    return out


@pytest.fixture
def protected(files: dict[str, str]) -> dict[str, str]:
    assert cli_run("journal", "add", "--barrier", "motivation", "--what", SENTENCE,
                   "--plan", PLAN, "--mood", "2").returncode == 0  # fmt: skip
    done = cli_run("journal", "protect", "--passphrase-file", files["old"])
    assert done.returncode == 0, done.stderr
    assert "Protected the journal: the text of 1 reflection is encrypted." in done.stdout
    assert "A forgotten passphrase cannot be recovered" in done.stdout
    return files


def unlocked(path: str) -> dict[str, str]:
    return {passphrase.ENV: path}


def one_line_error(done) -> str:  # type: ignore[no-untyped-def]
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    return str(done.stderr)


def test_list_and_show_are_locked_without_a_passphrase(protected: dict[str, str]) -> None:
    listed = cli_run("journal", "list")
    assert listed.returncode == 0
    assert "motivation mood 2/5" in listed.stdout and "🔒 text locked" in listed.stdout
    assert SENTENCE not in listed.stdout
    [item] = json.loads(cli_run("journal", "list", "--json").stdout)
    assert (item["what_happened"], item["plan"], item["locked"]) == (None, None, True)
    assert item["barriers"] == ["motivation"] and item["mood"] == 2
    shown = cli_run("journal", "show", "1")
    assert shown.returncode == 0 and "🔒 text locked" in shown.stdout
    insights = cli_run("journal", "insights", "--json")
    assert json.loads(insights.stdout)["barriers"][0]["count"] == 1


def test_the_passphrase_file_unlocks(protected: dict[str, str]) -> None:
    env = unlocked(protected["old"])
    listed = cli_run("journal", "list", env=env)
    assert SENTENCE in listed.stdout and PLAN in listed.stdout and "locked" not in listed.stdout
    shown = json.loads(cli_run("journal", "show", "1", "--json", env=env).stdout)
    assert (shown["what_happened"], shown["plan"], shown["locked"]) == (SENTENCE, PLAN, False)


def test_wrong_passphrase_is_one_line_and_changes_nothing(
    protected: dict[str, str], home: Path
) -> None:
    db = home / "data" / "companion.sqlite3"
    before = db.read_bytes()
    err = one_line_error(cli_run("journal", "list", env=unlocked(protected["bad"])))
    assert "that is not the passphrase" in err
    err = one_line_error(
        cli_run(
            "journal",
            "protect",
            "--change",
            "--passphrase-file",
            protected["new"],
            env=unlocked(protected["bad"]),
        )  # fmt: skip
    )
    assert "that is not the passphrase" in err
    assert "that is not the passphrase" in one_line_error(
        cli_run("journal", "unprotect", env=unlocked(protected["bad"]))
    )
    assert db.read_bytes() == before
    assert SENTENCE in cli_run("journal", "list", env=unlocked(protected["old"])).stdout


def test_writing_text_needs_the_passphrase(protected: dict[str, str]) -> None:
    err = one_line_error(cli_run("journal", "add", "--what", "More words"))
    assert "the journal is locked" in err
    assert cli_run("journal", "add", "--barrier", "health").returncode == 0  # no text: fine
    env = unlocked(protected["old"])
    assert cli_run("journal", "add", "--what", "More words", env=env).returncode == 0
    found = json.loads(cli_run("journal", "list", "--json", env=env).stdout)
    assert [r["what_happened"] for r in found] == ["More words", "", SENTENCE]


def test_change_and_unprotect(protected: dict[str, str], home: Path) -> None:
    changed = cli_run(
        "journal", "protect", "--change", "--passphrase-file", protected["new"],
        env=unlocked(protected["old"]),
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert "Changed the passphrase: 1 reflection re-encrypted." in changed.stdout
    assert "that is not the passphrase" in one_line_error(
        cli_run("journal", "list", env=unlocked(protected["old"]))
    )
    assert SENTENCE in cli_run("journal", "list", env=unlocked(protected["new"])).stdout
    assert found_in(home, SENTENCE, PLAN, "stayed in bed") == []
    done = cli_run("journal", "unprotect", env=unlocked(protected["new"]))
    assert done.returncode == 0 and "Decrypted 1 reflection" in done.stdout
    assert SENTENCE in cli_run("journal", "list").stdout


def test_no_clear_text_in_any_file_of_the_profile(files: dict[str, str], home: Path) -> None:
    cli_run("journal", "add", "--barrier", "motivation", "--what", SENTENCE, "--plan", PLAN)
    assert found_in(home, SENTENCE), "the test would prove nothing"
    assert cli_run("journal", "protect", "--passphrase-file", files["old"]).returncode == 0
    assert cli_run("journal", "list", env=unlocked(files["old"])).returncode == 0  # read too
    hits = found_in(home, SENTENCE, PLAN, "stayed in bed", "Text Sam")
    assert hits == [], hits
    names = {p.name for p in home.rglob("*") if p.is_file()}
    assert "companion.sqlite3" in names  # what was searched: the database and all beside it


def test_refusals_are_one_line(files: dict[str, str], home: Path) -> None:
    assert "not protected" in one_line_error(cli_run("journal", "unprotect"))
    assert "not protected" in one_line_error(
        cli_run("journal", "protect", "--change", "--passphrase-file", files["new"])
    )
    assert "at a terminal, or in a file" in one_line_error(cli_run("journal", "protect"))
    (home / "short.pass").write_text("short\n")
    assert "at least 8 characters" in one_line_error(
        cli_run("journal", "protect", "--passphrase-file", str(home / "short.pass"))
    )
    assert "cannot read --passphrase-file" in one_line_error(
        cli_run("journal", "protect", "--passphrase-file", str(home / "missing"))
    )
    assert "not a regular file" in one_line_error(
        cli_run("journal", "protect", "--passphrase-file", str(home))
    )
    assert cli_run("journal", "protect", "--passphrase-file", files["old"]).returncode == 0
    assert "already protected" in one_line_error(
        cli_run("journal", "protect", "--passphrase-file", files["new"])
    )
    assert "no reflection 9" in one_line_error(cli_run("journal", "show", "9"))
    assert "journal is protected" in one_line_error(cli_run("demo"))


def test_help_says_what_stays_readable_and_that_it_cannot_be_recovered() -> None:
    text = " ".join(cli_run("journal", "protect", "--help").stdout.split())
    assert "AES-256-GCM" in text and "Argon2id" in text
    assert "Barriers, mood and dates stay readable" in text
    assert "insights and the catch-up ticks work while the journal is locked" in text
    assert "A forgotten passphrase cannot be recovered" in text


# ---- at a terminal -------------------------------------------------------------------
@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A terminal whose user types the answers queued in the returned list."""
    answers: list[str] = []
    monkeypatch.setattr(passphrase, "at_terminal", lambda: True)
    monkeypatch.delenv(passphrase.ENV, raising=False)

    def ask(prompt: str) -> str:
        assert answers, f"asked {prompt!r} with no answer left"
        return answers.pop(0)

    monkeypatch.setattr(passphrase.getpass, "getpass", ask)
    return answers


def test_protect_asks_twice_at_a_terminal(
    terminal: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["journal", "add", "--what", SENTENCE]) == 0
    terminal += ["blue kettle morning", "blue kettle mornin"]
    assert cli.main(["journal", "protect"]) == 2
    assert "the two passphrases differ; nothing was changed" in capsys.readouterr().err
    assert SENTENCE in _listed(terminal, capsys)  # not protected: nothing asked
    terminal += ["blue kettle morning", "blue kettle morning"]
    assert cli.main(["journal", "protect"]) == 0
    out = capsys.readouterr()
    assert "A forgotten passphrase cannot be recovered" in out.err  # said before it is set
    assert "A forgotten passphrase cannot be recovered" in out.out  # and after
    assert terminal == []


def _listed(terminal: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["journal", "list"]) == 0
    return capsys.readouterr().out


def test_list_asks_and_lets_one_try_again(
    terminal: list[str], capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    assert cli.main(["journal", "add", "--what", SENTENCE]) == 0
    assert cli.main(["journal", "protect", "--passphrase-file", files["old"]]) == 0
    capsys.readouterr()
    terminal += ["wrong words here", "blue kettle morning"]
    assert SENTENCE in _listed(terminal, capsys)
    terminal += ["wrong words here", "blue kettle morning"]
    assert cli.main(["journal", "list"]) == 0
    assert "that is not the passphrase; try again" in capsys.readouterr().err
    terminal += [""]  # Enter alone: the list, locked
    out = _listed(terminal, capsys)
    assert "🔒 text locked" in out and SENTENCE not in out
    terminal += ["one", "two", "three"]
    assert cli.main(["journal", "add", "--what", "more"]) == 2
    err = capsys.readouterr().err
    assert "that is not the passphrase (3 tries); nothing was changed" in err
    assert terminal == []


def test_a_passphrase_file_needs_no_terminal_and_keeps_inner_spaces(
    home: Path, files: dict[str, str]
) -> None:
    """Only the one line break at the end is dropped: spaces are part of a passphrase."""
    (home / "spaced.pass").write_text("  spaced out words  \r\n")
    cli_run("journal", "add", "--what", SENTENCE)
    assert (
        cli_run("journal", "protect", "--passphrase-file", str(home / "spaced.pass")).returncode
        == 0
    )
    (home / "trimmed.pass").write_text("spaced out words")
    assert cli_run("journal", "list", env=unlocked(str(home / "trimmed.pass"))).returncode == 2
    assert SENTENCE in cli_run("journal", "list", env=unlocked(str(home / "spaced.pass"))).stdout
    assert os.environ.get(passphrase.ENV) is None
