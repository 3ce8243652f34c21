"""A Content-Security-Policy on every answer of the FastAPI app, not only on the pages
that set one.

The dashboard's pages and /docs carry their own policy (``'self'`` only, see
``web/render.py``). Everything else the app answers (JSON, redirects, errors, files)
gets ``default-src 'none'``: opened directly in a browser, nothing in it can run or load.
The hot paths (``api/hot.py``) answer JSON and calendars to programs, never pages, and
skip this layer, as they skip the rest of the framework.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULTS = (
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
)


class SecurityHeaders:
    """ASGI middleware: adds each of :data:`DEFAULTS` an answer does not set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in DEFAULTS if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


HSTS = (b"strict-transport-security", b"max-age=31536000")
"""On every https answer (served with TLS, or via a trusted proxy's X-Forwarded-Proto):
browsers then never try this host over plain HTTP for a year."""


def with_hsts(scope: Scope, send: Send) -> Send:
    """``send``, adding :data:`HSTS` to the answer when the request came over https."""
    if scope.get("scheme") != "https":
        return send

    async def send_with_hsts(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), HSTS]
        await send(message)

    return send_with_hsts
