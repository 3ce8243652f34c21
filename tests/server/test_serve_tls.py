"""``companion-server serve --tls-cert --tls-key``: the real server terminating TLS with a
certificate the test makes, and the real client enrolling and syncing over https with
``--ca-file`` (or ``SSL_CERT_FILE``); HSTS and Secure cookies on https answers; a client
that does not trust the certificate says so in one line."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from tests.conftest import run_cli
from tests.server.conftest import publish
from tests.server.served import serve
from tests.tlscerts import Pki, make_pki

PROGRAM = "Evening IOP"


def admin(db_url: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args, "--db", db_url, "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def client(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real `companion` on the real clock (the server's)."""
    return run_cli(*args, now=None, env=env)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def program_db(tmp_path: Path) -> Any:
    """A SQLite server database with Evening IOP and its Process Group series."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    engine: Engine = make_engine(url)
    migrate.upgrade(engine)
    admin(url, "create-program", PROGRAM, "--timezone", "America/New_York")
    publish(engine, PROGRAM, datetime.now(UTC))
    engine.dispose()
    return url


def tls_args(pki: Pki) -> tuple[str, ...]:
    return ("--tls-cert", str(pki.cert), "--tls-key", str(pki.key))


def test_the_client_enrols_and_syncs_over_https_trusting_the_ca_file(
    program_db: str, pki: Pki, tmp_path: Path
) -> None:
    trust = ssl.create_default_context(cafile=str(pki.ca))
    with serve(tmp_path / "serve.log", "--db", program_db, *tls_args(pki),
               scheme="https", verify=trust) as served:  # fmt: skip
        assert served.started["url"].startswith("https://")
        code = admin(program_db, "add-client", "Jordan R.")["code"]
        done = client("enroll", served.url, code, "--ca-file", str(pki.ca))
        assert done.returncode == 0, done.stderr
        assert "Enrolled with Evening IOP as Jordan R." in done.stdout

        # Every later request trusts the saved CA: sessions arrive, a notice is delivered.
        synced = client("sync", "--json")
        assert synced.returncode == 0, synced.stderr
        assert json.loads(synced.stdout)["state"] == "ok"
        sessions = json.loads(client("sessions", "--json").stdout)
        group = next(s for s in sessions if s["title"] == "Process Group")
        said = client("notify", group["id"], "--barrier", "work")
        assert "Delivered to Evening IOP" in said.stdout, said.stdout + said.stderr

        # HSTS on https answers, the hot paths' too; the dashboard's cookies are Secure.
        health = httpx.get(served.url + "/healthz", verify=trust)
        assert health.headers["strict-transport-security"] == "max-age=31536000"
        signin = httpx.get(served.url + "/signin", verify=trust)
        assert signin.headers["strict-transport-security"] == "max-age=31536000"
        cookies = signin.headers.get_list("set-cookie")
        assert cookies and all("secure" in c.lower() for c in cookies), cookies


def test_an_untrusted_certificate_is_one_clear_line_and_ssl_cert_file_is_honoured(
    program_db: str, pki: Pki, tmp_path: Path
) -> None:
    trust = ssl.create_default_context(cafile=str(pki.ca))
    with serve(tmp_path / "serve.log", "--db", program_db, *tls_args(pki),
               scheme="https", verify=trust) as served:  # fmt: skip
        code = admin(program_db, "add-client", "Jordan R.")["code"]
        refused = client("enroll", served.url, code)
        assert refused.returncode != 0
        assert "Traceback" not in refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert "certificate is not trusted" in lines[0] and "--ca-file" in lines[0]

        missing = client("enroll", served.url, code, "--ca-file", str(tmp_path / "nope.pem"))
        assert missing.returncode != 0 and "Traceback" not in missing.stderr
        assert "nope.pem: no such file" in missing.stderr

        # The code was never used (no TLS connection): SSL_CERT_FILE makes it work.
        done = client("enroll", served.url, code, env={"SSL_CERT_FILE": str(pki.ca)})
        assert done.returncode == 0, done.stderr
        synced = client("sync", "--json", env={"SSL_CERT_FILE": str(pki.ca)})
        assert json.loads(synced.stdout)["state"] == "ok"

        # Without it, the saved enrolment cannot sync and says why in one line.
        failed = client("sync")
        assert failed.returncode == 1 and "Traceback" not in failed.stderr + failed.stdout
        assert "certificate is not trusted" in failed.stdout + failed.stderr


def test_plain_http_is_refused_off_loopback_unless_asked_for_loudly(
    program_db: str, pki: Pki, tmp_path: Path
) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "serve", "--db", program_db,
         "--host", "0.0.0.0", "--port", "1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    assert "refusing to serve plain HTTP on 0.0.0.0" in refused.stderr
    assert "--insecure-http" in refused.stderr and "--tls-cert" in refused.stderr

    with serve(tmp_path / "insecure.log", "--db", program_db, "--host", "0.0.0.0",
               "--insecure-http") as served:  # fmt: skip
        assert httpx.get(served.url + "/healthz").status_code == 200
        assert "strict-transport-security" not in httpx.get(served.url + "/healthz").headers
    assert "WARNING: serving PLAIN HTTP on 0.0.0.0" in served.stderr

    # Behind a trusted proxy, or with TLS, it starts with no warning.
    with serve(tmp_path / "proxied.log", "--db", program_db, "--host", "0.0.0.0",
               "--forwarded-allow-ips", "127.0.0.1") as served:  # fmt: skip
        forwarded = httpx.get(served.url + "/healthz", headers={"X-Forwarded-Proto": "https"})
        assert forwarded.headers["strict-transport-security"] == "max-age=31536000"
    assert "WARNING" not in served.stderr
