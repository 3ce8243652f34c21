"""Make-ups on the server (issue 14): up to three slots per reply, the client's choice
(POST /v1/makeup-choices, idempotent by its id), the make-up in the client's changes feed
and calendar feed, and its roster turning the original absence into made up."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from sync.server.storage import tables as t
from tests.server.conftest import Client, Server, notice


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def slot(day: int, hour: int = 23, title: str = "Make-up group") -> dict[str, str]:
    return {"start": f"2026-12-{day:02d}T{hour:02d}:00:00Z",
            "end": f"2026-12-{day:02d}T{hour + 0:02d}:59:00Z",
            "join_url": "https://meet.example.org/makeup", "title": title}  # fmt: skip


def offer(server: Server, h: dict[str, str], notice_id: str, slots: list[dict[str, str]]) -> int:
    r = server.http.post(f"/v1/coordinator/notices/{notice_id}/reply", headers=h,
                         json={"text": "Pick one.", "makeups": slots})  # fmt: skip
    assert r.status_code == 200, r.text
    return int(server.http.get(f"/v1/coordinator/notices/{notice_id}", headers=h).status_code)


def setup(server: Server) -> tuple[dict[str, str], Client, str, int]:
    """A program, its coordinator, Alex with a notice, and a reply offering three slots."""
    program = server.publish(server.program())
    h = auth(server.coordinator("c@example.org", program))
    alex = server.enrol("Alex", program)
    sent = notice()
    assert alex.post(sent).status_code == 201
    offer(server, h, sent["id"], [slot(2), slot(4), slot(7)])
    [reply] = [c for c in alex.poll() if c["type"] == "reply"]
    assert reply["makeup"]["start"] == "2026-12-02T23:00:00Z" and len(reply["makeups"]) == 3
    return h, alex, sent["id"], reply["id"]


def choose(client: Client, reply_id: int, slot_no: int | None, **extra: Any) -> httpx.Response:
    body = {"id": str(uuid.uuid4()), "reply_id": reply_id, "slot": slot_no,
            "created_at": "2026-11-26T22:30:00Z", **extra}  # fmt: skip
    return client.server.http.post("/v1/makeup-choices", json=body, headers=client.headers)


def feed(client: Client) -> str:
    r = client.server.http.get(httpx.URL(client.enrolled["feed_url"]).path)
    assert r.status_code == 200
    return r.text


def test_reply_offers_up_to_three_valid_slots(server: Server) -> None:
    program = server.publish(server.program())
    h = auth(server.coordinator("c@example.org", program))
    alex = server.enrol("Alex", program)
    sent = notice()
    alex.post(sent)
    url = f"/v1/coordinator/notices/{sent['id']}/reply"
    four = [slot(2), slot(3), slot(4), slot(5)]
    bad = [
        {"makeups": four},  # more than three
        {"makeups": [slot(2), slot(2)]},  # the same slot twice
        {"makeups": [dict(slot(2), join_url="javascript:alert(1)")]},
        {"makeups": [dict(slot(2), start="2026-11-20T23:00:00Z")]},  # in the past
        {"makeups": [dict(slot(2), start="2028-12-02T23:00:00Z", end="2028-12-02T23:30:00Z")]},
        {"makeup": slot(2), "makeups": [slot(3)]},  # both ways at once
    ]
    for body in bad:
        r = server.http.post(url, headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
    assert [c for c in alex.poll() if c["type"] == "reply"] == []
    schema = server.http.get("/openapi.json").json()
    reply_in = schema["components"]["schemas"]["ReplyIn"]["properties"]["makeups"]
    assert reply_in["maxItems"] == 3


def test_the_client_picks_a_slot_once_and_it_joins_schedule_and_feed(server: Server) -> None:
    h, alex, notice_id, reply_id = setup(server)
    choice_id = str(uuid.uuid4())
    body = {"id": choice_id, "reply_id": reply_id, "slot": 2, "created_at": "2026-11-26T22:30:00Z"}
    first = server.http.post("/v1/makeup-choices", json=body, headers=alex.headers)
    assert first.status_code == 201, first.text
    assert first.json()["start"] == "2026-12-04T23:00:00Z"
    again = server.http.post("/v1/makeup-choices", json=body, headers=alex.headers)
    assert again.status_code == 200 and again.json() == first.json()  # a retry, stored once
    clash = server.http.post("/v1/makeup-choices", json=dict(body, slot=3), headers=alex.headers)
    assert clash.status_code == 409
    with server.engine.connect() as conn:
        assert len(conn.execute(select(t.makeup_choices)).all()) == 1
    [series] = [c for c in alex.poll() if c["type"] == "series"]
    uid = f"makeup-{reply_id}@companion"
    assert series["series"]["uid"] == uid and series["series"]["kind"] == "group"
    assert series["series"]["start_local"] == "2026-12-04T18:00:00"  # New York
    ics = feed(alex)
    assert ics.count(f"UID:{uid}") == 1 and "DTSTART;TZID=America/New_York:20261204T180000" in ics
    # Picking another slot replaces the make-up; it is never there twice.
    assert choose(alex, reply_id, 3).status_code == 201
    [moved] = [c for c in alex.poll() if c["type"] == "series"]
    assert moved["series"]["uid"] == uid and moved["series"]["sequence"] > 0
    ics = feed(alex)
    assert ics.count(f"UID:{uid}") == 1 and "20261207T180000" in ics and "20261204T" not in ics
    # Declining removes it.
    assert choose(alex, reply_id, None).status_code == 201
    assert [c["type"] for c in alex.poll()] == ["series_removed"]
    assert f"UID:{uid}" not in feed(alex)
    r = server.http.get("/v1/coordinator/audit", params={"client": alex.id}, headers=h).json()
    actions = (
        [e["action"] for e in r["entries"]] if isinstance(r, dict) else [e["action"] for e in r]
    )
    assert actions.count("makeup.accepted") == 2 and actions.count("makeup.declined") == 1


def test_a_slot_not_offered_to_this_client_is_refused(server: Server) -> None:
    _h, alex, _notice_id, reply_id = setup(server)
    sam = server.enrol("Sam", "Evening IOP")
    assert choose(alex, reply_id, 4).status_code == 422  # schema: slots are 1-3
    r = choose(sam, reply_id, 1)  # Alex's reply
    assert r.status_code == 422 and "no make-up was offered" in r.json()["detail"]
    assert choose(alex, reply_id + 1000, 1).status_code == 422
    assert choose(alex, reply_id, 1, extra="x").status_code == 422
    no_auth = server.http.post("/v1/makeup-choices", json={})
    assert no_auth.status_code == 401
    server.clock.advance(timedelta(days=6, hours=1))  # slot 1 has started
    r = choose(alex, reply_id, 1)
    assert r.status_code == 422 and "started" in r.json()["detail"]
    assert choose(alex, reply_id, 2).status_code == 201


def test_present_at_the_makeup_turns_the_absence_made_up(server: Server) -> None:
    h, alex, notice_id, reply_id = setup(server)
    assert choose(alex, reply_id, 1).status_code == 201
    alex.poll()
    uid = f"makeup-{reply_id}@companion"
    record = lambda series, start, status: server.http.post(  # noqa: E731
        "/v1/coordinator/attendance", headers=h,
        json={"series_uid": series, "original_start": start,
              "roster": [{"client_id": alex.id, "status": status}]},
    )  # fmt: skip
    assert record(uid, "2026-12-02T23:00:00Z", "attended").status_code == 422  # not started
    server.clock.advance(timedelta(days=6, hours=2))
    h.update(auth(server.login("c@example.org")))  # a new day, a new session
    # The original session: absent, and excused (the notice came in advance).
    assert record("process-group", "2026-11-30T23:00:00Z", "absent").json()["recorded"] == {
        str(alex.id): "excused"
    }
    sam = server.enrol("Sam", "Evening IOP")
    wrong = server.http.post("/v1/coordinator/attendance", headers=h, json={
        "series_uid": uid, "original_start": "2026-12-02T23:00:00Z",
        "roster": [{"client_id": sam.id, "status": "attended"}]})  # fmt: skip
    assert wrong.status_code == 404  # Sam is not on this make-up's roster
    r = record(uid, "2026-12-02T23:00:00Z", "attended")
    assert r.status_code == 200, r.text
    changes = [c for c in alex.poll() if c["type"] == "attendance"]
    assert {(c["series_uid"], c["status"]) for c in changes} >= {
        (uid, "attended"), ("process-group", "made_up")}  # fmt: skip
    with server.engine.connect() as conn:
        row = conn.execute(select(t.attendance.c.status, t.attendance.c.recorded_by).where(
            t.attendance.c.series_uid == "process-group")).one()  # fmt: skip
    assert row.status == "made_up" and row.recorded_by is not None
    # Absent after all: the original goes back to what it was.
    record(uid, "2026-12-02T23:00:00Z", "absent")
    last = [c for c in alex.poll() if c["series_uid"] == "process-group"]
    assert last[-1]["status"] == "excused"
