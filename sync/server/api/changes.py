"""GET /v1/changes?since=CURSOR: what changed for this client (hot path: idle polls)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sync.protocol import ChangesResponse
from sync.server import core
from sync.server.api.raw import DEVICE_AUTH, RawRoute, bearer, error, errors, json_bytes
from sync.server.security import digest

router = APIRouter(tags=["client"], route_class=RawRoute)
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
    token = bearer(request.headers.get("authorization"))
    if token is None:
        return error(401, core.Unauthorized().detail, {"WWW-Authenticate": "Bearer"})
    raw = request.query_params.get("since") or "0"
    if not raw.isdigit() or not raw.isascii() or len(raw) > MAX_CURSOR_DIGITS:
        return error(422, "since: must be a cursor this server returned")
    state = request.app.state
    result = await state.db.read(core.changes, digest(token), int(raw), state.settings.changes_page)
    if isinstance(result, core.ChangesPage):
        return json_bytes(200, result.to_json())
    if isinstance(result, core.CursorAhead):
        return error(400, result.detail)
    return error(401, result.detail, {"WWW-Authenticate": "Bearer"})
