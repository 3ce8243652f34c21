"""The audit trail: a scripted day of work leaves every entry and nothing else; entries
hold ids and fixed words, never text; the table is append-only; an entry commits with
its change or not at all; admins read it in the API (filters, paging) and the dashboard
(and as CSV); the client's page shows who replied and who recorded attendance, with
the history of changes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from sync.protocol import ReplyIn
from sync.server import admin
from sync.server import coordinator as ops
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.runner import transaction
from sync.server.storage.tables import audit
from tests.server.conftest import Client, Server, notice
from tests.server.forms import browser, csrf_of, form_signin

PASSWORD = "correct horse"
SESSION = "2026-11-30T23:00:00.000000Z"
ROSTER = f"/attendance/roster?series=process-group&start={SESSION}"
MESSAGE, REPLY = "Late shift, sorry.", "See you Wednesday, Alex."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def trail(server: Server, token: str, **params: Any) -> list[dict[str, Any]]:
    r = server.http.get("/v1/coordinator/audit", params=params, headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def brief(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["actor"], e["action"], e["client_id"], e["target"], e["detail"], e["address"])
            for e in entries]  # fmt: skip


def team(server: Server) -> tuple[str, Client, Client]:
    program = server.publish(server.program())
    admin.create_coordinator(server.engine, "boss@x.org", PASSWORD, program, server.clock())
    admin.create_coordinator(server.engine, "sam@x.org", PASSWORD, program, server.clock())
    alex, jordan = server.enrol("Alex", program), server.enrol("Jordan", program)
    return program, alex, jordan


def test_a_day_of_work_leaves_every_entry_and_nothing_else(server: Server) -> None:
    _, alex, jordan = team(server)
    sent = notice(message=MESSAGE)
    assert alex.post(sent).status_code == 201
    nid, here = sent["id"], "127.0.0.1"
    server.clock.advance(timedelta(days=4, hours=1, minutes=18))  # Monday, the group has begun
    with browser(server.url) as sam:
        assert form_signin(sam, "sam@x.org", "not my password").status_code == 401
        assert form_signin(sam, "sam@x.org", PASSWORD).status_code == 303
        inbox = sam.get("/inbox")
        assert MESSAGE in inbox.text
        assert sam.get(f"/clients/{alex.id}").status_code == 200
        token = csrf_of(inbox.text)
        r = sam.post(f"/inbox/{nid}/reply", data={"csrf": token, "text": REPLY, "back": "/inbox"})
        assert r.status_code == 303
        assert sam.get(ROSTER).status_code == 200
        r = sam.post(ROSTER, data={"csrf": token, f"c{alex.id}": "absent",
                                   f"c{jordan.id}": "attended"})  # fmt: skip
        assert r.status_code == 303
        r = sam.get("/export/notices.csv", params={"from": "2026-11-01", "to": "2026-11-30"})
        assert r.status_code == 200 and MESSAGE in r.text
        revoke = {"csrf": token, "confirm": "yes"}
        assert sam.post(f"/clients/{jordan.id}/revoke", data=revoke).status_code == 303
        assert sam.post("/signout", data={"csrf": token}).status_code == 303
    boss = server.login("boss@x.org")
    entries = trail(server, boss)
    session = f"process-group {SESSION}"
    assert brief(entries) == [
        ("boss@x.org", "signin", None, None, None, here),
        ("sam@x.org", "signout", None, None, None, here),
        ("sam@x.org", "client.revoked", jordan.id, None, "1 device(s)", here),
        ("sam@x.org", "export", None, "2026-11-01_to_2026-11-30", "notices", here),
        ("sam@x.org", "attendance.recorded", jordan.id, session, "attended", here),
        ("sam@x.org", "attendance.recorded", alex.id, session, "excused", here),
        ("sam@x.org", "clients.viewed", None, f"roster {session}", None, here),
        ("sam@x.org", "notice.replied", alex.id, nid, None, here),
        ("sam@x.org", "client.viewed", alex.id, None, None, here),
        ("sam@x.org", "notice.viewed", alex.id, nid, None, here),
        ("sam@x.org", "signin", None, None, None, here),
        ("sam@x.org", "signin.failed", None, None, None, here),
        (f"device {2}", "device.enrolled", jordan.id, None, None, here),
        ("companion-server", "client.added", jordan.id, None, None, None),
        (f"device {1}", "device.enrolled", alex.id, None, None, here),
        ("companion-server", "client.added", alex.id, None, None, None),
        ("companion-server", "account.created", None, "account 2", "coordinator", None),
        ("companion-server", "account.created", None, "account 1", "admin", None),
    ]
    # Newest first, each stamped with the server's time, no text of anyone's.
    ats = [e["at"] for e in entries]
    assert ats == sorted(ats, reverse=True)
    assert ats[0] == "2026-11-30T23:30:00Z" and ats[-1] == "2026-11-26T22:12:00Z"
    dumped = json.dumps(entries)
    for secret in (MESSAGE, REPLY, "Alex", "Jordan", "not my password", PASSWORD):
        assert secret not in dumped


def test_the_trail_is_append_only(server: Server) -> None:
    team(server)
    for sql in ("UPDATE audit SET actor = 'someone else'", "DELETE FROM audit"):
        with pytest.raises(DBAPIError, match="append-only"), server.engine.begin() as conn:
            conn.execute(text(sql))
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit)).scalar_one() == 6


def test_an_entry_commits_with_its_change_or_not_at_all(server: Server) -> None:
    _, alex, _ = team(server)
    sent = notice()
    alex.post(sent)
    auth = CoordinatorAuth(2, 1, "sam@x.org", "coordinator", "127.0.0.1")

    def count() -> int:
        with server.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(audit)).scalar_one()

    before = count()
    with pytest.raises(RuntimeError), transaction(server.engine) as tx:
        ops.reply(tx, auth, sent["id"], ReplyIn(text="hello"), server.clock())
        raise RuntimeError("the request failed after the reply")
    assert count() == before
    with transaction(server.engine) as tx:
        assert ops.get_notice(tx, auth, sent["id"]).status == "new"  # type: ignore[union-attr]
    # A refused change (a make-up in the past) writes no entry either.
    h = bearer(server.login("sam@x.org"))
    past = {"text": "x", "makeup": {"start": "2026-11-01T10:00:00Z", "end": "2026-11-01T11:00:00Z",
                                    "title": "Make-up"}}  # fmt: skip
    r = server.http.post(f"/v1/coordinator/notices/{sent['id']}/reply", json=past, headers=h)
    assert r.status_code == 422
    assert count() == before + 1  # the sign-in only


def test_admins_filter_and_page_the_trail(server: Server) -> None:
    _, alex, jordan = team(server)
    sam = server.login("sam@x.org")
    sent = notice()
    alex.post(sent)
    server.clock.advance(timedelta(hours=2))
    server.http.get(f"/v1/coordinator/notices/{sent['id']}", headers=bearer(sam))
    server.http.get("/v1/coordinator/clients", headers=bearer(sam))
    boss = server.login("boss@x.org")
    assert [e["action"] for e in trail(server, boss, coordinator=2)] == [
        "clients.viewed", "notice.viewed", "signin",
    ]  # fmt: skip
    assert [e["action"] for e in trail(server, boss, client=jordan.id)] == [
        "device.enrolled", "client.added",
    ]  # fmt: skip
    assert len(trail(server, boss, action="account.created")) == 2
    later = trail(server, boss, since="2026-11-26T23:00:00Z")
    assert [e["action"] for e in later] == ["signin", "clients.viewed", "notice.viewed"]
    assert trail(server, boss, until="2026-11-26T00:00:00Z") == []
    first = trail(server, boss, limit=3)
    rest = trail(server, boss, before=first[-1]["id"])
    assert [e["id"] for e in first + rest] == [e["id"] for e in trail(server, boss)]
    for bad in ({"action": "deleted.everything"}, {"client": "0"}, {"since": "yesterday"}):
        r = server.http.get("/v1/coordinator/audit", params=bad, headers=bearer(boss))
        assert r.status_code == 422, bad
    r = server.http.get("/v1/coordinator/audit", headers=bearer(sam))
    assert r.status_code == 403


def test_the_dashboard_trail_filters_and_downloads(server: Server) -> None:
    _, alex, _ = team(server)
    alex.post(notice())
    with browser(server.url) as sam:
        form_signin(sam, "sam@x.org", PASSWORD)
        sam.get(f"/clients/{alex.id}")
    with browser(server.url) as boss:
        form_signin(boss, "boss@x.org", PASSWORD)
        page = boss.get("/audit", params={"coordinator": "2", "client": str(alex.id)}).text
        assert page.count('class="audit-client-viewed"') == 1
        assert "sam@x.org" in page and "viewed a client" in page and "Alex" in page
        assert 'class="audit-account-created"' not in page  # filtered out
        csv = boss.get("/audit.csv", params={"action": "client.viewed"})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        lines = csv.text.lstrip("\ufeff").strip().splitlines()
        assert lines[0].startswith("when,who,kind,action") and len(lines) == 2
        assert "sam@x.org,coordinator,client.viewed" in lines[1]
        # Downloading the trail is itself on it.
        exports = boss.get("/audit", params={"action": "export"}).text
        assert exports.count('class="audit-export"') == 1 and "start_to_now" in exports
        r = boss.get("/audit", params={"from": "2026-13-01"})
        assert r.status_code == 422 and "give a date" in r.text


def test_the_clients_page_shows_who_replied_and_who_recorded(server: Server) -> None:
    _, alex, jordan = team(server)
    sent = notice()
    alex.post(sent)
    sam, boss = bearer(server.login("sam@x.org")), bearer(server.login("boss@x.org"))
    server.http.post(f"/v1/coordinator/notices/{sent['id']}/reply", json={"text": REPLY},
                     headers=sam)  # fmt: skip
    server.clock.advance(timedelta(days=4, hours=1, minutes=18))
    sam, boss = bearer(server.login("sam@x.org")), bearer(server.login("boss@x.org"))
    roster = {"series_uid": "process-group", "original_start": SESSION,
              "roster": [{"client_id": alex.id, "status": "attended"}]}  # fmt: skip
    record = "/v1/coordinator/attendance"
    assert server.http.post(record, json=roster, headers=sam).status_code == 200
    server.clock.advance(timedelta(minutes=5))
    roster["roster"] = [{"client_id": alex.id, "status": "absent"}]
    assert server.http.post(record, json=roster, headers=boss).status_code == 200
    with browser(server.url) as b:
        form_signin(b, "sam@x.org", PASSWORD)
        page = b.get(f"/clients/{alex.id}").text
    assert f"replied by sam@x.org · Thu 26 Nov 17:12: “{REPLY}”" in page
    assert "excused by boss@x.org · Mon 30 Nov 18:35" in page  # New York time
    assert "1 earlier" in page and "was attended by sam@x.org · Mon 30 Nov 18:30" in page
