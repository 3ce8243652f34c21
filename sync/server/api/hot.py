"""The hot paths, answered in front of the FastAPI app.

Profiling the prototype and this server under wrk showed most of a request's time in
the framework's layers rather than in the endpoint: FastAPI's middleware stack (error,
telemetry and two body-limit layers, exception handling, an exit stack) and its nested
router dispatch. The three paths clients hit constantly (POST /v1/notices,
GET /v1/changes, GET and HEAD /v1/feeds/{token}.ics) are therefore dispatched by
:class:`HotPaths` straight to their endpoints.

The notice POST and the change poll are bare ASGI apps (``notices.NoticePost``,
``changes.ChangesGet``, with the body limit of their own) sharing their logic with the
FastAPI routes that document them (``raw.RawRoute``); the feed is its FastAPI endpoint
as a plain Starlette request/response app. /openapi.json documents all three, and an app
served without ``HotPaths`` answers the same; only the way in differs.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from sync.server.api import changes, feeds, notices
from sync.server.api.headers import with_hsts
from sync.server.api.methods import AllowHeader
from sync.server.proxies import ProxyHeadersMiddleware

FEED_PREFIX, FEED_SUFFIX = "/v1/feeds/", ".ics"
FEED_METHODS = ("GET", "HEAD")


class HotPaths:
    """An ASGI app: the hot paths itself, everything else (and lifespan) to ``api``.

    With ``trusted`` proxies, their forwarded headers decide the client's address and
    scheme first (uvicorn's middleware), for every path; without, nobody's do.
    """

    def __init__(self, api: FastAPI, max_body: int, trusted: list[str] | None = None) -> None:
        self.api = api
        self.state = api.state
        self._exact: dict[tuple[str, str], ASGIApp] = {
            ("POST", "/v1/notices"): notices.NoticePost(api.state, max_body),
            ("GET", "/v1/changes"): changes.ChangesGet(api.state),
        }
        self._feed = request_response(feeds.get_feed)
        self._allow = AllowHeader(api)
        self._entry: ASGIApp = self._dispatch
        if trusted:
            proxied = ProxyHeadersMiddleware(self._dispatch, trusted_hosts=trusted)  # type: ignore[arg-type]
            self._entry = proxied  # type: ignore[assignment]  # uvicorn types its ASGI narrower

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._entry(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = with_hsts(scope, send)  # after the proxy's X-Forwarded-Proto is applied
            path = scope["path"]
            handler = self._exact.get((scope["method"], path))
            if handler is None and scope["method"] in FEED_METHODS and path.startswith(FEED_PREFIX):
                token = path[len(FEED_PREFIX) : -len(FEED_SUFFIX)]
                if path.endswith(FEED_SUFFIX) and token and "/" not in token:
                    scope["path_params"] = {"feed_token": token}
                    handler = self._feed
            if handler is not None:
                scope["app"] = self.api  # what request.app.state resolves through
                await handler(scope, receive, send)
                return
            send = self._allow.wrap(scope, send)  # a 405 lists every method of the path
        await self.api(scope, receive, send)
