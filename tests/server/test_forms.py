"""Forms that behave: every successful POST redirects (a reload repeats nothing), a
destructive action asks first on a page of its own, a stale form comes back filled in
to send again, and a form sent after the session ended is carried through sign-in."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import httpx
from sqlalchemy import func, select

from sync.server import admin
from sync.server.storage.tables import clients, replies
from tests.server.conftest import Server, notice
from tests.server.forms import browser, csrf_of, form_signin

PASSWORD = "correct horse"
TYPED = "Thanks for telling us, see you Wednesday."


def count(server: Server, table: object) -> int:
    with server.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


def setup(server: Server) -> tuple[httpx.Client, str]:
    program = server.publish(server.program())
    admin.create_coordinator(server.engine, "sam@x.org", PASSWORD, program, server.clock())
    alex = server.enrol("Alex", program)
    sent = notice()
    assert alex.post(sent).status_code == 201
    b = browser(server.url)
    assert form_signin(b, "sam@x.org", PASSWORD).status_code == 303
    return b, sent["id"]


def test_adding_a_client_redirects_and_a_reload_adds_nothing(server: Server) -> None:
    b, _ = setup(server)
    token = csrf_of(b.get("/clients").text)
    r = b.post("/clients", data={"csrf": token, "name": "Jordan R."})
    assert r.status_code == 303
    where = r.headers["location"]
    assert re.fullmatch(r"/clients/\d+\?done=added", where)
    first = b.get(where)
    code = re.search(r'id="enrol-code">([^<]+)<', first.text)
    assert code and "Client added." in first.text
    again = b.get(where)  # the reload
    assert 'id="enrol-code"' not in again.text and code.group(1) not in again.text
    assert count(server, clients) == 2  # Alex and Jordan, once
    r = server.http.post("/v1/enroll", json={"code": code.group(1), "device_name": "laptop"})
    assert r.status_code == 200


def test_every_successful_post_redirects(server: Server) -> None:
    b, nid = setup(server)
    token = csrf_of(b.get("/inbox").text)
    posts = [
        (f"/inbox/{nid}/ack", {"back": "/inbox"}),
        (f"/inbox/{nid}/reply", {"back": "/inbox", "text": TYPED}),
        (f"/inbox/{nid}/materials", {"back": "/inbox", "title": "Notes", "url": "https://x.org/n"}),
        ("/schedule/new", {"title": "Skills", "kind": "skills", "start": "2026-12-01T17:00",
                           "duration": "60", "repeat": "weekly", "join_url": "",
                           "facilitator": ""}),
        ("/program", {"discreet": "on"}),
    ]  # fmt: skip
    for path, data in posts:
        r = b.post(path, data={"csrf": token, **data})
        assert r.status_code == 303, (path, r.status_code, r.text[:300])
        assert b.get(r.headers["location"]).status_code == 200
    assert count(server, replies) == 2  # the acknowledgement and the reply, once each


def test_revoking_asks_first_and_works_without_javascript(server: Server) -> None:
    b, _ = setup(server)
    page = b.get("/clients/1").text
    assert 'href="/clients/1/revoke"' in page and "<script" not in page.split("</head>")[1]
    asked = b.get("/clients/1/revoke")
    assert asked.status_code == 200 and "Revoke access for Alex?" in unescape(asked.text)
    token = csrf_of(asked.text)
    # A POST that skipped the question asks it and changes nothing.
    r = b.post("/clients/1/revoke", data={"csrf": token})
    assert r.status_code == 200 and "Revoke access for Alex?" in unescape(r.text)
    h = {"Authorization": f"Bearer {server.login('sam@x.org')}"}
    assert server.http.get("/v1/coordinator/clients", headers=h).json()[0]["revoked"] is False
    r = b.post("/clients/1/revoke", data={"csrf": token, "confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == "/clients/1?done=revoked"


def test_removing_a_series_and_cancelling_a_session_ask_first(server: Server) -> None:
    b, _ = setup(server)
    asked = b.get("/schedule/process-group/delete")
    assert asked.status_code == 200 and "Remove Process Group?" in asked.text
    start = "2026-12-02T23:00:00.000000Z"
    asked = b.get("/schedule/process-group/cancel", params={"original_start": start})
    assert "Cancel Process Group on Wed 02 Dec 18:00?" in asked.text
    token = csrf_of(asked.text)
    r = b.post("/schedule/process-group/cancel", data={"csrf": token, "original_start": start})
    assert r.status_code == 200 and "cancelled" not in b.get("/schedule").text
    r = b.post("/schedule/process-group/cancel",
               data={"csrf": token, "original_start": start, "confirm": "yes"})  # fmt: skip
    assert r.status_code == 303 and "(cancelled)" in b.get("/schedule").text
    assert b.get("/schedule/nope/delete").status_code == 404
    bad = b.get("/schedule/process-group/cancel", params={"original_start": "x"})
    assert bad.status_code == 404


def test_a_stale_form_comes_back_filled_in_to_send_again(server: Server) -> None:
    b, nid = setup(server)
    stale = csrf_of(b.get("/inbox").text)
    form_signin(b, "sam@x.org", PASSWORD)  # signed in again (another tab): a new session
    r = b.post(f"/inbox/{nid}/reply", data={"csrf": stale, "text": TYPED, "back": "/inbox"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "This form had expired, so nothing was sent" in r.text
    assert f">{TYPED}</textarea>" in unescape(r.text)
    assert count(server, replies) == 0
    again = {"csrf": csrf_of(r.text), "text": TYPED, "back": "/inbox"}
    assert f'action="/inbox/{nid}/reply"' in r.text
    r = b.post(f"/inbox/{nid}/reply", data=again)
    assert r.status_code == 303 and r.headers["location"].startswith("/inbox?done=replied")
    assert count(server, replies) == 1


def test_a_form_sent_after_the_session_ended_survives_signing_in(server: Server) -> None:
    b, nid = setup(server)
    token = csrf_of(b.get("/inbox").text)
    server.clock.advance(timedelta(hours=13))  # past the session's 12 hours
    r = b.post(f"/inbox/{nid}/reply", data={"csrf": token, "text": TYPED, "back": "/inbox"},
               headers={"Referer": f"{server.url}/inbox"})  # fmt: skip
    assert r.status_code == 401 and "Your session ended before this was sent" in r.text
    assert "location" not in r.headers  # never sent to GET a POST-only URL
    form = {k: unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', r.text)}
    assert form["next"] == "/inbox" and form["resume_action"] == f"/inbox/{nid}/reply"
    r = b.post("/signin", data={**form, "email": "sam@x.org", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/resume"
    page = b.get("/resume")
    assert "You are signed in again. This was not sent yet" in page.text
    assert f">{TYPED}</textarea>" in unescape(page.text)
    assert count(server, replies) == 0
    r = b.post(f"/inbox/{nid}/reply",
               data={"csrf": csrf_of(page.text), "text": TYPED, "back": "/inbox"})  # fmt: skip
    assert r.status_code == 303 and count(server, replies) == 1
    assert b.get("/resume").headers["location"] == "/inbox"  # shown once


def test_signing_in_after_expiry_returns_to_the_page(server: Server) -> None:
    b, _ = setup(server)
    server.clock.advance(timedelta(hours=13))
    r = b.get("/clients/1")
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=%2Fclients%2F1"
    page = b.get(r.headers["location"]).text
    r = b.post("/signin", data={"csrf": csrf_of(page), "email": "sam@x.org",
                                "password": PASSWORD, "next": "/clients/1"})  # fmt: skip
    assert r.headers["location"] == "/clients/1"
    # Signing out with an ended session is simply done.
    server.clock.advance(timedelta(hours=13))
    r = b.post("/signout", data={"csrf": "whatever"})
    assert r.status_code == 303 and r.headers["location"] == "/signin?done=signedout"
