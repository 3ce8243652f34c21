"""`companion-server`: every admin command in a real subprocess, with --json and errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from tests.server.conftest import free_port, notice, publish

README = Path(__file__).resolve().parents[2] / "sync" / "server" / "README.md"
COMMANDS = [
    "serve",
    "migrate",
    "create-program",
    "set-program",
    "create-coordinator",
    "add-client",
    "revoke-client",
    "crisis-contacts",
    "new-code",
    "discharge",
    "readmit",
    "erase-client",
    "reset-password",
    "backup",
    "restore",
    "purge",
    "export-client",
]


def server_cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def as_json(*args: str, input: str | None = None) -> dict:
    r = server_cli(*args, "--json", input=input)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_admin_commands_print_one_json_object(db_url: str) -> None:
    db = ["--db", db_url]
    migrated = as_json("migrate", *db)
    assert migrated["from"] is None and migrated["to"] == migrate.head()
    again = as_json("migrate", *db)  # idempotent
    assert again["from"] == again["to"] == migrate.head()
    program = as_json(
        "create-program",
        "Evening IOP",
        "--timezone",
        "America/New_York",
        "--threshold",
        "0.85",
        *db,
    )
    assert program == {
        "program_id": 1,
        "name": "Evening IOP",
        "timezone": "America/New_York",
        "threshold": 0.85,
        "unexcused_limit": 3,
        "discreet": False,
    }
    coord = as_json("create-coordinator", "Coord@Example.org", *db, input="long enough\n")
    assert coord == {
        "coordinator_id": 1,
        "email": "coord@example.org",
        "program": "Evening IOP",
        "role": "admin",  # the program's first account
    }
    client = as_json("add-client", "Alex", *db)
    assert set(client) == {"client_id", "name", "program", "code", "expires_at"}
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", client["code"])
    assert as_json("revoke-client", str(client["client_id"]), *db) == {
        "client_id": client["client_id"],
        "revoked_devices": 0,
    }


def test_errors_are_one_line_and_exit_2(db_url: str) -> None:
    db = ["--db", db_url]
    r = server_cli("add-client", "Alex", *db)
    assert r.returncode == 2 and "run `companion-server migrate`" in r.stderr
    as_json("migrate", *db)
    cases = [
        (["add-client", "Alex"], "no program yet"),
        (["create-program", "P", "--timezone", "Mars/Olympus"], "unknown timezone"),
        (["create-program", "P", "--timezone", "UTC", "--threshold", "1.5"], "between 0 and 1"),
        (["revoke-client", "42"], "no client with id 42"),
    ]
    for args, message in cases:
        r = server_cli(*args, *db)
        assert r.returncode == 2, args
        assert r.stderr.count("\n") == 1 and message in r.stderr and "Traceback" not in r.stderr
    as_json("create-program", "A", "--timezone", "UTC", *db)
    as_json("create-program", "B", "--timezone", "UTC", *db)
    r = server_cli("add-client", "Alex", *db)
    assert r.returncode == 2 and "several programs (A, B): pass --program" in r.stderr
    assert as_json("add-client", "Alex", "--program", "B", *db)["program"] == "B"
    r = server_cli("create-coordinator", "c@example.org", "--program", "A", *db, input="short\n")
    assert r.returncode == 2 and "at least 8 characters" in r.stderr


def test_default_database_is_sqlite_in_the_server_home(tmp_path: Path) -> None:
    home = Path(os.environ["COMPANION_SERVER_HOME"])
    made = as_json("create-program", "P", "--timezone", "UTC")  # created and migrated on first use
    assert made["program_id"] == 1
    assert (home / "server.sqlite3").exists()


def test_serve_refuses_a_schema_it_does_not_know(tmp_path: Path) -> None:
    r = server_cli("serve", "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}", "--port", "1")
    assert r.returncode == 2 and "run `companion-server migrate`" in r.stderr
    r = server_cli("serve", "--db", "mysql://x/y")
    assert r.returncode == 2 and "unsupported database" in r.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    r = server_cli(command, "--help")
    assert r.returncode == 0 and "--json" in r.stdout and "--db" in r.stdout
    assert f"companion-server {command}" in README.read_text()


def test_serve_with_two_workers_shares_one_database(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'server.sqlite3'}"]
    as_json("migrate", *db)
    as_json("create-program", "P", "--timezone", "UTC", *db)
    codes = [as_json("add-client", f"C{i}", *db)["code"] for i in range(4)]
    engine = make_engine(db[1])
    publish(engine, "P", datetime.now(UTC))  # the notices below name its occurrences
    engine.dispose()
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.server.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--json",
            *db,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        started = json.loads(proc.stdout.readline())
        assert started["workers"] == 2 and started["url"] == f"http://127.0.0.1:{port}"
        base = started["url"]
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        for code in codes:  # connections land on either worker; all share the database
            with httpx.Client(base_url=base, timeout=10) as http:
                token = http.post("/v1/enroll", json={"code": code}).json()["token"]
                headers = {"Authorization": f"Bearer {token}"}
                assert http.post("/v1/notices", json=notice(), headers=headers).status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=20)
