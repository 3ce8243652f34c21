"""Scoping: a client sees only its own data, a coordinator only their program's; others'
objects are 404, exactly as if they did not exist."""

from __future__ import annotations

from tests.server.conftest import GROUP, Server, notice


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_client_a_cannot_see_or_overwrite_client_b(server: Server) -> None:
    program = server.publish(server.program())
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    mine = notice(message="private to Alex")
    assert alex.post(mine).status_code == 201
    assert server.http.get("/v1/notices", headers=sam.headers).json()["notices"] == []
    # Sam reusing Alex's notice id neither reads nor replaces it
    r = sam.post(dict(mine, message="Sam's"))
    assert r.status_code == 409 and "private to Alex" not in r.text
    r = sam.post(mine)  # even with identical content
    assert r.status_code == 409 and "private to Alex" not in r.text
    assert [
        n["message"] for n in server.http.get("/v1/notices", headers=alex.headers).json()["notices"]
    ] == ["private to Alex"]


def test_coordinator_of_one_program_cannot_reach_another(server: Server) -> None:
    x = server.program("Program X")
    y = server.program("Program Y", timezone="Europe/Berlin")
    cx = auth(server.coordinator("x@example.org", x))
    cy = auth(server.coordinator("y@example.org", y))
    assert server.http.post("/v1/coordinator/series", json=GROUP, headers=cy).status_code == 201
    yclient = server.enrol("Yara", y)
    sent = notice()
    assert yclient.post(sent).status_code == 201

    assert server.http.get("/v1/coordinator/notices", headers=cx).json() == []
    assert server.http.get("/v1/coordinator/series", headers=cx).json() == []
    assert server.http.get("/v1/coordinator/clients", headers=cx).json() == []
    nid = sent["id"]
    assert server.http.get(f"/v1/coordinator/notices/{nid}", headers=cx).status_code == 404
    assert server.http.post(f"/v1/coordinator/notices/{nid}/ack", headers=cx).status_code == 404
    r = server.http.post(f"/v1/coordinator/notices/{nid}/reply", headers=cx, json={"text": "x"})
    assert r.status_code == 404
    assert (
        server.http.put("/v1/coordinator/series/process-group", json=GROUP, headers=cx).status_code
        == 404
    )
    assert server.http.delete("/v1/coordinator/series/process-group", headers=cx).status_code == 404
    r = server.http.post(
        "/v1/coordinator/attendance",
        headers=cx,
        json={
            "series_uid": "process-group",
            "original_start": "2026-11-30T23:00:00Z",
            "roster": [{"client_id": yclient.id, "status": "absent"}],
        },
    )
    assert r.status_code == 404
    # program X may have its own series with the same uid without touching Y's
    assert server.http.post("/v1/coordinator/series", json=GROUP, headers=cx).status_code == 201
    r = server.http.post(
        "/v1/coordinator/attendance",
        headers=cx,
        json={
            "series_uid": "process-group",
            "original_start": "2026-11-30T23:00:00Z",
            "roster": [{"client_id": yclient.id, "status": "absent"}],
        },
    )
    assert r.status_code == 404 and r.json()["detail"].startswith("no such client")
    # and Y's view is untouched
    assert server.http.get(f"/v1/coordinator/notices/{nid}", headers=cy).json()["status"] == "new"


def test_coordinator_routes_need_a_coordinator_token(server: Server) -> None:
    program = server.program()
    client = server.enrol("Alex", program)
    for headers in ({}, client.headers, {"Authorization": "Bearer nope"}):
        r = server.http.get("/v1/coordinator/notices", headers=headers)
        assert r.status_code == 401, headers
    server.coordinator("c@example.org", program)
    r = server.http.post(
        "/v1/coordinator/login", json={"email": "c@example.org", "password": "wrong"}
    )
    assert r.status_code == 401 and r.json() == {"detail": "wrong email or password"}
    r = server.http.post(
        "/v1/coordinator/login", json={"email": "nobody@example.org", "password": "wrong"}
    )
    assert r.status_code == 401


def test_logout_ends_the_session(server: Server) -> None:
    token = server.coordinator("c@example.org", server.program())
    assert server.http.post("/v1/coordinator/logout", headers=auth(token)).status_code == 204
    assert server.http.get("/v1/coordinator/notices", headers=auth(token)).status_code == 401
