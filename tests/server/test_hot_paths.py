"""The hot paths answer exactly as the FastAPI routes that document them.

POST /v1/notices and GET /v1/changes are bare ASGI apps in front of FastAPI (for
throughput, ``api/asgi.py``). The same server without that front answers every request
through FastAPI's own routes and middleware; both must give a client the same status,
body and headers, for good requests and for every kind of bad one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from sync.server.settings import Settings
from tests.server.conftest import FROZEN_NOW, Clock, Server, notice

KEPT_HEADERS = ("content-type", "content-length", "www-authenticate")


@pytest.fixture
def servers(engine: Engine, settings: Settings) -> Iterator[tuple[Server, Server]]:
    """The server as served, and the same app with every path through FastAPI."""
    front = Server(engine, settings, Clock(FROZEN_NOW)).start()
    plain = Server(engine, settings, Clock(FROZEN_NOW), hot_paths=False).start()
    yield front, plain
    plain.stop()
    front.stop()


def seen(r: httpx.Response) -> tuple[int, dict[str, str], Any]:
    """What a client sees of an answer: status, the headers that matter, the body (the
    notice's own id left out, as each server is sent a notice of its own)."""
    headers = {k: r.headers[k] for k in KEPT_HEADERS if k in r.headers}
    try:
        body = r.json()
    except ValueError:
        return r.status_code, headers, r.text
    if isinstance(body, dict):
        body.pop("id", None)
        headers.pop("content-length", None)  # the ids' lengths are equal; keep it simple
    return r.status_code, headers, body


def both(servers: tuple[Server, Server], send: Any) -> None:
    front, plain = servers
    assert seen(send(front)) == seen(send(plain))


def test_notice_posts_answer_as_the_documented_route(servers: tuple[Server, Server]) -> None:
    front, plain = servers
    program = front.publish(front.program())
    a, b = front.enrol("Alex", program), plain.enrol("Sam", program)
    token = {front.port: a.headers, plain.port: b.headers}
    mine = {front.port: notice(), plain.port: notice()}

    def post(content: Any = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        def send(srv: Server) -> httpx.Response:
            sent = {"Content-Type": "application/json", **(headers or {})}
            return srv.http.post("/v1/notices", content=content, headers=sent, **kw)

        return send

    def as_client(body: Any, **headers: str) -> Any:
        def send(srv: Server) -> httpx.Response:
            sent = {**token[srv.port], **headers}
            content = json.dumps(body(srv) if callable(body) else body)
            return srv.http.post("/v1/notices", content=content, headers=sent)

        return send

    both(servers, post(json.dumps(notice())))  # no token: 401 with WWW-Authenticate
    both(servers, post(json.dumps(notice()), {"Authorization": "Bearer nope"}))
    both(servers, post(json.dumps(notice()), {"Authorization": "Basic abc"}))
    both(servers, as_client("not a notice"))
    both(servers, as_client({**notice(), "barrier": "bored"}))
    both(servers, as_client(notice(original_start="2026-11-30T22:00:00Z")))  # no such session
    both(servers, as_client(lambda srv: mine[srv.port]))  # stored: 201
    both(servers, as_client(lambda srv: mine[srv.port]))  # a retry: 200, the stored notice
    both(servers, as_client(lambda srv: {**mine[srv.port], "message": "other"}))  # 409
    both(servers, as_client(lambda _srv: notice(), Date="Fri, 27 Nov 2026 23:00:00 GMT"))
    big = json.dumps(notice(message="x" * 70_000))
    both(servers, post(big))  # over the limit, even without a token: 413 in plain text
    both(servers, post(big, {"Authorization": a.headers["Authorization"]}))

    def streamed(srv: Server) -> httpx.Response:
        chunks = (b"x" * 4096 for _ in range(20))  # no Content-Length
        return srv.http.post("/v1/notices", content=chunks, headers=token[srv.port])

    both(servers, streamed)


def test_change_polls_answer_as_the_documented_route(servers: tuple[Server, Server]) -> None:
    front, plain = servers
    program = front.publish(front.program())
    alex = front.enrol("Alex", program)

    def poll(query: str, headers: dict[str, str] | None = None) -> Any:
        return lambda srv: srv.http.get(f"/v1/changes{query}", headers=headers)

    both(servers, poll(""))  # no token
    both(servers, poll("?since=0", {"Authorization": "Bearer nope"}))
    for query in ("", "?since=", "?since=0", f"?since={alex.cursor}", "?since=abc",
                  "?since=%C2%B2", "?since=" + "9" * 19, "?since=999", "?since=999&since=0",
                  "?since=0&since=999", "?other=1"):  # fmt: skip
        both(servers, poll(query, alex.headers))
