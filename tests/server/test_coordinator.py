"""The coordinator API: inbox filters, acknowledge, reply, materials, series, attendance and
clients at risk."""

from __future__ import annotations

from datetime import timedelta

from tests.server.conftest import GROUP, Server, notice


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_inbox_filters_by_status_client_and_time(server: Server) -> None:
    program = server.publish(server.program())
    h = auth(server.coordinator("c@example.org", program))
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    a1, s1 = notice(), notice(barrier="health")
    alex.post(a1)
    sam.post(s1)
    get = lambda **p: server.http.get("/v1/coordinator/notices", params=p, headers=h)  # noqa: E731
    assert {n["id"] for n in get().json()} == {a1["id"], s1["id"]}
    assert [n["id"] for n in get(client=alex.id).json()] == [a1["id"]]
    server.http.post(f"/v1/coordinator/notices/{a1['id']}/ack", headers=h)
    assert [n["id"] for n in get(status="acknowledged").json()] == [a1["id"]]
    assert [n["id"] for n in get(status="new").json()] == [s1["id"]]
    assert get(since="2000-01-01T00:00:00Z", until="2000-01-02T00:00:00Z").json() == []
    assert len(get(since="2000-01-01T00:00:00Z").json()) == 2
    assert len(get(limit=1).json()) == 1 and len(get(limit=1, offset=1).json()) == 1
    assert get(status="bogus").status_code == 422
    assert get(since="2026-01-01T00:00:00").status_code == 422  # no offset


def test_reply_reaches_the_client_with_makeup_and_links(server: Server) -> None:
    program = server.publish(server.program())
    h = auth(server.coordinator("c@example.org", program))
    client = server.enrol("Alex", program)
    sent = notice()
    client.post(sent)
    r = server.http.post(
        f"/v1/coordinator/notices/{sent['id']}/reply",
        headers=h,
        json={
            "text": "See you Wednesday.",
            "makeup": {
                "start": "2026-12-02T23:00:00Z",
                "end": "2026-12-03T01:00:00Z",
                "join_url": "https://meet.example.org/makeup",
            },
            "materials": [{"title": "Notes", "url": "https://example.org/notes"}],
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    [change] = client.poll()
    assert change["type"] == "reply" and change["text"] == "See you Wednesday."
    assert change["materials"][0]["url"] == "https://example.org/notes"
    assert (
        server.http.get("/v1/notices", headers=client.headers).json()["notices"][0]["status"]
        == "replied"
    )
    # acknowledging afterwards keeps it replied
    server.http.post(f"/v1/coordinator/notices/{sent['id']}/ack", headers=h)
    assert client.poll()[0]["status"] == "replied"


def test_series_lifecycle_bumps_sequence_and_reaches_clients(server: Server) -> None:
    program = server.program()
    h = auth(server.coordinator("c@example.org", program))
    client = server.enrol("Alex", program)
    base = "/v1/coordinator/series"
    assert server.http.post(base, json=GROUP, headers=h).json()["sequence"] == 0
    assert server.http.post(base, json=GROUP, headers=h).status_code == 409
    same = server.http.put(f"{base}/process-group", json=GROUP, headers=h).json()
    assert same["sequence"] == 0  # nothing visible changed
    moved = server.http.put(
        f"{base}/process-group", headers=h, json=dict(GROUP, start_local="2026-11-02T17:30:00")
    ).json()
    assert moved["sequence"] == 1
    r = server.http.post(
        f"{base}/process-group/cancel", headers=h, json={"original_start": "2026-11-30T22:30:00Z"}
    )
    assert r.status_code == 200 and r.json()["sequence"] == 2
    assert r.json()["overrides"][0]["cancelled"] is True
    r = server.http.post(
        f"{base}/process-group/cancel", headers=h, json={"original_start": "2026-11-30T12:00:00Z"}
    )
    assert r.status_code == 422  # no session starts then
    bad = dict(GROUP, uid="bad", rrule="FREQ=SOMETIMES")
    assert server.http.post(base, json=bad, headers=h).status_code == 422
    assert server.http.put(f"{base}/other", json=GROUP, headers=h).status_code == 422
    assert server.http.delete(f"{base}/process-group", headers=h).status_code == 200
    assert server.http.delete(f"{base}/process-group", headers=h).status_code == 404
    types = [c["type"] for c in client.poll()]
    assert types == ["series", "series", "series", "series_removed"]


def test_materials_need_a_real_session(server: Server) -> None:
    program = server.program()
    h = auth(server.coordinator("c@example.org", program))
    server.http.post("/v1/coordinator/series", json=GROUP, headers=h)
    body = {
        "series_uid": "process-group",
        "original_start": "2026-11-30T23:00:00Z",
        "kind": "recording",
        "title": "Recording",
        "url": "https://example.org/rec",
    }
    r = server.http.post("/v1/coordinator/materials", json=body, headers=h)
    assert r.status_code == 201 and r.json()["kind"] == "recording"
    r = server.http.post(
        "/v1/coordinator/materials",
        headers=h,
        json=dict(body, original_start="2026-11-30T20:00:00Z"),
    )
    assert r.status_code == 422
    r = server.http.post("/v1/coordinator/materials", headers=h, json=dict(body, series_uid="x"))
    assert r.status_code == 404
    r = server.http.post("/v1/coordinator/materials", headers=h, json=dict(body, url="notaurl"))
    assert r.status_code == 422


def test_clients_at_risk_follow_the_attendance_policy(server: Server) -> None:
    # Thursday 26 Nov 2026: Mon 23 and Wed 25 are over, Fri 27 remains (3 sessions).
    program = server.program()
    h = auth(server.coordinator("c@example.org", program))
    server.http.post("/v1/coordinator/series", json=GROUP, headers=h)
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    for start in ("2026-11-23T23:00:00Z", "2026-11-25T23:00:00Z"):
        server.http.post(
            "/v1/coordinator/attendance",
            headers=h,
            json={
                "series_uid": "process-group",
                "original_start": start,
                "roster": [
                    {"client_id": alex.id, "status": "absent"},
                    {"client_id": sam.id, "status": "attended"},
                ],
            },
        )
    rows = {c["name"]: c for c in server.http.get("/v1/coordinator/clients", headers=h).json()}
    assert rows["Alex"]["at_risk"] is True
    assert rows["Alex"]["week"]["missed"] == 2
    assert "out of reach" in rows["Alex"]["week"]["forecast"]
    assert rows["Sam"]["at_risk"] is False
    assert rows["Sam"]["week"]["needed_to_stay_above"] == 1
    assert rows["Sam"]["devices"] == 1 and rows["Sam"]["revoked"] is False
    server.clock.advance(timedelta(days=1))


def test_attendance_with_advance_notice_is_excused(server: Server) -> None:
    program = server.program()
    h = auth(server.coordinator("c@example.org", program))
    server.http.post("/v1/coordinator/series", json=GROUP, headers=h)
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    # Alex tells the day before; Sam an hour after it started, though Sam's clock says before
    alex.post(notice(original_start="2026-11-27T23:00:00Z", start="2026-11-27T23:00:00Z"))
    server.clock.advance(timedelta(days=1, hours=1, minutes=48))  # Fri 27 Nov 19:00 in NY
    sam.post(notice(original_start="2026-11-27T23:00:00Z", created_at="2026-11-27T22:00:00Z"))
    r = server.http.post(
        "/v1/coordinator/attendance",
        headers=auth(server.login("c@example.org")),
        json={
            "series_uid": "process-group",
            "original_start": "2026-11-27T23:00:00Z",
            "roster": [
                {"client_id": alex.id, "status": "absent"},
                {"client_id": sam.id, "status": "absent"},
            ],
        },
    )
    assert r.status_code == 200
    assert r.json()["recorded"] == {str(alex.id): "excused", str(sam.id): "missed"}
