"""Absence notices: POST /v1/notices (hot path, idempotent by the client's UUID) and
GET /v1/notices (this client's notices, paged with a cursor)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from sync.protocol import NoticeIn, NoticeOut, NoticesPage
from sync.server import core
from sync.server.api.deps import CurrentClient, Db
from sync.server.api.raw import (
    DEVICE_AUTH,
    RawRoute,
    bearer,
    body_of,
    error,
    errors,
    json_bytes,
    validation_detail,
)
from sync.server.security import digest

log = logging.getLogger("companion.server")
raw_router = APIRouter(tags=["client"], route_class=RawRoute)
router = APIRouter(tags=["client"])
UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}
PAGE, MAX_PAGE = 100, 500


@raw_router.post(
    "/v1/notices",
    status_code=201,
    response_model=None,
    responses={
        201: {"model": NoticeOut, "description": "Stored"},
        200: {"model": NoticeOut, "description": "Stored before with the same content (a retry)"},
        **errors(401, 409, 413, 422),
    },
    openapi_extra={"requestBody": body_of(NoticeIn), "security": DEVICE_AUTH},
)
async def post_notice(request: Request) -> Response:
    """Store an absence notice; a retry of the same UUID returns the stored notice.

    The notice must name an occurrence of the client's schedule (422 otherwise, with the
    reason). The answer is the notice as stored: ``title`` and ``start`` from the program's
    schedule, ``timing`` decided by the server's clock (advance when received before the
    session starts); the device's claim is kept as ``claimed_timing``. An optional ``Date``
    header (the device's clock when sending) lets the coordinator see a wrong clock."""
    token = bearer(request.headers.get("authorization"))
    if token is None:
        return error(401, core.Unauthorized().detail, UNAUTHORIZED)
    try:
        body = await request.body()
    except ClientDisconnect:  # gone before the body was in (or cut off: slow loris)
        return error(400, "the request body did not arrive")  # nobody reads this
    try:
        notice = NoticeIn.model_validate_json(body)
    except ValidationError as exc:
        return error(422, validation_detail(exc))
    state = request.app.state
    received_at = state.clock()
    offset = core.clock_offset(request.headers.get("date"), received_at)
    delivery = core.Delivery(notice, received_at, offset)
    result = await state.db.write(core.post_notice, digest(token), delivery, state.schedules)
    if isinstance(result, core.Created):
        log.debug("notice %s stored", notice.id)
        return json_bytes(201, result.notice.model_dump_json())
    if isinstance(result, core.Duplicate):
        return json_bytes(200, result.notice.model_dump_json())
    if isinstance(result, core.Conflict):
        log.info("notice %s refused: id clash", notice.id)
        return error(409, result.detail)
    if isinstance(result, core.Refused):
        log.info("notice %s refused: names no occurrence of the schedule", notice.id)
        return error(422, result.detail)
    return error(401, result.detail, UNAUTHORIZED)


@router.get("/v1/notices", response_model=NoticesPage, responses=errors(401, 422))
async def list_notices(
    auth: CurrentClient,
    db: Db,
    cursor: Annotated[
        str | None,
        Query(
            pattern=core.NOTICES_CURSOR,
            description="`cursor` of the previous page; omitted: the newest",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="most notices in the page")] = PAGE,
) -> NoticesPage:
    """The notices this client has sent, newest first, a page at a time: while ``more``
    is true, ask again with ``cursor`` to get the older ones."""
    return await db.read(core.client_notices, auth, cursor, limit)
