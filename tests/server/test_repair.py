"""Rows stored before the bounds of issue 10 can no longer break the server or a client:
revision 0003 repairs or removes them, and a stored series that still fails the wire
models is skipped by every read (logged), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import Engine, insert, select, text

from sync.protocol import NoticeOut, SeriesWire
from sync.server.core import notice_out
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from sync.server.storage.tables import changes, notices, replies, series, stamp
from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, Server, notice


def _at_0002(db_url: str) -> Engine:
    engine = make_engine(db_url)
    config = migrate._config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    return engine


def _old_rows(engine: Engine) -> tuple[int, int]:
    """A program with series and a notice as a server before the bounds stored them."""
    # Plain SQL with the columns of revision 0002: today's tables have more (0005's).
    at = stamp(FROZEN_NOW)
    with engine.begin() as conn:
        pid = conn.execute(text(
            "INSERT INTO programs (name, timezone, threshold, unexcused_limit, coordinator, "
            "last_change, last_change_at, created_at) VALUES "
            "('P', 'America/New_York', 0.8, 3, '', 0, :at, :at) RETURNING id"), {"at": at},
        ).scalar_one()  # fmt: skip
        client = conn.execute(text(
            "INSERT INTO clients (program_id, name, created_at, feed_rev, feed_changed_at) "
            "VALUES (:pid, 'Alex', :at, 0, :at) RETURNING id"), {"pid": pid, "at": at},
        ).scalar_one()  # fmt: skip
        coordinator = conn.execute(text(
            "INSERT INTO coordinators (program_id, email, password_hash, created_at) "
            "VALUES (:pid, 'c@example.org', 'x', :at) RETURNING id"), {"pid": pid, "at": at},
        ).scalar_one()  # fmt: skip
    bodies: dict[str, dict[str, Any]] = {
        "good": GROUP | {"uid": "good"},
        "huge": GROUP | {"uid": "huge", "sequence": 10**19},
        "secondly": GROUP | {"uid": "secondly", "rrule": "FREQ=SECONDLY"},
        "script": GROUP | {"uid": "script", "join_url": "javascript:alert(1)"},
        "nag": GROUP | {"uid": "nag", "reminders_min": [10**12, 30], "title": "Nag\x07 group"},
    }
    at = stamp(FROZEN_NOW)
    old = notice(title="=1+1\x07", message="esc\x1b[31m", created_at="2026-11-26T22:00:00Z")
    with engine.begin() as conn:
        for uid, body in bodies.items():
            row = {"program_id": pid, "uid": uid, "body": json.dumps(body), "updated_at": at}
            conn.execute(insert(series).values(**row))
        conn.execute(insert(notices).values(
            id=old["id"], client_id=client, program_id=pid, series_uid="good",
            original_start=stamp(FROZEN_NOW), title=old["title"], start=stamp(FROZEN_NOW),
            timing="advance", barrier="work_school", message=old["message"], makeup=False,
            shared_reflection=None, created_at="0001-01-01T00:00:00.000000Z", received_at=at,
            digest="x" * 64, status="new",
        ))  # fmt: skip
        slot = {"start": "2026-12-02T23:00:00Z", "end": "2026-12-03T00:00:00Z",
                "join_url": "javascript:alert(1)", "title": "Make-up"}  # fmt: skip
        links = [{"title": "a", "url": "javascript:alert(1)"},
                 {"title": "b", "url": "https://ok.example/b"}]  # fmt: skip
        conn.execute(insert(replies).values(
            notice_id=old["id"], coordinator_id=coordinator, status="replied", text="hi\x07",
            makeup=json.dumps(slot), materials=json.dumps(links), at=at,
        ))  # fmt: skip
    return pid, client


def test_revision_0003_repairs_or_removes_what_no_longer_validates(db_url: str) -> None:
    engine = _at_0002(db_url)
    try:
        pid, _ = _old_rows(engine)
        migrate.upgrade(engine)
        with engine.connect() as conn:
            stored = {r.uid: SeriesWire.model_validate_json(r.body)
                      for r in conn.execute(select(series.c.uid, series.c.body))}  # fmt: skip
            query = select(changes.c.body).where(changes.c.program_id == pid)
            log = [json.loads(r.body) for r in conn.execute(query.order_by(changes.c.seq))]
            row = dict(conn.execute(select(notices)).one()._mapping)
            reply = conn.execute(select(replies)).one()
        assert set(stored) == {"good", "huge", "script", "nag"}  # SECONDLY cannot be used
        assert stored["huge"].sequence == 0
        assert stored["script"].join_url == ""
        assert (stored["nag"].reminders_min, stored["nag"].title) == ([30], "Nag group")
        assert stored["good"] == SeriesWire.model_validate(GROUP | {"uid": "good"})
        published = {(c["type"], c.get("uid") or c["series"]["uid"]) for c in log}
        assert published == {("series", "huge"), ("series", "script"), ("series", "nag"),
                             ("series_removed", "secondly")}  # fmt: skip
        out = notice_out(row)  # validates: what the APIs answer with
        assert isinstance(out, NoticeOut)
        assert (out.title, out.message) == ("=1+1", "esc[31m")
        assert out.created_at == out.received_at
        assert (reply.text, reply.makeup) == ("hi", None)
        assert json.loads(reply.materials) == [{"title": "b", "url": "https://ok.example/b"}]
    finally:
        engine.dispose()


def test_a_stored_series_that_fails_the_wire_models_is_skipped(server: Server) -> None:
    program = server.publish(server.program())
    h = {"Authorization": f"Bearer {server.coordinator('c@example.org', program)}"}
    with transaction(server.engine) as tx:
        row = tx.program_by_name(program)
        assert row is not None
        bad = json.dumps(GROUP | {"uid": "bad", "rrule": "FREQ=MINUTELY"})
        tx.put_series(row.id, "bad", bad, stamp(FROZEN_NOW), new=True)
    listed = server.http.get("/v1/coordinator/series", headers=h)
    assert listed.status_code == 200 and [s["uid"] for s in listed.json()] == ["process-group"]
    client = server.enrol("Alex", program)
    assert [s["uid"] for s in client.enrolled["schedule"]] == ["process-group"]
    assert server.http.get(client.enrolled["feed_url"]).status_code == 200
    assert server.http.get("/v1/coordinator/clients", headers=h).status_code == 200
    assert client.post(notice()).status_code == 201
    assert client.post(notice(series_uid="bad")).status_code == 422
