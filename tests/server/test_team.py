"""Accounts in the dashboard and the API: an admin invites a coordinator (a one-time
link, 72 hours), disables (their sessions end at once) and enables accounts, changes
roles (never leaving the program without an admin) and issues reset links; every
coordinator changes their own password and sees and signs out their own sessions; a
session unused for the idle timeout ends. Each change is in the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from sync.server.cli import main as server_main
from sync.server.settings import Settings
from sync.server.storage.tables import coordinator_sessions
from tests.server.conftest import FROZEN_NOW, Clock, Server
from tests.server.forms import browser, csrf_of, form_signin

PASSWORD = "correct horse"
NEW_PASSWORD = "a brand new one"
LINK = re.compile(r"http://[^\s<\"]+/(invite|reset)/[A-Za-z0-9_\-]+")


@pytest.fixture
def team(engine: Engine, db_url: str) -> Iterator[Server]:
    """A server with the default idle timeout (30 minutes), an admin and a coordinator."""
    srv = Server(engine, Settings(db_url=db_url), Clock(FROZEN_NOW)).start()
    program = srv.program()
    srv.coordinator("boss@x.org", program)
    srv.coordinator("sam@x.org", program)
    yield srv
    srv.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed_in(server: Server, email: str, password: str = PASSWORD) -> httpx.Client:
    c = browser(server.url)
    assert form_signin(c, email, password).status_code == 303
    return c


def post(c: httpx.Client, path: str, page: str = "/team", **data: str) -> httpx.Response:
    """Send a form of ``page`` as the browser would (its CSRF token included)."""
    return c.post(path, data={"csrf": csrf_of(c.get(page).text), **data})


def account_id(server: Server, email: str) -> int:
    boss = server.login("boss@x.org")
    team = server.http.get("/v1/coordinator/accounts", headers=bearer(boss)).json()
    return next(a["id"] for a in team if a["email"] == email)


def actions(server: Server) -> list[tuple[str, str, str | None]]:
    """The trail, oldest first: (actor, action, target)."""
    boss = server.login("boss@x.org")
    entries = server.http.get("/v1/coordinator/audit", headers=bearer(boss)).json()
    return [(e["actor"], e["action"], e["target"]) for e in reversed(entries)]


def test_an_invitation_is_shown_once_works_once_and_signs_the_invitee_in(team: Server) -> None:
    boss = signed_in(team, "boss@x.org")
    r = post(boss, "/team/invite", email="New@X.org", role="coordinator")
    assert r.status_code == 303 and r.headers["location"] == "/team?done=invited"
    shown = boss.get("/team").text
    link = LINK.search(shown)
    assert link and link.group(1) == "invite" and "new@x.org" in shown
    assert "valid until" in shown
    assert LINK.search(boss.get("/team").text) is None  # a reload shows it no more
    # A refused invitation comes back as the form, with what was typed.
    r = post(boss, "/team/invite", email="sam@X.org", role="admin")
    assert r.status_code == 409 and "an account for sam@x.org already" in r.text
    assert 'value="sam@X.org"' in r.text and '<option value="admin" selected>' in r.text
    r = post(boss, "/team/invite", email="no at sign", role="coordinator")
    assert r.status_code == 422 and "whole email address" in r.text
    assert 'value="no at sign"' in r.text
    path = link.group(0).removeprefix(team.url)

    new = browser(team.url)
    form = new.get(path)
    assert form.status_code == 200 and "new@x.org" in form.text
    r = new.post(path, data={"csrf": csrf_of(form.text), "password": NEW_PASSWORD,
                             "password_again": NEW_PASSWORD})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/inbox?done=welcome"
    inbox = new.get("/inbox")
    assert inbox.status_code == 200 and "new@x.org" in inbox.text
    # One time only: the page, and sending the form again, say the link is gone.
    again = browser(team.url)
    assert again.get(path).status_code == 404
    assert "no longer works" in again.get(path).text
    r = new.post(path, data={"csrf": csrf_of(form.text), "password": "x" * 12,
                             "password_again": "x" * 12})  # fmt: skip
    assert r.status_code == 404
    emails = [a["email"] for a in team.http.get(
        "/v1/coordinator/accounts", headers=bearer(team.login("boss@x.org"))).json()]  # fmt: skip
    assert emails == ["boss@x.org", "new@x.org", "sam@x.org"]
    assert signed_in(team, "new@x.org", NEW_PASSWORD).get("/inbox").status_code == 200
    trail = actions(team)
    assert ("boss@x.org", "account.invited", "new@x.org") in trail
    new_id = account_id(team, "new@x.org")
    assert ("new@x.org", "account.created", f"account {new_id}") in trail


def test_an_invitation_expires_after_72_hours_and_is_checked(team: Server) -> None:
    boss, sam = team.login("boss@x.org"), team.login("sam@x.org")
    r = team.http.post("/v1/coordinator/accounts", json={"email": "late@x.org", "role": "admin"},
                       headers=bearer(boss))  # fmt: skip
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["email"] == "late@x.org" and made["role"] == "admin"
    assert made["expires_at"] == "2026-11-29T22:12:00Z"  # FROZEN_NOW + 72 h
    path = made["url"].removeprefix(team.url)
    assert path.startswith("/invite/")
    assert team.http.get(path).status_code == 200
    team.clock.advance(timedelta(hours=72, seconds=1))
    assert team.http.get(path).status_code == 404
    boss = team.login("boss@x.org")
    for body, status in (({"email": "Sam@x.org"}, 409), ({"email": "not an email"}, 422),
                         ({"email": "a@x.org", "role": "boss"}, 422), ({}, 422)):  # fmt: skip
        r = team.http.post("/v1/coordinator/accounts", json=body, headers=bearer(boss))
        assert r.status_code == status, (body, r.text)
    sam = team.login("sam@x.org")
    r = team.http.post("/v1/coordinator/accounts", json={"email": "z@x.org"}, headers=bearer(sam))
    assert r.status_code == 403


def test_invite_hands_the_link_to_the_mail_hook(engine: Engine, db_url: str) -> None:
    sent: list[tuple[str, str]] = []
    srv = Server(engine, Settings(db_url=db_url), Clock(FROZEN_NOW))
    # What create_app(..., on_invite=...) sets: the integrator wires the mail queue there.
    srv.app.api.state.on_invite = lambda tx, issued, now: sent.append((issued.email, issued.url))
    srv.start()
    try:
        srv.coordinator("boss@x.org", srv.program())
        r = srv.http.post("/v1/coordinator/accounts", json={"email": "m@x.org"},
                          headers=bearer(srv.login("boss@x.org")))  # fmt: skip
        assert sent == [("m@x.org", r.json()["url"])]
    finally:
        srv.stop()


def test_disabling_ends_the_sessions_at_once_and_enabling_restores(team: Server) -> None:
    boss, sam = signed_in(team, "boss@x.org"), signed_in(team, "sam@x.org")
    sam_token = team.login("sam@x.org")
    sam_id = account_id(team, "sam@x.org")
    ask = boss.get(f"/team/{sam_id}/disable")
    assert ask.status_code == 200 and "Disable sam@x.org?" in ask.text
    unconfirmed = post(boss, f"/team/{sam_id}/disable")  # no confirm: it asks again
    assert unconfirmed.status_code == 200 and "Disable the account" in unconfirmed.text
    assert sam.get("/inbox").status_code == 200
    for _ in range(2):  # a reload sends it again: it changes nothing more
        r = post(boss, f"/team/{sam_id}/disable", confirm="yes")
        assert r.status_code == 303 and r.headers["location"] == "/team?done=disabled"
    assert sam.get("/inbox").headers["location"].startswith("/signin")
    assert team.http.get("/v1/coordinator/me", headers=bearer(sam_token)).status_code == 401
    r = team.http.post("/v1/coordinator/login", json={"email": "sam@x.org", "password": PASSWORD})
    assert r.status_code == 401
    assert "disabled" in boss.get("/team").text
    assert [a for a in actions(team) if a[1] == "account.disabled"] == [
        ("boss@x.org", "account.disabled", f"account {sam_id}")
    ]
    r = post(boss, f"/team/{sam_id}/enable")
    assert r.headers["location"] == "/team?done=enabled"
    assert signed_in(team, "sam@x.org").get("/inbox").status_code == 200
    # You cannot disable yourself; another program's account is a 404.
    boss_id = account_id(team, "boss@x.org")
    r = post(boss, f"/team/{boss_id}/disable", confirm="yes")
    assert r.headers["location"] == "/team?done=self"
    assert post(boss, "/team/999/disable", confirm="yes").status_code == 404


def test_roles_change_but_never_leave_the_program_without_an_admin(team: Server) -> None:
    boss = signed_in(team, "boss@x.org")
    boss_id, sam_id = account_id(team, "boss@x.org"), account_id(team, "sam@x.org")
    r = post(boss, f"/team/{boss_id}/role", role="coordinator")
    assert r.headers["location"] == "/team?done=lastadmin"
    assert "only admin" not in boss.get("/team?done=lastadmin").text  # the flash's own words
    assert "without an admin" in boss.get("/team?done=lastadmin").text
    api = bearer(team.login("boss@x.org"))
    r = team.http.put(f"/v1/coordinator/accounts/{boss_id}", json={"role": "coordinator"},
                      headers=api)  # fmt: skip
    assert r.status_code == 409 and "only admin" in r.json()["detail"]
    r = team.http.put(f"/v1/coordinator/accounts/{boss_id}", json={"disabled": True}, headers=api)
    assert r.status_code == 409
    assert post(boss, f"/team/{sam_id}/role", role="admin").headers["location"] == "/team?done=role"
    r = team.http.put(f"/v1/coordinator/accounts/{boss_id}", json={"role": "coordinator"},
                      headers=api)  # fmt: skip
    assert r.status_code == 200 and r.json()["role"] == "coordinator"
    assert boss.get("/team").status_code == 403  # no longer an admin
    sam = bearer(team.login("sam@x.org"))
    r = team.http.put(f"/v1/coordinator/accounts/{boss_id}", json={"disabled": True}, headers=sam)
    assert r.status_code == 200 and r.json()["disabled_at"] is not None
    r = team.http.put(f"/v1/coordinator/accounts/{boss_id}", json={"disabled": False, "role":
                      "admin"}, headers=sam)  # fmt: skip
    assert r.json()["role"] == "admin" and r.json()["disabled_at"] is None
    assert team.http.put("/v1/coordinator/accounts/999", json={}, headers=sam).status_code == 404
    trail = [a for a in actions(team) if a[1] == "account.role"]
    assert [t[2] for t in trail] == [f"account {sam_id}", f"account {boss_id}",
                                     f"account {boss_id}"]  # fmt: skip


def test_an_admin_issues_a_reset_link(team: Server) -> None:
    boss, sam = signed_in(team, "boss@x.org"), signed_in(team, "sam@x.org")
    sam_id = account_id(team, "sam@x.org")
    r = post(boss, f"/team/{sam_id}/reset")
    assert r.headers["location"] == "/team?done=resetlink"
    link = LINK.search(boss.get("/team").text)
    assert link and link.group(1) == "reset"
    path = link.group(0).removeprefix(team.url)
    anon = browser(team.url)
    form = anon.get(path)
    r = anon.post(path, data={"csrf": csrf_of(form.text), "password": NEW_PASSWORD,
                              "password_again": NEW_PASSWORD})  # fmt: skip
    assert r.headers["location"] == "/signin?done=password"
    assert sam.get("/inbox").status_code == 303  # signed out everywhere
    assert signed_in(team, "sam@x.org", NEW_PASSWORD).get("/inbox").status_code == 200
    assert ("boss@x.org", "account.reset", f"account {sam_id}") in actions(team)


def test_a_coordinator_changes_their_own_password(team: Server) -> None:
    sam = signed_in(team, "sam@x.org")
    other = team.login("sam@x.org")
    r = post(sam, "/account/password", "/account", current_password="wrong one",
             password=NEW_PASSWORD, password_again=NEW_PASSWORD)  # fmt: skip
    assert r.status_code == 422 and "current password is not right" in r.text
    r = post(sam, "/account/password", "/account", current_password=PASSWORD,
             password="short", password_again="short")  # fmt: skip
    assert r.status_code == 422 and "at least 8" in r.text
    r = post(sam, "/account/password", "/account", current_password=PASSWORD,
             password=NEW_PASSWORD, password_again=NEW_PASSWORD)  # fmt: skip
    assert r.headers["location"] == "/account?done=ownpassword"
    assert sam.get("/account").status_code == 200  # this session stays
    assert team.http.get("/v1/coordinator/me", headers=bearer(other)).status_code == 401
    api = bearer(team.login("sam@x.org", NEW_PASSWORD))
    r = team.http.put("/v1/coordinator/password", json={"current": "nope", "new": PASSWORD * 2},
                      headers=api)  # fmt: skip
    assert r.status_code == 400
    r = team.http.put("/v1/coordinator/password", json={"current": NEW_PASSWORD, "new": "short"},
                      headers=api)  # fmt: skip
    assert r.status_code == 422
    r = team.http.put("/v1/coordinator/password", json={"current": NEW_PASSWORD,
                      "new": "third password"}, headers=api)  # fmt: skip
    assert r.status_code == 204
    assert sam.get("/account").status_code == 303  # the browser was another session
    team.login("sam@x.org", "third password")
    sam_id = account_id(team, "sam@x.org")
    assert [a for a in actions(team) if a[1] == "account.password"] == [
        ("sam@x.org", "account.password", f"account {sam_id}")
    ] * 2


def test_guessing_the_current_password_meets_the_sign_in_throttle(team: Server) -> None:
    api = bearer(team.login("sam@x.org"))
    body = {"current": "guess", "new": "whatever it is"}
    answers = [team.http.put("/v1/coordinator/password", json=body, headers=api).status_code
               for _ in range(6)]  # fmt: skip
    assert answers == [400] * 5 + [429]
    right = {"current": PASSWORD, "new": "whatever it is"}
    assert team.http.put("/v1/coordinator/password", json=right, headers=api).status_code == 429
    r = team.http.post("/v1/coordinator/login", json={"email": "sam@x.org", "password": PASSWORD})
    assert r.status_code == 429  # the same lock as the sign-in's, for this address
    assert [a[1] for a in actions(team)].count("signin.failed") == 5


def sessions(server: Server, token: str) -> list[dict[str, Any]]:
    r = server.http.get("/v1/coordinator/sessions", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def test_own_sessions_are_listed_and_signed_out(team: Server) -> None:
    team.clock.advance(timedelta(hours=13))  # the fixture's sessions are over
    sam = signed_in(team, "sam@x.org")
    team.clock.advance(timedelta(minutes=5))
    first, second = team.login("sam@x.org"), team.login("sam@x.org")
    listed = sessions(team, first)
    assert len(listed) == 3 and [s["current"] for s in listed].count(True) == 1
    assert {s["address"] for s in listed} == {"127.0.0.1"}
    assert all(s["started_at"] <= s["last_used_at"] for s in listed)
    assert "token" not in str(listed) and "hash" not in str(listed)
    page = sam.get("/account").text
    assert page.count('id="session-') == 3 and "(this one)" in page
    target = next(s["id"] for s in sessions(team, second) if s["current"])
    r = post(sam, f"/account/sessions/{target}/signout", "/account")
    assert r.headers["location"] == "/account?done=oneout"
    assert team.http.get("/v1/coordinator/me", headers=bearer(second)).status_code == 401
    r = post(sam, f"/account/sessions/{target}/signout", "/account")  # a reload: gone already
    assert r.headers["location"] == "/account?done=nosuchsession"
    r = post(sam, "/account/signout-others", "/account")
    assert r.headers["location"] == "/account?done=othersout"
    assert team.http.get("/v1/coordinator/me", headers=bearer(first)).status_code == 401
    assert sam.get("/account").text.count('id="session-') == 1
    # Another coordinator's session is not yours to end.
    boss = team.login("boss@x.org")
    boss_session = sessions(team, boss)[0]["id"]
    r = post(sam, f"/account/sessions/{boss_session}/signout", "/account")
    assert r.headers["location"] == "/account?done=nosuchsession"
    assert team.http.get("/v1/coordinator/me", headers=bearer(boss)).status_code == 200


def last_used(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(coordinator_sessions.c.last_used_at)))


def test_a_session_unused_for_the_idle_timeout_ends(team: Server) -> None:
    team.clock.advance(timedelta(hours=13))  # the fixture's sessions are over
    token = team.login("sam@x.org")
    me = "/v1/coordinator/me"
    before = last_used(team.engine)
    team.clock.advance(timedelta(seconds=30))
    assert team.http.get(me, headers=bearer(token)).status_code == 200
    assert last_used(team.engine) == before  # written at most once a minute
    for _ in range(3):  # used every 29 minutes: it lives on
        team.clock.advance(timedelta(minutes=29))
        assert team.http.get(me, headers=bearer(token)).status_code == 200
    assert last_used(team.engine) != before
    sam = signed_in(team, "sam@x.org")
    team.clock.advance(timedelta(minutes=30, seconds=1))
    assert team.http.get(me, headers=bearer(token)).status_code == 401
    assert sam.get("/inbox").headers["location"].startswith("/signin")


def test_serve_takes_idle_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    assert server_main(["serve", "--idle-minutes", "0"]) == 2
    assert "--idle-minutes must be between 1" in capsys.readouterr().err
