"""Every route, API and dashboard, with each kind of caller: nobody, a device, a
coordinator and an admin of program A, and A's callers against program B's objects.

The table below classifies every route the app serves; a route added without a line
here fails the first test, so none escapes the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute, Route

from sync.server.web.security import csrf_token
from tests.server.conftest import GROUP, Client, Server, notice

# Who may use a route: public (anyone), device (a device token), feed (a feed token in
# the path), coordinator (any coordinator account, admins included), admin.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/docs"): "public",
    ("GET", "/docs/assets/{name}"): "public",
    ("GET", "/static/{name}"): "public",
    ("POST", "/v1/enroll"): "public",
    ("POST", "/v1/coordinator/login"): "public",
    ("GET", "/"): "public",
    ("GET", "/signin"): "public",
    ("POST", "/signin"): "public",
    ("GET", "/reset/{token}"): "public",
    ("POST", "/reset/{token}"): "public",
    ("POST", "/v1/notices"): "device",
    ("GET", "/v1/notices"): "device",
    ("POST", "/v1/makeup-choices"): "device",
    ("GET", "/v1/changes"): "device",
    ("GET", "/v1/preferences"): "device",
    ("PUT", "/v1/preferences"): "device",
    ("DELETE", "/v1/device"): "device",  # the device revoking itself (companion erase)
    ("GET", "/v1/feeds/{feed_token}.ics"): "feed",
    ("HEAD", "/v1/feeds/{feed_token}.ics"): "feed",
    ("POST", "/v1/coordinator/logout"): "coordinator",
    ("GET", "/v1/coordinator/me"): "coordinator",
    ("GET", "/v1/coordinator/notices"): "coordinator",
    ("GET", "/v1/coordinator/notices/{notice_id}"): "coordinator",
    ("POST", "/v1/coordinator/notices/{notice_id}/ack"): "coordinator",
    ("POST", "/v1/coordinator/notices/{notice_id}/reply"): "coordinator",
    ("GET", "/v1/coordinator/series"): "coordinator",
    ("POST", "/v1/coordinator/series"): "coordinator",
    ("PUT", "/v1/coordinator/series/{uid}"): "coordinator",
    ("DELETE", "/v1/coordinator/series/{uid}"): "coordinator",
    ("POST", "/v1/coordinator/series/{uid}/cancel"): "coordinator",
    ("POST", "/v1/coordinator/materials"): "coordinator",
    ("GET", "/v1/coordinator/materials"): "coordinator",
    ("GET", "/v1/coordinator/materials/{material_id}"): "coordinator",
    ("PUT", "/v1/coordinator/materials/{material_id}"): "coordinator",
    ("DELETE", "/v1/coordinator/materials/{material_id}"): "coordinator",
    ("POST", "/v1/coordinator/attendance"): "coordinator",
    ("GET", "/v1/coordinator/clients"): "coordinator",
    ("GET", "/v1/coordinator/program"): "coordinator",
    ("POST", "/v1/coordinator/clients"): "coordinator",
    ("POST", "/v1/coordinator/clients/{client_id}/code"): "coordinator",
    ("GET", "/v1/coordinator/clients/{client_id}/devices"): "coordinator",
    ("POST", "/v1/coordinator/clients/{client_id}/devices/{device_id}/revoke"): "coordinator",
    ("POST", "/v1/coordinator/clients/{client_id}/revoke"): "coordinator",
    ("POST", "/v1/coordinator/clients/{client_id}/discharge"): "coordinator",
    ("POST", "/v1/coordinator/clients/{client_id}/readmit"): "coordinator",
    ("POST", "/v1/coordinator/clients/{client_id}/erase"): "admin",
    ("GET", "/v1/coordinator/accounts"): "admin",
    ("GET", "/v1/coordinator/audit"): "admin",
    ("PUT", "/v1/coordinator/program"): "admin",
    ("POST", "/v1/coordinator/accounts"): "admin",
    ("PUT", "/v1/coordinator/accounts/{account_id}"): "admin",
    ("PUT", "/v1/coordinator/password"): "coordinator",
    ("GET", "/v1/coordinator/sessions"): "coordinator",
    ("GET", "/invite/{token}"): "public",
    ("POST", "/invite/{token}"): "public",
    ("GET", "/account"): "coordinator",
    ("POST", "/account/password"): "coordinator",
    ("POST", "/account/alerts"): "coordinator",
    ("POST", "/account/signout-others"): "coordinator",
    ("POST", "/account/sessions/{session_id}/signout"): "coordinator",
    ("POST", "/team/invite"): "admin",
    ("POST", "/team/{account_id}/reset"): "admin",
    ("POST", "/team/{account_id}/role"): "admin",
    ("GET", "/team/{account_id}/disable"): "admin",
    ("POST", "/team/{account_id}/disable"): "admin",
    ("POST", "/team/{account_id}/enable"): "admin",
    ("POST", "/signout"): "coordinator",
    ("GET", "/inbox"): "coordinator",
    ("GET", "/inbox/latest"): "coordinator",
    ("POST", "/inbox/{notice_id}/ack"): "coordinator",
    ("POST", "/inbox/{notice_id}/reply"): "coordinator",
    ("POST", "/inbox/{notice_id}/materials"): "coordinator",
    ("GET", "/clients"): "coordinator",
    ("POST", "/clients"): "coordinator",
    ("GET", "/clients/{client_id}"): "coordinator",
    ("GET", "/clients/{client_id}/revoke"): "coordinator",
    ("POST", "/clients/{client_id}/revoke"): "coordinator",
    ("POST", "/clients/{client_id}/code"): "coordinator",
    ("GET", "/clients/{client_id}/devices/{device_id}/revoke"): "coordinator",
    ("POST", "/clients/{client_id}/devices/{device_id}/revoke"): "coordinator",
    ("GET", "/clients/{client_id}/discharge"): "coordinator",
    ("POST", "/clients/{client_id}/discharge"): "coordinator",
    ("POST", "/clients/{client_id}/readmit"): "coordinator",
    ("GET", "/clients/{client_id}/erase"): "admin",
    ("POST", "/clients/{client_id}/erase"): "admin",
    ("GET", "/attendance"): "coordinator",
    ("GET", "/attendance/roster"): "coordinator",
    ("POST", "/attendance/roster"): "coordinator",
    ("POST", "/attendance/roster/materials"): "coordinator",
    ("GET", "/materials/{material_id}/edit"): "coordinator",
    ("POST", "/materials/{material_id}/edit"): "coordinator",
    ("GET", "/materials/{material_id}/withdraw"): "coordinator",
    ("POST", "/materials/{material_id}/withdraw"): "coordinator",
    ("GET", "/schedule"): "coordinator",
    ("GET", "/schedule/new"): "coordinator",
    ("POST", "/schedule/new"): "coordinator",
    ("GET", "/schedule/{uid:path}/edit"): "coordinator",
    ("POST", "/schedule/{uid:path}/edit"): "coordinator",
    ("GET", "/schedule/{uid:path}/delete"): "coordinator",
    ("POST", "/schedule/{uid:path}/delete"): "coordinator",
    ("GET", "/schedule/{uid:path}/cancel"): "coordinator",
    ("POST", "/schedule/{uid:path}/cancel"): "coordinator",
    ("GET", "/resume"): "coordinator",
    ("GET", "/export"): "coordinator",
    ("GET", "/export/notices.csv"): "coordinator",
    ("GET", "/export/attendance.csv"): "coordinator",
    ("GET", "/team"): "admin",
    ("GET", "/audit"): "admin",
    ("GET", "/audit.csv"): "admin",
    ("GET", "/program"): "admin",
    ("POST", "/program"): "admin",
    ("POST", "/program/contacts"): "admin",
    ("POST", "/program/retention"): "admin",
}
# Routes whose path names an object of a program: program B's is a 404 to program A.
OBJECT_PARAMS = {"notice_id", "uid", "client_id", "account_id", "material_id"}
EMAILS = {"admin": "admin@a.org", "coordinator": "coord@a.org"}


def routes_of(routes: list[BaseRoute]) -> Iterator[Route]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included routers
        if inner is not None:
            yield from routes_of(inner.routes)
        elif isinstance(route, Route):
            yield route


def served_routes(server: Server) -> set[tuple[str, str]]:
    app = server.app.api
    found = set()
    for route in routes_of(app.routes):
        methods = route.methods or set()
        for method in methods - ({"HEAD"} if "GET" in methods else set()):
            found.add((method, route.path))
    return found


@dataclass
class Program:
    notice: str
    client: Client
    uid: str
    account: int = 0  # a coordinator account of the program (not the admin's own)
    material: int = 0


@dataclass
class World:
    server: Server
    a: Program
    b: Program
    tokens: dict[str, str]  # role -> bearer token, program A


@pytest.fixture
def world(server: Server) -> World:
    made = {}
    for name, uid in (("A", GROUP["uid"]), ("B", "b-group")):
        program = server.publish(server.program(f"Program {name}"), {**GROUP, "uid": uid})
        client = server.enrol(f"Client {name}", program)
        body = notice(series_uid=uid)
        assert client.post(body).status_code == 201
        made[name] = Program(body["id"], client, uid)
    tokens = {
        "admin": server.coordinator(EMAILS["admin"], "Program A"),
        "coordinator": server.coordinator(EMAILS["coordinator"], "Program A"),
    }
    b_admin = server.coordinator("admin@b.org", "Program B")
    for program, token in ((made["A"], tokens["coordinator"]), (made["B"], b_admin)):
        me = server.http.get("/v1/coordinator/me", headers={"Authorization": f"Bearer {token}"})
        program.account = me.json()["id"]
    for p, token in ((made["A"], tokens["admin"]), (made["B"], b_admin)):
        body = {"series_uid": p.uid, "original_start": "2026-11-30T23:00:00Z",
                "title": "Notes", "url": "https://example.org/notes"}  # fmt: skip
        r = server.http.post("/v1/coordinator/materials", json=body,
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert r.status_code == 201, r.text
        p.material = r.json()["id"]
    return World(server, made["A"], made["B"], tokens)


def fill(path: str, p: Program) -> str:
    return (
        path.replace("{notice_id}", p.notice)
        .replace("{uid:path}", p.uid)
        .replace("{uid}", p.uid)
        .replace("{client_id}", str(p.client.id))
        .replace("{material_id}", str(p.material))
        .replace("{feed_token}", "no-such-feed")
        .replace("{name}", "style.css")
        .replace("{device_id}", "1")
        .replace("{token}", "no-such-link")
        .replace("{account_id}", str(p.account))
        .replace("{session_id}", "no-such-session")
    )


def call(world: World, method: str, path: str, who: str | None, p: Program) -> httpx.Response:
    """``method path`` as caller ``who`` (None, "device", or a role), the way that caller
    would send it: JSON with a bearer token for the API, a form with the session's CSRF
    token for the dashboard."""
    url = fill(path, p)
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    kwargs: dict[str, Any] = {}
    api = url.startswith("/v1/")
    if who == "device":
        headers["Authorization"] = f"Bearer {p.client.token}"
    elif who is not None:
        token = world.tokens[who]
        if api:
            headers["Authorization"] = f"Bearer {token}"
        else:
            cookies["companion_session"] = token
            if method == "POST":  # confirmed: the action itself, not the page asking first
                kwargs["data"] = {"csrf": csrf_token(token), "confirm": "yes"}
    if api and method in ("POST", "PUT"):
        kwargs["json"] = notice() if path == "/v1/notices" else {}
    if path == "/attendance/roster":
        url += "?series=process-group&start=2026-11-30T23:00:00.000000Z"
    with httpx.Client(base_url=world.server.url, cookies=cookies, timeout=30) as c:
        return c.request(method, url, headers=headers, **kwargs)


def to_signin(r: httpx.Response) -> bool:
    """A GET is sent to the sign-in page; a POST answers it (carrying what was typed)."""
    if r.status_code == 303:
        return r.headers["location"].startswith("/signin")
    return r.status_code == 401 and 'action="/signin"' in r.text


def test_every_route_is_classified(world: World) -> None:
    assert served_routes(world.server) == set(ROUTES)


def needs(kind: str) -> list[tuple[str, str]]:
    return sorted(key for key, k in ROUTES.items() if k == kind)


def test_nobody_gets_past_sign_in(world: World) -> None:
    for method, path in needs("coordinator") + needs("admin") + needs("device"):
        r = call(world, method, path, None, world.a)
        if path.startswith("/v1/"):
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
        else:
            assert to_signin(r), (method, path, r.status_code)
    for method, path in needs("device"):  # a coordinator's token is not a device's
        r = call(world, method, path, "admin", world.a)
        assert r.status_code == 401, (method, path)


def test_a_coordinator_is_refused_admin_routes(world: World) -> None:
    for method, path in needs("admin"):
        r = call(world, method, path, "coordinator", world.a)
        assert r.status_code == 403, (method, path, r.status_code)
        if path.startswith("/v1/"):
            assert r.json() == {"detail": "this needs an admin account of the program"}
        else:
            assert "Admins only" in r.text and "text/html" in r.headers["content-type"]


def test_each_role_uses_its_routes(world: World) -> None:
    device = needs("device")
    device.sort(key=lambda key: key == ("DELETE", "/v1/device"))  # it ends the token: last
    for method, path in device:
        r = call(world, method, path, "device", world.a)
        assert r.status_code not in (401, 403), (method, path, r.status_code)
    for role, kinds in (("coordinator", ["coordinator"]), ("admin", ["coordinator", "admin"])):
        routes = [r for kind in kinds for r in needs(kind)]
        # Sign-out and logout end the session the rest use: they go last.
        routes.sort(key=lambda key: key[1] in ("/signout", "/v1/coordinator/logout"))
        for method, path in routes:
            if path in ("/signout", "/v1/coordinator/logout"):
                world.tokens[role] = world.server.login(EMAILS[role])
            r = call(world, method, path, role, world.a)
            assert r.status_code not in (401, 403), (role, method, path, r.status_code)
            if path == "/signout":
                assert r.headers["location"] == "/signin?done=signedout"
            else:
                assert not to_signin(r), (role, method, path)


def test_another_programs_objects_are_404_for_every_role(world: World) -> None:
    for role in ("coordinator", "admin"):
        for (method, path), kind in sorted(ROUTES.items()):
            params = {p.strip("{}").split(":")[0] for p in path.split("/") if p.startswith("{")}
            if kind not in ("coordinator", "admin") or not params & OBJECT_PARAMS:
                continue
            if kind == "admin" and role != "admin":
                continue
            r = call(world, method, path, role, world.b)
            # The API checks bodies before it looks up objects: an empty one is a 422
            # whatever the id. Send a valid one where the route has a body.
            if r.status_code == 422 and path.startswith("/v1/"):
                r = valid_call(world, method, path, role, world.b)
            assert r.status_code == 404, (role, method, path, r.status_code)
    # And B's data is untouched: its notice is still new, its series still there.
    b_admin = world.server.login("admin@b.org")
    h = {"Authorization": f"Bearer {b_admin}"}
    got = world.server.http.get(f"/v1/coordinator/notices/{world.b.notice}", headers=h)
    assert got.json()["status"] == "new"
    assert [s["uid"] for s in world.server.http.get("/v1/coordinator/series", headers=h).json()]


def valid_call(world: World, method: str, path: str, role: str, p: Program) -> httpx.Response:
    bodies: dict[str, Any] = {
        "/v1/coordinator/notices/{notice_id}/reply": {"text": "hello"},
        "/v1/coordinator/series/{uid}": {**GROUP, "uid": p.uid, "title": "Renamed"},
        "/v1/coordinator/series/{uid}/cancel": {"original_start": "2026-11-30T23:00:00Z"},
        "/v1/coordinator/clients/{client_id}/erase": {"name": "Client B"},
        "/v1/coordinator/materials/{material_id}": {"title": "N", "url": "https://x.org/n"},
    }
    h = {"Authorization": f"Bearer {world.tokens[role]}"}
    return world.server.http.request(method, fill(path, p), json=bodies.get(path, {}), headers=h)
