"""The long schemathesis run: every check, 300 examples per operation, every phase the CLI
has (examples, coverage, fuzzing, stateful), against the real server (`companion-server
serve` in a subprocess) on SQLite and on PostgreSQL.

The same configuration as the suite (tests/server/schemathesis.toml: which token for
which path, and the refusals a schema cannot describe); a program with the Process
Group, its coordinator, and an enrolled client with one notice. Prints schemathesis's own
summary per backend and exits 1 if any check failed.

    .venv/bin/python bench/schemathesis_long.py [--max-examples 300] [--backend sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server.conftest import free_port, pg_schema  # noqa: E402

CONFIG = ROOT / "tests" / "server" / "schemathesis.toml"
SERVER = [sys.executable, "-m", "sync.server.cli"]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
PASSWORD = "long-run-password"
NY = ZoneInfo("America/New_York")


def admin(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run([*SERVER, *args], env=env, input=stdin, text=True, check=True,
                   capture_output=True, timeout=60)  # fmt: skip


def setup(url: str, env: dict[str, str], db: list[str]) -> dict[str, str]:
    """The program's series, a coordinator token, a client's token and one notice."""
    http = httpx.Client(base_url=url, timeout=10)
    login = {"email": "long@example.org", "password": PASSWORD}
    coordinator = http.post("/v1/coordinator/login", json=login).json()["token"]
    first = (datetime.now(NY) - timedelta(days=60)).strftime("%Y-%m-%dT18:00:00")
    series = {"uid": "process-group", "title": "Process Group", "kind": "group",
              "tzid": "America/New_York", "start_local": first, "duration_min": 180,
              "rrule": "FREQ=DAILY", "join_url": "https://meet.example.org/pg"}  # fmt: skip
    h = {"Authorization": f"Bearer {coordinator}"}
    assert http.post("/v1/coordinator/series", json=series, headers=h).status_code == 201
    made = subprocess.run([*SERVER, "add-client", "Alex", "--json", *db], env=env, text=True,
                          check=True, capture_output=True).stdout  # fmt: skip
    enrolled = http.post("/v1/enroll", json={"code": json.loads(made)["code"]})
    device = enrolled.json()["token"]
    day = (datetime.now(NY) + timedelta(days=2)).date()
    start = datetime(day.year, day.month, day.day, 18, tzinfo=NY).astimezone(UTC).isoformat()
    notice = {"id": str(uuid.uuid4()), "series_uid": "process-group", "original_start": start,
              "title": "Process Group", "start": start, "timing": "advance",
              "barrier": "work_school", "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
    r = http.post("/v1/notices", json=notice, headers={"Authorization": f"Bearer {device}"})
    assert r.status_code == 201, r.text
    return {"COMPANION_COORDINATOR_TOKEN": coordinator, "COMPANION_DEVICE_TOKEN": device}


def run(backend: str, db_url: str, examples: int, home: Path) -> int:
    env = dict(os.environ, COMPANION_SERVER_HOME=str(home), PYTHONPATH=str(ROOT))
    db = ["--db", db_url]
    admin(env, "migrate", *db)
    admin(env, "create-program", "Long IOP", "--timezone", "America/New_York", *db)
    admin(env, "create-coordinator", "long@example.org", *db, stdin=PASSWORD + "\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / f"server-{backend}.log").open("wb")
    proc = subprocess.Popen([*SERVER, "serve", "--port", str(port), *db], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"the {backend} server did not start") from None
                time.sleep(0.2)
        tokens = setup(url, env, db)
        began = time.monotonic()
        done = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
             f"{url}/openapi.json", "--checks", "all", "--max-examples", str(examples),
             "--seed", "10", "--report-dir", str(home / f"report-{backend}")],
            env={**env, **tokens}, text=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        took = time.monotonic() - began
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    summary = done.stdout[done.stdout.rfind("=" * 20 + " SUMMARY") :] or done.stdout[-3000:]
    print(f"\n## {backend}: --checks all --max-examples {examples}, {took:.0f} s\n")
    print(summary.strip() or done.stderr[-3000:])
    if os.environ.get("ST_FULL"):
        print(done.stdout[:20000])
    return done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="companion-st-") as tmp, ExitStack() as stack:
        for backend in ("sqlite", "postgres"):
            if args.backend not in (backend, "both"):
                continue
            home = Path(tmp) / backend
            home.mkdir()
            if backend == "sqlite":
                url = f"sqlite:///{home / 'server.sqlite3'}"
            else:
                url = stack.enter_context(pg_schema())
            failed |= run(backend, url, args.max_examples, home)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
