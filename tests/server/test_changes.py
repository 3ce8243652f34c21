"""GET /v1/changes: everything that changed for this client, through a monotonic cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from sync.server.settings import Settings
from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, Clock, Server, notice


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_series_materials_replies_and_attendance_arrive_once(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    h = auth(coord)
    assert server.http.post("/v1/coordinator/series", json=GROUP, headers=h).status_code == 201
    sent = notice(original_start="2026-11-30T23:00:00Z")
    assert alex.post(sent).status_code == 201
    server.http.post(
        f"/v1/coordinator/notices/{sent['id']}/reply",
        headers=h,
        json={
            "text": "Thanks for telling us.",
            "makeup": {"start": "2026-12-01T23:00:00Z", "end": "2026-12-02T01:00:00Z"},
        },
    )
    server.http.post(
        "/v1/coordinator/materials",
        headers=h,
        json={
            "series_uid": "process-group",
            "original_start": "2026-11-30T23:00:00Z",
            "kind": "handout",
            "title": "Coping skills",
            "url": "https://example.org/h.pdf",
        },
    )
    server.clock.advance(timedelta(days=4, hours=1))  # attendance once the session started
    server.http.post(
        "/v1/coordinator/attendance",
        headers=auth(server.login("coord@example.org")),
        json={
            "series_uid": "process-group",
            "original_start": "2026-11-30T23:00:00Z",
            "roster": [
                {"client_id": alex.id, "status": "absent"},
                {"client_id": sam.id, "status": "attended"},
            ],
        },
    )

    alex_changes = alex.poll()
    assert [c["type"] for c in alex_changes] == ["series", "reply", "material", "attendance"]
    reply = alex_changes[1]
    assert reply["notice_id"] == sent["id"] and reply["status"] == "replied"
    assert reply["makeup"]["start"] == "2026-12-01T23:00:00Z"
    assert alex_changes[3]["status"] == "excused"  # the advance notice excuses the absence
    sam_changes = sam.poll()
    assert [c["type"] for c in sam_changes] == ["series", "material", "attendance"]
    assert sam_changes[2]["status"] == "attended"
    assert alex.poll() == [] and sam.poll() == []


def test_an_idle_poll_is_small_and_keeps_the_cursor(server: Server) -> None:
    client = server.enrol("Alex", server.program())
    r = server.http.get("/v1/changes", params={"since": client.cursor}, headers=client.headers)
    assert r.status_code == 200
    assert r.json() == {"changes": [], "cursor": client.cursor, "more": False}
    request_bytes = len(
        f"GET /v1/changes?since={client.cursor} HTTP/1.1\r\n"
        f"Authorization: Bearer {client.token}\r\nHost: 127.0.0.1\r\n\r\n"
    )
    response_bytes = len(r.content) + sum(len(k) + len(v) + 4 for k, v in r.headers.items())
    assert request_bytes < 500 and response_bytes < 500


def test_the_cursor_skips_other_clients_changes(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    server.http.post("/v1/coordinator/series", json=GROUP, headers=auth(coord))
    sent = notice()
    alex.post(sent)
    server.http.post(f"/v1/coordinator/notices/{sent['id']}/ack", headers=auth(coord))
    assert [c["type"] for c in sam.poll()] == ["series"]
    assert int(sam.cursor) == int(alex.poll() and alex.cursor)  # both at the newest change


def test_since_omitted_or_empty_starts_from_the_beginning(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    client = server.enrol("Alex", program)
    server.http.post("/v1/coordinator/series", json=GROUP, headers=auth(coord))
    for params in ({}, {"since": ""}):
        r = server.http.get("/v1/changes", params=params, headers=client.headers)
        assert [c["type"] for c in r.json()["changes"]] == ["series"]


def test_bad_and_foreign_cursors_are_refused(server: Server) -> None:
    client = server.enrol("Alex", server.program())
    for bad in ("abc", "-1", "1.5", "9" * 40):
        r = server.http.get("/v1/changes", params={"since": bad}, headers=client.headers)
        assert r.status_code == 422, bad
    r = server.http.get("/v1/changes", params={"since": "999"}, headers=client.headers)
    assert r.status_code == 400 and "enrol again" in r.json()["detail"]
    assert server.http.get("/v1/changes").status_code == 401


@pytest.fixture
def small_pages(engine: Engine, db_url: str) -> Iterator[Server]:
    srv = Server(engine, Settings(db_url=db_url, changes_page=2), Clock(FROZEN_NOW)).start()
    yield srv
    srv.stop()


def test_long_histories_come_in_pages(small_pages: Server) -> None:
    server = small_pages
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    client = server.enrol("Alex", program)
    for i in range(5):
        body = dict(GROUP, uid=f"s{i}")
        assert (
            server.http.post("/v1/coordinator/series", json=body, headers=auth(coord)).status_code
            == 201
        )
    first = server.http.get(
        "/v1/changes", params={"since": client.cursor}, headers=client.headers
    ).json()
    assert len(first["changes"]) == 2 and first["more"] is True
    assert [c["series"]["uid"] for c in client.poll()] == [f"s{i}" for i in range(5)]
