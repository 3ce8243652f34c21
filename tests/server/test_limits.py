"""Limits and bad input: 413 over 64 KiB, 422 with a message, never a 500."""

from __future__ import annotations

import json

from tests.server.conftest import Server, notice


def test_bodies_over_the_limit_are_413(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    big = json.dumps(notice(message="x" * 70_000)).encode()
    r = server.http.post("/v1/notices", content=big, headers=client.headers)
    assert r.status_code == 413

    def chunks():  # no Content-Length: the limit still holds while streaming
        for _ in range(20):
            yield b"x" * 4096

    r = server.http.post("/v1/notices", content=chunks(), headers=client.headers)
    assert r.status_code == 413
    r = server.http.post(
        "/v1/enroll",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_a_body_just_under_the_limit_is_read(server: Server) -> None:
    client = server.enrol("Alex", server.publish(server.program()))
    body = notice(shared_reflection="r" * 8000, message="m" * 2000)
    assert len(json.dumps(body)) < 64 * 1024
    assert client.post(body).status_code == 201


def test_bad_input_on_cold_routes_is_a_one_line_422(server: Server) -> None:
    server.program()
    r = server.http.post("/v1/enroll", json={"device_name": "x"})
    assert r.status_code == 422
    assert r.json() == {"detail": "code: Field required"}
    r = server.http.post("/v1/enroll", content=b"[]", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_unknown_paths_and_methods_are_4xx(server: Server) -> None:
    assert server.http.get("/v1/nothing").status_code == 404
    assert server.http.delete("/v1/notices").status_code == 405
    assert server.http.get("/healthz").json() == {"status": "ok"}


def test_nul_characters_are_a_422_on_every_backend(server: Server) -> None:
    """JSON allows "\\u0000" but PostgreSQL text does not: the caller's mistake, not a 500."""
    client = server.enrol("Alex", server.publish(server.program()))
    r = client.post(notice(message="before\x00after"))
    assert r.status_code == 422 and "control characters" in r.json()["detail"]
    r = server.http.post("/v1/coordinator/login", json={"email": "a\x00@b.org", "password": "x"})
    assert r.status_code == 422
    signin = server.http.get("/signin")
    csrf = signin.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = server.http.post("/signin", data={"email": "x\x00@y.org", "password": "p", "csrf": csrf})
    assert r.status_code in (200, 303, 401, 422), r.status_code  # never a 500
    assert client.post(notice()).status_code == 201
