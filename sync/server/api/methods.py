"""``Allow`` on every 405, listing all the methods of the resource (RFC 9110 15.5.6).

A path served by several routes (GET and POST /v1/notices are two routes, one of them a
hot path) answered a wrong method with the ``Allow`` of whichever route matched first,
and OPTIONS with the same partial list. :class:`AllowHeader` rewrites the ``Allow`` of a
405 by asking every route whether it serves the path with each method (Starlette's own
``Route.matches``), so OPTIONS and any undeclared method get a 405 that says what the
resource supports. Only 405 answers are touched.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import Match
from starlette.types import Message, Scope, Send

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class AllowHeader:
    """The methods each path of ``api`` answers, for the ``Allow`` of its 405s."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api

    def allowed(self, scope: Scope) -> str:
        """``Allow`` for the request's path: every method a route serves it with."""
        found = []
        for method in METHODS:
            probe = {**scope, "method": method}
            if any(route.matches(probe)[0] is Match.FULL for route in self.api.router.routes):
                found.append(method)
        return ", ".join(found)

    def wrap(self, scope: Scope, send: Send) -> Send:
        """``send``, with the ``Allow`` of a 405 answer made whole."""

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = self.allowed(scope)
                if allow:
                    headers = [(k, v) for k, v in message.get("headers", []) if k != b"allow"]
                    message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        return sending
