"""The hot paths, answered in front of the FastAPI app.

Profiling the prototype and this server under wrk showed most of a request's time in
the framework's layers rather than in the endpoint: FastAPI's middleware stack (error,
telemetry and two body-limit layers, exception handling, an exit stack) and its nested
router dispatch. The three paths clients hit constantly (POST /v1/notices,
GET /v1/changes, GET and HEAD /v1/feeds/{token}.ics) are therefore dispatched by
:class:`HotPaths` straight to their endpoints, as plain Starlette request/response apps.

They are the very same endpoint functions FastAPI registers (``raw.RawRoute``), so
/openapi.json documents them and an app served without ``HotPaths`` behaves the same;
only the way in differs. The body limit is enforced here with Starlette's own
``RequestBodyLimitMiddleware``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from sync.server.api import changes, feeds, notices
from sync.server.api.methods import AllowHeader

FEED_PREFIX, FEED_SUFFIX = "/v1/feeds/", ".ics"
FEED_METHODS = ("GET", "HEAD")


class HotPaths:
    """An ASGI app: the hot paths itself, everything else (and lifespan) to ``api``."""

    def __init__(self, api: FastAPI, max_body: int) -> None:
        self.api = api
        self.state = api.state
        self._exact: dict[tuple[str, str], ASGIApp] = {
            ("POST", "/v1/notices"): RequestBodyLimitMiddleware(
                request_response(notices.post_notice), max_body_size=max_body
            ),
            ("GET", "/v1/changes"): request_response(changes.get_changes),
        }
        self._feed = request_response(feeds.get_feed)
        self._allow = AllowHeader(api)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
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
