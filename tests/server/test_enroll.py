"""POST /v1/enroll: one-time codes, tokens, rate limiting, revocation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sync.server import admin
from sync.server.settings import Settings
from sync.server.storage.tables import devices
from tests.server.conftest import GROUP, Server, notice


def test_enrolment_returns_token_feed_program_and_schedule(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    server.http.post(
        "/v1/coordinator/series", json=GROUP, headers={"Authorization": f"Bearer {coord}"}
    )
    client = server.enrol("Alex", program)
    body = client.enrolled
    assert len(body["token"]) >= 43  # 256 bits, URL-safe
    assert body["feed_url"].startswith(server.url + "/v1/feeds/")
    assert body["client_name"] == "Alex"
    assert body["program"]["name"] == "Evening IOP"
    assert body["program"]["timezone"] == "America/New_York"
    assert [s["uid"] for s in body["schedule"]] == ["process-group"]
    # the schedule already holds the series, so the cursor starts after its change
    assert client.poll() == []


def test_only_the_token_hash_is_stored(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    with server.engine.connect() as conn:
        stored = conn.execute(select(devices.c.token_hash)).scalars().all()
    assert stored and client.token not in stored


def test_a_code_works_once(server: Server) -> None:
    program = server.program()
    _, code = server.code("Alex", program)
    first = server.http.post("/v1/enroll", json={"code": code})
    again = server.http.post("/v1/enroll", json={"code": code})
    assert first.status_code == 200
    assert again.status_code == 400
    assert "used" in again.json()["detail"]


def test_codes_forgive_case_and_spacing(server: Server) -> None:
    _, code = server.code("Alex", server.program())
    typed = code.lower().replace("-", " ")
    assert server.http.post("/v1/enroll", json={"code": typed}).status_code == 200


def test_an_expired_code_is_refused(server: Server) -> None:
    _, code = server.code("Alex", server.program())
    server.clock.advance(timedelta(days=7, seconds=1))
    r = server.http.post("/v1/enroll", json={"code": code})
    assert r.status_code == 400
    assert r.json() == {"detail": "this enrolment code is wrong, already used or expired"}


def test_guessing_is_rate_limited_even_for_a_right_code(server: Server, settings: Settings) -> None:
    _, code = server.code("Alex", server.program())
    for _ in range(settings.attempts_limit):
        assert server.http.post("/v1/enroll", json={"code": "AAAA-BBBB-CCCC"}).status_code == 400
    r = server.http.post("/v1/enroll", json={"code": code})
    assert r.status_code == 429
    assert "try again later" in r.json()["detail"]
    server.clock.advance(settings.attempts_window + timedelta(seconds=1))
    assert server.http.post("/v1/enroll", json={"code": code}).status_code == 200


def test_revoked_client_loses_api_and_feed(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    assert client.post(notice()).status_code == 201
    admin.revoke_client(server.engine, client.id, server.clock())
    r = client.post(notice())
    assert r.status_code == 401
    assert server.http.get("/v1/changes", headers=client.headers).status_code == 401
    assert server.http.get(client.enrolled["feed_url"]).status_code == 404
