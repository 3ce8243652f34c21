"""POST /v1/notices and GET /v1/notices: stored once, retries are no-ops, clashes are 409."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.server.conftest import Server, notice


def test_a_new_notice_is_stored_and_echoed(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice()
    r = client.post(body)
    assert r.status_code == 201
    out = r.json()
    assert out["id"] == body["id"]
    assert out["status"] == "new"
    assert out["message"] == "Late shift, sorry."
    assert out["received_at"].endswith("Z")


def test_a_retry_returns_the_stored_notice_and_stores_nothing_twice(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice()
    first = client.post(body)
    retry = client.post(body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    listed = server.http.get("/v1/notices", headers=client.headers).json()["notices"]
    assert [n["id"] for n in listed] == [body["id"]]


def test_the_same_time_in_another_offset_is_the_same_notice(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice()
    assert client.post(body).status_code == 201
    shifted = dict(body, created_at="2026-11-26T17:00:00-05:00")
    assert client.post(shifted).status_code == 200


def test_same_id_with_other_content_is_a_conflict(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice()
    assert client.post(body).status_code == 201
    r = client.post(dict(body, message="something else"))
    assert r.status_code == 409
    assert "different notice" in r.json()["detail"]
    stored = server.http.get("/v1/notices", headers=client.headers).json()["notices"]
    assert stored[0]["message"] == "Late shift, sorry."


def test_concurrent_retries_store_one_notice(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice()

    def send(_: int) -> int:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            return http.post("/v1/notices", json=body, headers=client.headers).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(send, range(16)))
    assert codes == [200] * 15 + [201]
    assert len(server.http.get("/v1/notices", headers=client.headers).json()["notices"]) == 1


def test_the_answer_is_the_notice_as_the_server_judged_it(server: Server) -> None:
    """Title and start come from the program's schedule, timing from the server's clock;
    the device's claims are kept beside them."""
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice(title="=1+1", start="2026-11-30T20:00:00Z", timing="after")
    out = client.post(body).json()
    assert (out["title"], out["start"]) == ("Process Group", "2026-11-30T23:00:00Z")
    assert (out["timing"], out["claimed_timing"]) == ("advance", "after")
    assert out["created_at"] == body["created_at"] and out["clock_offset_s"] is None


def test_missing_or_bad_token_is_401(server: Server) -> None:
    server.program()
    r = server.http.post("/v1/notices", json=notice())
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = server.http.post("/v1/notices", json=notice(), headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json() == {"detail": "missing, unknown or revoked token"}
    r = server.http.get("/v1/notices", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_bad_fields_are_422_naming_the_field(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    cases = {
        "barrier": notice(barrier="aliens"),
        "original_start": notice(original_start="2026-11-30T23:00:00"),  # no offset
        "message": notice(message="x" * 2001),
        "id": notice(id="not-a-uuid"),
    }
    for field, body in cases.items():
        r = client.post(body)
        assert r.status_code == 422, field
        assert r.json()["detail"].startswith(field), r.json()
    r = server.http.post("/v1/notices", content=b"{not json", headers=client.headers)
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    assert client.post(notice(id=str(uuid.uuid4()), extra=1)).status_code == 422
