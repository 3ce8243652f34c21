"""``companion-server check`` on a good and on a bad deployment: one ok/warn/fail line
per finding, exit 1 on any fail, ``--json`` a list."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.tlscerts import make_pki


def check(*args: str, smtp: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("COMPANION_SMTP_URL", None)
    if smtp:
        env["COMPANION_SMTP_URL"] = smtp
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "check", *args],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip


def findings(*args: str, smtp: str = "") -> tuple[int, dict[str, dict[str, Any]]]:
    done = check(*args, "--json", smtp=smtp)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, {f["check"]: f for f in json.loads(done.stdout)}


@pytest.fixture
def mail_server() -> Iterator[int]:
    """A port something listens on (the check only connects)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.fixture
def home() -> Path:
    path = Path(os.environ["COMPANION_SERVER_HOME"])
    path.mkdir(mode=0o700, parents=True)
    return path


def test_a_good_deployment_is_all_ok(
    engine: Engine, db_url: str, home: Path, mail_server: int
) -> None:
    args = ("--db", db_url, "--forwarded-allow-ips", "127.0.0.1",
            "--public-url", "https://iop.example.org")  # fmt: skip
    smtp = f"smtp+starttls://mailer:secret@127.0.0.1:{mail_server}"
    done = check(*args, smtp=smtp)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert all(line.startswith(("ok   ", "warn ")) for line in lines), done.stdout
    assert not [line for line in lines if line.startswith("warn")], done.stdout
    code, found = findings(*args, smtp=smtp)
    assert code == 0 and {f["status"] for f in found.values()} == {"ok"}
    assert "behind the trusted proxy" in found["exposure"]["detail"]
    assert "reachable" in found["database"]["detail"] and "current" in found["database"]["detail"]
    assert found["mail"]["detail"] == f"127.0.0.1:{mail_server} answers"
    assert found["trusted proxies"]["detail"] == "127.0.0.1"
    if db_url.startswith("sqlite"):
        assert found["database file"]["detail"].endswith("is 0600")


def test_tls_terminated_here_is_ok_and_the_certificate_is_read(
    engine: Engine, db_url: str, home: Path, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path / "pki", days=90)
    tls = ("--tls-cert", str(pki.cert), "--tls-key", str(pki.key))
    code, found = findings("--db", db_url, "--host", "0.0.0.0", *tls,
                           "--public-url", "https://127.0.0.1")  # fmt: skip
    assert code == 0, found
    assert found["exposure"]["detail"] == "https on 0.0.0.0 (TLS terminated here)"
    assert found["certificate"]["status"] == "ok"
    assert "valid until" in found["certificate"]["detail"]
    assert found["tls key"]["status"] == "ok"

    soon = make_pki(tmp_path / "soon", days=3)
    code, found = findings("--db", db_url, "--tls-cert", str(soon.cert), "--tls-key",
                           str(soon.key))  # fmt: skip
    assert code == 0 and found["certificate"]["status"] == "warn"
    assert "renew it" in found["certificate"]["detail"]


def test_a_bad_deployment_fails_with_one_line_each(home: Path, tmp_path: Path) -> None:
    db = tmp_path / "open" / "server.sqlite3"
    db.parent.mkdir()
    db.write_bytes(b"")  # there, but never migrated
    db.chmod(0o644)
    db.parent.chmod(0o755)
    home.chmod(0o755)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    args = ("--db", f"sqlite:///{db}", "--host", "0.0.0.0",
            "--public-url", "http://iop.example.org")  # fmt: skip
    done = check(*args, smtp=f"smtp://127.0.0.1:{port}")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == len(set(lines)) and all("\n" not in line for line in lines)
    fails = {line.split(":", 1)[0].removeprefix("fail ").strip() for line in lines
             if line.startswith("fail ")}  # fmt: skip
    assert fails == {"exposure", "public url", "data dir", "database dir", "database file",
                     "database", "mail"}, done.stdout  # fmt: skip
    code, found = findings(*args, smtp=f"smtp://127.0.0.1:{port}")
    assert code == 1
    assert "refusing to serve plain HTTP on 0.0.0.0" in found["exposure"]["detail"]
    assert f"chmod 600 {db}" in found["database file"]["detail"]
    assert f"chmod 700 {home}" in found["data dir"]["detail"]
    assert "no Companion schema yet" in found["database"]["detail"]
    assert oct(db.stat().st_mode & 0o777) == "0o644", "check changed the file's mode"
    assert f"cannot connect to 127.0.0.1:{port}" in found["mail"]["detail"]


@pytest.mark.parametrize(
    ("smtp", "says"),
    [
        ("smtp://mail.invalid:587", "mail.invalid does not resolve"),
        ("http://mail.example.org", "must look like smtp+starttls://"),
        ("smtp://mail.example.org:99999", "does not parse"),
    ],
)
def test_mail_settings_that_cannot_work_fail(home: Path, smtp: str, says: str) -> None:
    code, found = findings(smtp=smtp)
    assert code == 1 and found["mail"]["status"] == "fail"
    assert says in found["mail"]["detail"]


def test_an_unreachable_database_and_a_mistyped_proxy_fail(home: Path) -> None:
    code, found = findings("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none",
                           "--forwarded-allow-ips", "10.0.0.300")  # fmt: skip
    assert code == 1
    assert "cannot be reached" in found["database"]["detail"]
    assert "'10.0.0.300' is not an IP address" in found["trusted proxies"]["detail"]


def test_an_https_proxy_that_is_not_trusted_is_a_warning(engine: Engine, db_url: str,
                                                         home: Path) -> None:  # fmt: skip
    code, found = findings("--db", db_url, "--public-url", "https://iop.example.org")
    assert code == 0
    assert found["trusted proxies"]["status"] == "warn"
    assert "--forwarded-allow-ips" in found["trusted proxies"]["detail"]
