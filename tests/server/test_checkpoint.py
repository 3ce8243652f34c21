"""The serving process moves SQLite's write-ahead log into the database file itself,
within moments, rather than in the commit of whichever notice crosses the threshold."""

from __future__ import annotations

import time
from pathlib import Path

from sync.server.settings import Settings
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from tests.server.conftest import FROZEN_NOW, Clock, Server, notice


def test_stored_notices_reach_the_database_file_while_serving(tmp_path: Path) -> None:
    database = tmp_path / "server.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    server = Server(engine, Settings(db_url=f"sqlite:///{database}"), Clock(FROZEN_NOW)).start()
    try:
        _post_and_find(server, database)
    finally:
        server.stop()
        engine.dispose()


def _post_and_find(server: Server, database: Path) -> None:
    alex = server.enrol("Alex", server.publish(server.program()))
    ids = []
    for _ in range(5):  # a few pages of WAL: far below the commit-time checkpoint (10,000)
        body = notice()
        assert alex.post(body).status_code == 201
        ids.append(body["id"].encode())
    deadline = time.monotonic() + 10
    while not all(i in database.read_bytes() for i in ids):
        assert time.monotonic() < deadline, "the notices stayed in the WAL"
        time.sleep(0.05)
    assert database.with_name(database.name + "-wal").exists()  # still serving, WAL mode
