"""GET /v1/feeds/{feed_token}.ics: the client's schedule as a subscribable calendar.

Rendered by the client's own exporter (``companion.ics.export_calendar``: one
implementation of iCalendar). The ETag is made of the program's change counter and the
client's feed revision, so a 304 costs one indexed lookup and no rendering.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from companion.ics import export_calendar
from sync.protocol import series_from_wire
from sync.server import core
from sync.server.api.raw import RawRoute, error, errors
from sync.server.security import digest

router = APIRouter(tags=["client"], route_class=RawRoute)
CALENDAR = "text/calendar; charset=utf-8"
TOKEN = {"name": "feed_token", "in": "path", "required": True, "schema": {"type": "string"}}


def render(data: core.FeedData, refresh_min: int) -> bytes:
    """The feed's calendar bytes (stable for a given ETag: DTSTAMP is the last change)."""
    return export_calendar(
        [series_from_wire(w, "program") for w in data.series],
        now=data.changed_at,
        calendar_name=data.program.name,
        calendar_uid=f"companion-feed-{data.program.id}-{data.client_id}",
        program_name=data.program.name,
        timezone=data.program.timezone,
        excused=data.excused,
        last_modified=data.last_modified,
        refresh_interval=timedelta(minutes=refresh_min),
    )


@router.get(
    "/v1/feeds/{feed_token}.ics",
    response_model=None,
    responses={
        200: {
            "description": "The calendar",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **errors(404),
    },
    openapi_extra={"parameters": [TOKEN]},
)
async def get_feed(request: Request) -> Response:
    """The calendar feed; answers 304 when If-None-Match holds the current ETag."""
    token = request.path_params["feed_token"]
    state = request.app.state
    result = await state.db.read(core.feed, digest(token), request.headers.get("if-none-match"))
    if isinstance(result, core.NotFound):
        return error(404, result.detail)
    headers = {"Cache-Control": "private, no-cache"}
    if isinstance(result, core.NotModified):
        return Response(status_code=304, headers={**headers, "ETag": result.etag})
    body = render(result, state.settings.feed_refresh_min)
    headers["ETag"] = result.etag
    headers["Content-Disposition"] = 'inline; filename="companion.ics"'
    return Response(body, 200, headers, media_type=CALENDAR)
