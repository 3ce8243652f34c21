"""50 clients posting notices and polling at once against two server processes on one
PostgreSQL, while two coordinators write changes through both: no notice lost or stored
twice, and every change reaches each client exactly once, in order, through its cursor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine, select

from sync.server import admin
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.tables import changes, clients
from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, free_port, notice, pg_schema

CLIENTS = 50
NOTICES_EACH = 3
SERIES_EDITS = 6

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def two_servers() -> Iterator[tuple[str, list[str]]]:
    with pg_schema() as url:
        migrate.upgrade(make_engine(url))
        procs, urls = [], []
        try:
            for _ in range(2):
                port = free_port()
                procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "sync.server.cli",
                            "serve",
                            "--db",
                            url,
                            "--port",
                            str(port),
                        ],
                        env=dict(os.environ),
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                    )
                )
                urls.append(f"http://127.0.0.1:{port}")
            for proc, base in zip(procs, urls, strict=True):
                _wait(proc, base)
            yield url, urls
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=15)


def _wait(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


def test_fifty_clients_two_processes_one_postgres(two_servers: tuple[str, list[str]]) -> None:
    db_url, urls = two_servers
    engine = make_engine(db_url)
    admin.create_program(engine, "Evening IOP", "America/New_York", 0.8, 3, "", FROZEN_NOW)
    admin.create_coordinator(engine, "c@example.org", "correct horse", None, FROZEN_NOW)
    # The servers below run on the real clock: a code dated FROZEN_NOW would have expired.
    now = datetime.now(UTC)
    codes = [admin.add_client(engine, f"C{i}", None, now)["code"] for i in range(CLIENTS)]
    tokens = []
    for i, code in enumerate(codes):
        r = httpx.post(urls[i % 2] + "/v1/enroll", json={"code": code}, timeout=10)
        tokens.append((r.json()["token"], r.json()["cursor"]))
    coord = []
    for base in urls:
        r = httpx.post(
            base + "/v1/coordinator/login",
            json={"email": "c@example.org", "password": "correct horse"},
        )
        coord.append({"Authorization": f"Bearer {r.json()['token']}"})
    # The notices name its sessions (issue 10), so it exists before they are sent; its
    # edits below race them. Enrolment came first, so every change reaches each client.
    r = httpx.post(urls[0] + "/v1/coordinator/series", json=GROUP, headers=coord[0])
    assert r.status_code == 201, r.text

    posted: dict[int, list[str]] = {i: [] for i in range(CLIENTS)}
    seen: dict[int, list[dict]] = {i: [] for i in range(CLIENTS)}
    cursors = {i: tokens[i][1] for i in range(CLIENTS)}
    done = threading.Event()

    def poll(i: int, http: httpx.Client) -> None:
        more = True
        while more:
            r = http.get(
                "/v1/changes",
                params={"since": cursors[i]},
                headers={"Authorization": f"Bearer {tokens[i][0]}"},
            )
            assert r.status_code == 200, r.text
            body = r.json()
            seen[i].extend(body["changes"])
            cursors[i], more = body["cursor"], body["more"]

    def client(i: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[i][0]}"}
        with (
            httpx.Client(base_url=urls[i % 2], timeout=30) as a,
            httpx.Client(base_url=urls[(i + 1) % 2], timeout=30) as b,
        ):
            for k in range(NOTICES_EACH):
                body = notice(id=str(uuid.uuid4()), message=f"client {i} notice {k}")
                assert a.post("/v1/notices", json=body, headers=headers).status_code == 201
                # a retry through the other process stores nothing new
                assert b.post("/v1/notices", json=body, headers=headers).status_code == 200
                posted[i].append(body["id"])
                poll(i, b if k % 2 else a)

    def coordinator(n: int) -> None:
        with httpx.Client(base_url=urls[n], timeout=30) as http:
            acked: set[str] = set()
            edits = 0
            while not done.is_set() or edits < SERIES_EDITS:
                if n == 0 and edits < SERIES_EDITS:
                    time.sleep(0.02)
                    title = f"Process Group v{edits}"
                    r = http.put(
                        "/v1/coordinator/series/process-group",
                        headers=coord[n],
                        json=dict(GROUP, title=title),
                    )
                    assert r.status_code == 200, r.text
                    edits += 1
                new = http.get(
                    "/v1/coordinator/notices",
                    params={"status": "new", "limit": 500},
                    headers=coord[n],
                ).json()
                for item in new[n::2]:  # the two coordinators take turns
                    if item["id"] not in acked:
                        r = http.post(f"/v1/coordinator/notices/{item['id']}/ack", headers=coord[n])
                        assert r.status_code == 200
                        acked.add(item["id"])
                if n == 1 and not new:
                    time.sleep(0.01)
                if done.is_set() and n == 1:
                    return

    with ThreadPoolExecutor(CLIENTS + 2) as pool:
        coordinators = [pool.submit(coordinator, n) for n in (0, 1)]
        try:
            for future in [pool.submit(client, i) for i in range(CLIENTS)]:
                future.result(timeout=120)
        finally:  # a failing client must not leave the coordinators looping forever
            done.set()
        for future in coordinators:
            future.result(timeout=120)

    # the last acknowledgements: one more round, then everyone catches up
    with httpx.Client(base_url=urls[0], timeout=30) as http:
        for item in http.get(
            "/v1/coordinator/notices", params={"status": "new", "limit": 500}, headers=coord[0]
        ).json():
            http.post(f"/v1/coordinator/notices/{item['id']}/ack", headers=coord[0])
        stored = http.get("/v1/coordinator/notices", params={"limit": 500}, headers=coord[0]).json()
        for i in range(CLIENTS):
            poll(i, http)

    all_ids = [n["id"] for n in stored]
    assert len(all_ids) == len(set(all_ids)) == CLIENTS * NOTICES_EACH
    assert set(all_ids) == {nid for ids in posted.values() for nid in ids}
    assert all(n["status"] == "acknowledged" for n in stored)

    with engine.connect() as conn:
        log = conn.execute(
            select(changes.c.seq, changes.c.client_id, changes.c.body).order_by(changes.c.seq)
        ).all()
    assert [row.seq for row in log] == list(range(1, len(log) + 1))  # gap-free counter
    client_ids = sorted(row["client_id"] for row in _clients(engine))
    for i, cid in enumerate(client_ids):
        expected = [json.loads(row.body) for row in log if row.client_id in (None, cid)]
        # enrolment's schedule covered nothing yet (no series), so every change counts
        assert seen[i] == expected, f"client {i} saw a different sequence of changes"
        replies = [c for c in seen[i] if c["type"] == "reply"]
        assert {c["notice_id"] for c in replies} == set(posted[i])  # each acknowledged
    engine.dispose()


def _clients(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [{"client_id": r[0]} for r in conn.execute(select(clients.c.id))]
