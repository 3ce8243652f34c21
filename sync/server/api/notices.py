"""Absence notices: POST /v1/notices (hot path, idempotent by the client's UUID) and
GET /v1/notices (this client's notices, paged with a cursor)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError
from starlette.datastructures import State
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sync.protocol import NoticeIn, NoticeOut, NoticesPage
from sync.server import core
from sync.server.api import asgi
from sync.server.api.asgi import error_body
from sync.server.api.deps import CurrentClient, Db
from sync.server.api.raw import (
    DEVICE_AUTH,
    UNAUTHORIZED,
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
NOT_ARRIVED = error_body("the request body did not arrive")
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
    status, payload = await store(request.app.state, token, request.headers.get("date"), body)
    return json_bytes(status, payload, UNAUTHORIZED if status == 401 else None)


async def store(state: State, token: str, date: str | None, body: bytes) -> tuple[int, bytes]:
    """Validate, judge and store a notice's body: the answer's status and JSON (a 401 also
    needs ``WWW-Authenticate``)."""
    try:
        notice = NoticeIn.model_validate_json(body)
    except ValidationError as exc:
        return 422, error_body(validation_detail(exc))
    received_at = state.clock()
    offset = core.clock_offset(date, received_at)
    delivery = core.Delivery(notice, received_at, offset)
    result = await state.db.write(core.post_notice, digest(token), delivery, state.schedules)
    if isinstance(result, core.Created):
        log.debug("notice %s stored", notice.id)
        return 201, result.notice.model_dump_json().encode()
    if isinstance(result, core.Duplicate):
        return 200, result.notice.model_dump_json().encode()
    if isinstance(result, core.Conflict):
        log.info("notice %s refused: id clash", notice.id)
        return 409, error_body(result.detail)
    if isinstance(result, core.Refused):
        log.info("notice %s refused: names no occurrence of the schedule", notice.id)
        return 422, error_body(result.detail)
    return 401, error_body(result.detail)


class NoticePost:
    """POST /v1/notices as a bare ASGI app (see ``asgi.py``): answers as :func:`post_notice`
    in the FastAPI app does, including the plain-text 413 of a ``Content-Length`` over the
    limit (Starlette's body limit sends it before the route runs)."""

    def __init__(self, state: State, max_body: int) -> None:
        self.state = state
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization, date, length = asgi.headers_of(
            scope, b"authorization", b"date", b"content-length"
        )
        if asgi.declared_too_large(length, self.max_body):
            await asgi.answer(send, 413, asgi.TOO_LARGE, asgi.PLAIN)
            return
        token = bearer(authorization)
        if token is None:
            await asgi.answer(send, 401, asgi.UNAUTHORIZED_BODY)
            return
        try:
            body = await asgi.read_body(receive, self.max_body)
        except asgi.BodyTooLarge:  # found while streaming: FastAPI's error body, as its route
            await asgi.answer(send, 413, asgi.error_body(asgi.TOO_LARGE.decode()))
            return
        except asgi.Disconnected:
            await asgi.answer(send, 400, NOT_ARRIVED)  # nobody reads this
            return
        status, payload = await store(self.state, token, date, body)
        await asgi.answer(send, status, payload)


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
