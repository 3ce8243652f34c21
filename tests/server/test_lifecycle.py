"""A client's lifecycle: a new code for a lost laptop (the other devices keep working),
devices revoked one by one, revoked access given back, discharge and re-admission,
erasure that leaves nothing of the client but the audit's lines; the same from the
command line and the API; and the password reset link."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from html import unescape

import httpx
from sqlalchemy import Engine, select, text

from sync.server import admin
from sync.server.storage import tables as t
from tests.server.conftest import Client, Server, notice
from tests.server.forms import browser, csrf_of, form_signin

PASSWORD = "correct horse"
SESSION = "2026-11-30T23:00:00.000000Z"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def works(server: Server, client: Client | dict[str, str]) -> bool:
    headers = client if isinstance(client, dict) else client.headers
    return server.http.get("/v1/changes", params={"since": "0"}, headers=headers).status_code == 200


def enrol_code(server: Server, code: str, device: str) -> dict[str, str]:
    r = server.http.post("/v1/enroll", json={"code": code, "device_name": device})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def team(server: Server) -> tuple[str, Client]:
    program = server.publish(server.program())
    admin.create_coordinator(server.engine, "boss@x.org", PASSWORD, program, server.clock())
    admin.create_coordinator(server.engine, "sam@x.org", PASSWORD, program, server.clock())
    return program, server.enrol("Alex", program)


def signed_in(server: Server, email: str) -> httpx.Client:
    b = browser(server.url)
    assert form_signin(b, email, PASSWORD).status_code == 303
    return b


def test_a_new_code_for_a_lost_laptop_and_devices_revoked_one_by_one(server: Server) -> None:
    _, alex = team(server)
    sam = signed_in(server, "sam@x.org")
    page = sam.get(f"/clients/{alex.id}")
    r = sam.post(f"/clients/{alex.id}/code", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == f"/clients/{alex.id}?done=code"
    shown = sam.get(r.headers["location"]).text
    code = re.search(r'id="enrol-code">([^<]+)<', shown).group(1)  # type: ignore[union-attr]
    phone = enrol_code(server, code, "phone")
    assert works(server, alex) and works(server, phone)  # the laptop keeps working
    page = sam.get(f"/clients/{alex.id}").text
    assert "laptop" in page and "phone" in page
    asked = sam.get(f"/clients/{alex.id}/devices/1/revoke")
    assert "Sign out this device of Alex?" in unescape(asked.text)
    r = sam.post(f"/clients/{alex.id}/devices/1/revoke",
                 data={"csrf": csrf_of(asked.text), "confirm": "yes"})  # fmt: skip
    assert r.status_code == 303
    assert not works(server, alex) and works(server, phone)
    assert "revoked" in sam.get(f"/clients/{alex.id}").text.split('id="device-1"')[1][:400]
    # Not theirs, or already revoked: nothing to sign out.
    again = sam.post(f"/clients/{alex.id}/devices/1/revoke",
                     data={"csrf": csrf_of(asked.text), "confirm": "yes"})  # fmt: skip
    assert again.status_code == 404


def test_access_revoked_as_a_whole_comes_back_with_a_new_code(server: Server) -> None:
    _, alex = team(server)
    h = bearer(server.login("sam@x.org"))
    r = server.http.post(f"/v1/coordinator/clients/{alex.id}/revoke", headers=h)
    assert r.json() == {"client_id": alex.id, "discharged": False, "revoked": True, "devices": 0}
    assert not works(server, alex)
    r = server.http.post(f"/v1/coordinator/clients/{alex.id}/code", headers=h)
    assert r.status_code == 201
    new = enrol_code(server, r.json()["code"], "new laptop")
    assert works(server, new) and not works(server, alex)
    listed = server.http.get(f"/v1/coordinator/clients/{alex.id}/devices", headers=h).json()
    assert [(d["name"], d["revoked_at"] is not None) for d in listed] == [
        ("laptop", True), ("new laptop", False),
    ]  # fmt: skip
    assert all("token" not in json.dumps(d) for d in listed)


def test_discharge_stops_devices_and_feeds_and_readmission_restores_them(server: Server) -> None:
    _, alex = team(server)
    feed = alex.enrolled["feed_url"].replace(server.url, "")
    h = bearer(server.login("sam@x.org"))
    assert server.http.get(feed).status_code == 200
    r = server.http.post(f"/v1/coordinator/clients/{alex.id}/discharge", headers=h)
    assert r.json()["discharged"] is True
    assert not works(server, alex) and server.http.get(feed).status_code == 404
    summary = server.http.get("/v1/coordinator/clients", headers=h).json()[0]
    assert summary["discharged"] is True and summary["at_risk"] is False
    sam = signed_in(server, "sam@x.org")
    roster = sam.get("/attendance/roster", params={"series": "process-group", "start": SESSION})
    assert "Alex" not in roster.text  # off the rosters
    assert "discharged" in sam.get("/clients").text
    page = sam.get(f"/clients/{alex.id}").text
    r = sam.post(f"/clients/{alex.id}/readmit", data={"csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == f"/clients/{alex.id}?done=readmitted"
    assert works(server, alex) and server.http.get(feed).status_code == 200


def rows_of(engine: Engine, client_id: int, notice_ids: list[str]) -> dict[str, int]:
    """How many rows of each table still hold anything of the client."""
    checks = {
        "clients": select(t.clients).where(t.clients.c.id == client_id),
        "devices": select(t.devices).where(t.devices.c.client_id == client_id),
        "enrol_codes": select(t.enrol_codes).where(t.enrol_codes.c.client_id == client_id),
        "notices": select(t.notices).where(t.notices.c.client_id == client_id),
        "replies": select(t.replies).where(t.replies.c.notice_id.in_(notice_ids)),
        "attendance": select(t.attendance).where(t.attendance.c.client_id == client_id),
        "attendance_history": select(t.attendance_history).where(
            t.attendance_history.c.client_id == client_id
        ),
        "changes": select(t.changes).where(t.changes.c.client_id == client_id),
    }
    with engine.connect() as conn:
        return {name: len(conn.execute(q).all()) for name, q in checks.items()}


def test_erasing_a_client_leaves_nothing_but_the_audits_lines(server: Server) -> None:
    _, alex = team(server)
    jordan = server.enrol("Jordan", "Evening IOP")
    sent = notice(message="My private reason.")
    alex.post(sent)
    h = bearer(server.login("sam@x.org"))
    server.http.post(f"/v1/coordinator/notices/{sent['id']}/reply", json={"text": "Take care."},
                     headers=h)  # fmt: skip
    server.clock.advance(timedelta(days=4, hours=1, minutes=18))
    h = bearer(server.login("sam@x.org"))
    roster = {"series_uid": "process-group", "original_start": SESSION,
              "roster": [{"client_id": alex.id, "status": "absent"},
                         {"client_id": jordan.id, "status": "attended"}]}  # fmt: skip
    assert server.http.post("/v1/coordinator/attendance", json=roster, headers=h).status_code == 200
    before = rows_of(server.engine, alex.id, [sent["id"]])
    assert all(before.values()), before
    # A coordinator cannot erase; an admin is asked to type the name back.
    sam = signed_in(server, "sam@x.org")
    assert sam.get(f"/clients/{alex.id}/erase").status_code == 403
    assert "Erase their data" not in sam.get(f"/clients/{alex.id}").text
    boss = signed_in(server, "boss@x.org")
    asked = boss.get(f"/clients/{alex.id}/erase")
    assert "Erase Alex?" in asked.text and "Type “Alex” to confirm" in asked.text
    token = csrf_of(asked.text)
    wrong = boss.post(f"/clients/{alex.id}/erase",
                      data={"csrf": token, "confirm": "yes", "typed": "Alec"})  # fmt: skip
    assert wrong.status_code == 422 and "nothing was erased" in wrong.text
    assert rows_of(server.engine, alex.id, [sent["id"]]) == before
    r = boss.post(f"/clients/{alex.id}/erase",
                  data={"csrf": token, "confirm": "yes", "typed": "Alex"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/clients?done=erased"
    assert rows_of(server.engine, alex.id, [sent["id"]]) == dict.fromkeys(before, 0)
    assert boss.get(f"/clients/{alex.id}").status_code == 404
    assert not works(server, alex) and works(server, jordan)
    # The trail keeps the fact and the ids, nothing of Alex's.
    with server.engine.connect() as conn:
        query = select(t.audit).where(t.audit.c.client_id == alex.id).order_by(t.audit.c.id)
        kept = [dict(r._mapping) for r in conn.execute(query)]
    assert [e["action"] for e in kept][-1] == "client.erased"
    assert kept[-1]["actor"] == "boss@x.org" and "1 notices" in kept[-1]["detail"]
    dumped = json.dumps(kept)
    for secret in ("Alex", "My private reason.", "Take care."):
        assert secret not in dumped
    page = boss.get("/audit", params={"client": str(alex.id)}).text
    assert "Alex" not in page  # the trail's own page names the erased client by id only
    assert f"client {alex.id} (erased)" not in page or "erased a client" in page
    assert (
        boss.get("/audit", params={"action": "client.erased"}).text.count(
            f"client {alex.id} (erased)"
        )
        == 1
    )


def test_the_api_lifecycle_checks_role_name_and_program(server: Server) -> None:
    _, alex = team(server)
    sam, boss = bearer(server.login("sam@x.org")), bearer(server.login("boss@x.org"))
    r = server.http.post("/v1/coordinator/clients", json={"name": "Jordan R."}, headers=sam)
    assert r.status_code == 201 and set(r.json()) == {"client_id", "name", "code", "expires_at"}
    assert works(server, enrol_code(server, r.json()["code"], "laptop"))
    for bad in ({"name": ""}, {"name": "a\nb"}, {}):
        assert server.http.post("/v1/coordinator/clients", json=bad, headers=sam).status_code == 422
    erase = f"/v1/coordinator/clients/{alex.id}/erase"
    assert server.http.post(erase, json={"name": "Alex"}, headers=sam).status_code == 403
    r = server.http.post(erase, json={"name": "alex"}, headers=boss)
    assert r.status_code == 422 and "nothing was erased" in r.json()["detail"]
    r = server.http.post(erase, json={"name": "Alex"}, headers=boss)
    assert r.status_code == 200 and r.json()["erased"]["devices"] == 1
    assert server.http.post(erase, json={"name": "Alex"}, headers=boss).status_code == 404
    for path in ("/code", "/revoke", "/discharge", "/readmit", "/devices/1/revoke"):
        url = f"/v1/coordinator/clients/999{path}"
        assert server.http.post(url, headers=sam).status_code == 404, path
    assert server.http.get("/v1/coordinator/clients/0/devices", headers=sam).status_code == 422


def cli(db_url: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync.server.cli", *args, "--db", db_url],
                          input=input, capture_output=True, text=True, timeout=60)  # fmt: skip


def test_the_command_line_lifecycle(server: Server, db_url: str) -> None:
    _, alex = team(server)
    made = json.loads(cli(db_url, "new-code", "Alex", "--json").stdout)
    assert made["client_id"] == alex.id and works(server, enrol_code(server, made["code"], "p"))
    out = json.loads(cli(db_url, "discharge", str(alex.id), "--json").stdout)
    assert out == {"client_id": alex.id, "name": "Alex", "discharged": True, "changed": True}
    assert not works(server, alex)
    again = cli(db_url, "discharge", "Alex")
    assert "was discharged already; nothing changed" in again.stdout
    assert json.loads(cli(db_url, "readmit", "Alex", "--json").stdout)["changed"] is True
    assert works(server, alex)
    server.enrol("Alex", "Evening IOP")  # a second Alex: the name no longer says which
    r = cli(db_url, "new-code", "Alex")
    assert r.returncode == 2 and "several clients are named 'Alex'" in r.stderr
    r = cli(db_url, "erase-client", str(alex.id), input="Alec\n")
    assert r.returncode == 2 and "does not match: nothing was erased" in r.stderr
    r = cli(db_url, "erase-client", str(alex.id), "--json", input="Alex\n")
    assert r.returncode == 0 and json.loads(r.stdout)["erased"]["clients"] == 1
    r = cli(db_url, "erase-client", "999", "--yes")
    assert r.returncode == 2 and "no client '999'" in r.stderr
    assert not works(server, alex)
    with server.engine.connect() as conn:
        actors = conn.execute(text("SELECT actor, action FROM audit WHERE client_id = :c "
                                   "ORDER BY id"), {"c": alex.id}).all()  # fmt: skip
    assert ("companion-server", "client.erased") in [tuple(a) for a in actors]


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    server: Server, db_url: str
) -> None:
    team(server)
    old = bearer(server.login("sam@x.org"))
    r = cli(db_url, "reset-password", "Sam@X.org", "--public-url", server.url, "--json")
    link = json.loads(r.stdout)
    assert link["email"] == "sam@x.org" and link["url"].startswith(f"{server.url}/reset/")
    path = link["url"][len(server.url) :]
    b = browser(server.url)
    form = b.get(path)
    assert form.status_code == 200 and "sam@x.org" in form.text
    token = csrf_of(form.text)
    short = b.post(path, data={"csrf": token, "password": "short", "password_again": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    differ = b.post(path, data={"csrf": token, "password": "a new password",
                                "password_again": "another one"})  # fmt: skip
    assert differ.status_code == 422 and "differ" in differ.text
    r = b.post(path, data={"csrf": token, "password": "a new password",
                           "password_again": "a new password"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/signin?done=password"
    assert server.http.get("/v1/coordinator/me", headers=old).status_code == 401
    assert form_signin(browser(server.url), "sam@x.org", PASSWORD).status_code == 401
    assert form_signin(browser(server.url), "sam@x.org", "a new password").status_code == 303
    used = b.get(path)
    assert used.status_code == 404 and "This link no longer works" in used.text
    # An expired link opens nothing either.
    late_link = admin.reset_password(server.engine, "boss@x.org", server.url, server.clock())
    server.clock.advance(timedelta(hours=24, seconds=1))
    late = b.get(late_link["url"].replace(server.url, ""))
    assert late.status_code == 404
    assert cli(db_url, "reset-password", "nobody@x.org").returncode == 2
