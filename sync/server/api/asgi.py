"""Bare-ASGI pieces for the hot paths: headers, the request body under a limit, an answer.

Under load, Starlette's ``Request``/``Response`` objects, its exception wrapper and its
body-limit middleware cost about a fifth of a notice POST (py-spy, 200 connections). The
hot endpoints (``notices.NoticePost``, ``changes.ChangesGet``) therefore speak ASGI
directly with these helpers, and answer exactly as their documented FastAPI routes do:
the same statuses, bodies and headers, a plain-text 413 as Starlette's limit sends it.
"""

from __future__ import annotations

import json

from starlette.types import Receive, Scope, Send

from sync.server.core import Unauthorized

JSON = b"application/json"
PLAIN = b"text/plain; charset=utf-8"
TOO_LARGE = b"Content Too Large"  # Starlette's RequestBodyLimitMiddleware's answer
WWW_AUTHENTICATE = [(b"www-authenticate", b"Bearer")]  # with every 401


def headers_of(scope: Scope, *names: bytes) -> list[str | None]:
    """The values of the named request headers (lower-case names), None when absent."""
    wanted = dict.fromkeys(names)
    for name, value in scope["headers"]:
        if name in wanted and wanted[name] is None:
            wanted[name] = value
    return [None if v is None else v.decode("latin-1") for v in wanted.values()]


class BodyTooLarge(Exception):
    """The request body is over the server's limit (a 413)."""


class Disconnected(Exception):
    """The client went away before its body was in (a 400 nobody reads)."""


def declared_too_large(content_length: str | None, limit: int) -> bool:
    """Whether a ``Content-Length`` header already says the body is over ``limit``."""
    if content_length is None:
        return False
    try:
        return int(content_length) > limit
    except ValueError:
        return False


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, at most ``limit`` bytes (BodyTooLarge, Disconnected)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def answer(send: Send, status: int, body: bytes, content_type: bytes = JSON) -> None:
    """Send a whole answer: status, content type and length, body; a 401 says to use a
    bearer token (``WWW-Authenticate``) as the API's every 401 does."""
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", content_type)]
    if status == 401:
        headers += WWW_AUTHENTICATE
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def error_body(detail: str) -> bytes:
    """The API's error body, ``{"detail": "..."}``."""
    return json.dumps({"detail": detail}).encode()


UNAUTHORIZED_BODY = error_body(Unauthorized().detail)
