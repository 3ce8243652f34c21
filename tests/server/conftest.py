"""Fixtures for the server tests: a fresh database per test on SQLite or PostgreSQL, and
the real server on a free loopback port (uvicorn in a thread), reached with httpx.

PostgreSQL tests run in a schema of their own (dropped afterwards), so parallel runs and
reruns never collide; they skip with a reason when PostgreSQL is unreachable, except
under CI=true, where they fail.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy import Engine

from sync.protocol import SeriesChanged, SeriesWire
from sync.server import admin
from sync.server.app import create_app
from sync.server.settings import Settings
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from sync.server.storage.tables import stamp
from tests.conftest import FROZEN_NOW, require_tool

PG = {"host": "127.0.0.1", "port": 5432, "dbname": "test"}


def pg_user() -> str | None:
    """The PostgreSQL role that can log in (postgres or root), or None when unreachable."""
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(**PG, user=user, connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    return None


@contextmanager
def pg_schema() -> Iterator[str]:
    """A database URL whose search_path is a brand-new schema, dropped afterwards."""
    user = pg_user()
    require_tool(user is not None, "PostgreSQL at 127.0.0.1:5432 (database test) is unreachable")
    assert user is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**PG, user=user, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            f"postgresql+psycopg://{user}@{PG['host']}:{PG['port']}/{PG['dbname']}"
            f"?options=-csearch_path%3D{schema}"
        )
    finally:
        with psycopg.connect(**PG, user=user, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
    else:
        with pg_schema() as url:
            yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The test's database, migrated to the newest schema."""
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clock:
    """The server's clock in tests: frozen, and moved on by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Server:
    """The real server in a thread, plus admin shortcuts on the same database."""

    def __init__(
        self, engine: Engine, settings: Settings, clock: Clock, *, hot_paths: bool = True
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = self.app = create_app(settings, clock=clock)
        config = uvicorn.Config(
            app if hot_paths else app.api,  # without: every path through FastAPI's routes
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            proxy_headers=False,  # as `serve`: the app decides whose headers to believe
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def start(self) -> Server:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.http.close()
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # -- admin shortcuts (the same functions the CLI calls) ---------------------------

    def program(
        self, name: str = "Evening IOP", timezone: str = "America/New_York", threshold: float = 0.8
    ) -> str:
        admin.create_program(self.engine, name, timezone, threshold, 3, "", self.clock())
        return name

    def publish(self, program: str, *series: dict[str, Any]) -> str:
        """Put ``series`` (default: the Process Group) on the program's schedule; returns
        the program (notices must name one of its occurrences)."""
        publish(self.engine, program, self.clock(), *series)
        return program

    def coordinator(
        self, email: str, program: str, password: str = "correct horse", role: str | None = None
    ) -> str:
        """Create a coordinator (the program's first is its admin unless ``role`` says
        otherwise) and log in; returns the bearer token."""
        admin.create_coordinator(self.engine, email, password, program, self.clock(), role)
        return self.login(email, password)

    def login(self, email: str, password: str = "correct horse") -> str:
        """A new session (after the clock moved past the last one's 12 hours)."""
        r = self.http.post("/v1/coordinator/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def code(self, name: str, program: str) -> tuple[int, str]:
        made = admin.add_client(self.engine, name, program, self.clock())
        return made["client_id"], made["code"]

    def enrol(self, name: str, program: str) -> Client:
        client_id, code = self.code(name, program)
        r = self.http.post("/v1/enroll", json={"code": code, "device_name": "laptop"})
        assert r.status_code == 200, r.text
        return Client(self, client_id, r.json())


class Client:
    """An enrolled device: its token, its feed URL and its cursor."""

    def __init__(self, server: Server, client_id: int, enrolled: dict[str, Any]) -> None:
        self.server = server
        self.id = client_id
        self.enrolled = enrolled
        self.token = enrolled["token"]
        self.cursor = enrolled["cursor"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def post(self, notice: dict[str, Any]) -> httpx.Response:
        return self.server.http.post("/v1/notices", json=notice, headers=self.headers)

    def poll(self) -> list[dict[str, Any]]:
        """Every change since the last poll, following ``more``."""
        out: list[dict[str, Any]] = []
        for _ in range(100):
            r = self.server.http.get(
                "/v1/changes", params={"since": self.cursor}, headers=self.headers
            )
            assert r.status_code == 200, r.text
            body = r.json()
            out += body["changes"]
            self.cursor = body["cursor"]
            if not body["more"]:
                return out
        raise AssertionError("the changes feed never ended")


def publish(engine: Engine, program: str, now: datetime, *series: dict[str, Any]) -> None:
    """Put ``series`` (default: the Process Group) on the program's schedule, as the
    coordinator layer does: stored, and on the changes feed."""
    with transaction(engine) as tx:
        row = tx.program_by_name(program)
        assert row is not None
        at = stamp(now)
        for body in series or (GROUP,):
            wire = SeriesWire.model_validate(body)
            tx.put_series(row.id, wire.uid, wire.model_dump_json(), at, new=True)
            tx.append_changes(row.id, [(None, SeriesChanged(series=wire).model_dump_json())], at)


def notice(**changes: Any) -> dict[str, Any]:
    """A valid notice body (a fresh UUID unless given)."""
    body = {
        "id": str(uuid.uuid4()),
        "series_uid": "process-group",
        "original_start": "2026-11-30T23:00:00Z",
        "title": "Process Group",
        "start": "2026-11-30T23:00:00Z",
        "timing": "advance",
        "barrier": "work_school",
        "message": "Late shift, sorry.",
        "makeup": True,
        "created_at": "2026-11-26T22:00:00Z",
    }
    body.update(changes)
    return body


GROUP = {
    "uid": "process-group",
    "title": "Process Group",
    "kind": "group",
    "tzid": "America/New_York",
    "start_local": "2026-11-02T18:00:00",
    "duration_min": 180,
    "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "join_url": "https://meet.example.org/pg",
}


# Tests move the clock by hours between requests of one session: the idle timeout is
# tested on its own (test_team.py), with the default 30 minutes.
NO_IDLE = 7 * 24 * 60


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, idle_minutes=NO_IDLE)


@pytest.fixture
def server(engine: Engine, settings: Settings) -> Iterator[Server]:
    srv = Server(engine, settings, Clock(FROZEN_NOW)).start()
    yield srv
    srv.stop()
