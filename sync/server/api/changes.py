"""GET /v1/changes?since=CURSOR: what changed for this client (hot path: idle polls)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sync.protocol import ChangesResponse
from sync.server import core
from sync.server.api import asgi
from sync.server.api.asgi import error_body
from sync.server.api.raw import DEVICE_AUTH, UNAUTHORIZED, RawRoute, bearer, errors, json_bytes
from sync.server.security import digest

router = APIRouter(tags=["client"], route_class=RawRoute)
BAD_CURSOR = error_body("since: must be a cursor this server returned")
MAX_CURSOR_DIGITS = 18
SINCE = {
    "name": "since",
    "in": "query",
    "required": False,
    "description": "the cursor of the previous answer; omitted or empty: from the start",
    "schema": {"type": "string", "pattern": f"^[0-9]{{0,{MAX_CURSOR_DIGITS}}}$"},
}


@router.get(
    "/v1/changes",
    response_model=None,
    responses={
        200: {"model": ChangesResponse, "description": "Changes and the next cursor"},
        **errors(400, 401, 422),
    },
    openapi_extra={"parameters": [SINCE], "security": DEVICE_AUTH},
)
async def get_changes(request: Request) -> Response:
    """Schedule, materials, replies and attendance changed since the cursor."""
    status, body = await changes_answer(
        request.app.state, request.headers.get("authorization"), request.query_params.get("since")
    )
    return json_bytes(status, body, UNAUTHORIZED if status == 401 else None)


async def changes_answer(state: State, authorization: str | None,
                         since: str | None) -> tuple[int, bytes]:  # fmt: skip
    """The answer's status and JSON (a 401 also needs ``WWW-Authenticate``)."""
    token = bearer(authorization)
    if token is None:
        return 401, asgi.UNAUTHORIZED_BODY
    raw = since or "0"
    if not raw.isdigit() or not raw.isascii() or len(raw) > MAX_CURSOR_DIGITS:
        return 422, BAD_CURSOR
    result = await state.db.read(core.changes, digest(token), int(raw), state.settings.changes_page)
    if isinstance(result, core.ChangesPage):
        return 200, result.to_json()
    if isinstance(result, core.CursorAhead):
        return 400, error_body(result.detail)
    return 401, error_body(result.detail)


class ChangesGet:
    """GET /v1/changes as a bare ASGI app (see ``asgi.py``): answers as :func:`get_changes`."""

    def __init__(self, state: State) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        [authorization] = asgi.headers_of(scope, b"authorization")
        since = None
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        for name, value in query:
            if name == "since":
                since = value  # the last one, as Starlette's query_params.get gives it
        status, body = await changes_answer(self.state, authorization, since)
        await asgi.answer(send, status, body)
