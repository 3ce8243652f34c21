"""`companion-server demo --no-serve`: the printed sign-in works and the data is there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import start_server, stop_server
from tests.web.conftest import sign_in


def demo(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "demo", *args],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "COMPANION_SERVER_HOME": str(home)},
    )  # fmt: skip


def test_demo_builds_a_program_whose_printed_sign_in_works(tmp_path: Path) -> None:
    done = demo(tmp_path, "--no-serve", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["clients"] == 5 and info["notices"] >= 3 and info["sessions_recorded"] >= 1
    again = demo(tmp_path, "--no-serve")  # a fresh demo database every run
    assert again.returncode == 0 and "sign in as coord@example.org with password" in again.stdout
    password = again.stdout.split("with password ")[1].split()[0]
    server = start_server(tmp_path, "serve", "--db", info["database"])
    try:
        browser = sign_in(server.url, "coord@example.org", password)
        inbox = browser.get("/inbox").text
        assert "Shift moved to evenings this week." in inbox and "At risk this week" in inbox
        assert browser.get("/clients").text.count('href="/clients/') == 5
        browser.close()
    finally:
        stop_server(server)


def test_demo_into_a_database_that_has_it_already_is_a_one_line_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert demo(tmp_path, "--no-serve", "--db", url).returncode == 0
    done = demo(tmp_path, "--no-serve", "--db", url)
    assert done.returncode == 2
    assert done.stderr.startswith("companion-server: error:") and "Traceback" not in done.stderr
