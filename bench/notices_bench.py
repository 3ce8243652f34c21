"""How long GET /v1/notices takes when the program holds 21,000 notices.

The real server (``companion-server serve``, SQLite unless ``--db`` says otherwise) on a
loopback port; a program of 100 clients holding 21,000 notices, 6,000 of them from one
client and none from another. Times whole requests for: the client with none, the
client with many (first page, and a page 30 deep following the cursor). Each figure
should stay flat however many notices the program holds: the answer is read from the
client's own index, a page at a time.

    .venv/bin/python bench/notices_bench.py [--db URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from sync.server import admin  # noqa: E402
from sync.server.security import digest  # noqa: E402
from sync.server.storage import migrate  # noqa: E402
from sync.server.storage.engine import make_engine  # noqa: E402
from sync.server.storage.runner import transaction  # noqa: E402
from sync.server.storage.tables import notices, stamp  # noqa: E402
from tests.e2e.conftest import start_server, stop_server  # noqa: E402

NOTICES, MANY, CLIENTS, RUNS = 21_000, 6_000, 100, 50


def fill(db_url: str, now: datetime) -> tuple[str, str]:
    """The program and its notices; the device tokens of the client with none and the
    client with many."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    admin.create_program(engine, "Bench IOP", "America/New_York", 0.8, 3, "", now)
    clients = [admin.add_client(engine, f"C{i}", None, now)["client_id"] for i in range(CLIENTS)]
    tokens = {}
    with transaction(engine) as tx:
        for cid in (clients[0], clients[1]):
            token = f"bench-{cid}-{uuid.uuid4()}"
            tx.add_device(cid, "bench", digest(token), digest(token + "f"), stamp(now))
            tokens[cid] = token
    owners = [clients[1]] * MANY + [clients[2 + n % (CLIENTS - 2)] for n in range(NOTICES - MANY)]
    rows = []
    for n, cid in enumerate(owners):
        at = stamp(now - timedelta(minutes=n))
        rows.append({
            "id": str(uuid.uuid4()), "client_id": cid, "program_id": 1,
            "series_uid": "group", "original_start": at, "title": "Process Group",
            "start": at, "timing": "after", "barrier": "work_school",
            "message": f"Notice {n}.", "makeup": False, "shared_reflection": None,
            "created_at": at, "received_at": at, "digest": "0" * 64, "status": "new",
        })  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(notices), rows)
    engine.dispose()
    return tokens[clients[0]], tokens[clients[1]]


def timed(http: httpx.Client, token: str, params: dict[str, str]) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        r = http.get("/v1/notices", params=params, headers=headers)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
    return out


def line(label: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"{label:<40} median {statistics.median(ms):6.2f} ms   p95 {p95:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["COMPANION_SERVER_HOME"] = str(home)
        db_url = args.db or f"sqlite:///{home / 'bench.sqlite3'}"
        none, many = fill(db_url, datetime.now(UTC))
        print(f"program: {NOTICES:,} notices from {CLIENTS} clients, {MANY:,} from one")
        server = start_server(home, "serve", "--db", db_url)
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                timed(http, none, {})  # warm up
                floor = []
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    http.get("/healthz")
                    floor.append((time.perf_counter() - t0) * 1000)
                print(line("GET /healthz (the HTTP floor)", floor))
                print(line("client with none", timed(http, none, {})))
                print(line("client with many, first page (100)", timed(http, many, {})))
                cursor, pages = "", 0
                headers = {"Authorization": f"Bearer {many}"}
                while pages < 30:
                    got = http.get("/v1/notices", params={"cursor": cursor} if cursor else {},
                                   headers=headers).json()  # fmt: skip
                    cursor, pages = got["cursor"], pages + 1
                print(
                    line("client with many, 30 pages deep", timed(http, many, {"cursor": cursor}))
                )
                print(line("client with many, a page of 500", timed(http, many, {"limit": "500"})))
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
