"""GET and HEAD /v1/feeds/{feed_token}.ics: the device's schedule as a subscribable calendar.

Rendered by the client's own exporter (``companion.ics.export_calendar``: one
implementation of iCalendar), discreet when the device (or its program's default) asks.
Conditional requests follow RFC 9110: If-None-Match against a strong ETag, else
If-Modified-Since against Last-Modified (see ``sync/server/feed.py`` for what makes them).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from companion.ics import export_calendar
from sync.protocol import series_from_wire
from sync.server import core, feed
from sync.server.api.raw import RawRoute, error, errors
from sync.server.security import digest

router = APIRouter(tags=["client"], route_class=RawRoute)
CALENDAR = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, no-cache"


def _header(name: str, description: str, where: str = "header") -> dict[str, object]:
    return {"name": name, "in": where, "required": False, "description": description,
            "schema": {"type": "string"}}  # fmt: skip


PARAMETERS = [
    {**_header("feed_token", "the secret of this device's feed", "path"), "required": True},
    _header("If-None-Match", "ETags the client holds: 304 when one is current (RFC 9110)"),
    _header(
        "If-Modified-Since",
        "an HTTP-date: 304 when nothing changed since (ignored when If-None-Match is sent)",
    ),
]
VALIDATOR_HEADERS = {
    "ETag": {"description": "strong; changes whenever the content does, and only then",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "the feed's last change (IMF-fixdate); left out for "
                      "the first seconds after a change", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}  # fmt: skip


@cache
def _salt(refresh_min: int) -> str:
    return feed.salt(refresh_min)


def render(data: feed.FeedData, refresh_min: int) -> bytes:
    """The feed's calendar bytes (stable for a given ETag: DTSTAMP is the last change)."""
    return export_calendar(
        [series_from_wire(w, "program") for w in data.series],
        now=data.changed_at,
        calendar_name=data.program.name,
        calendar_uid=data.calendar_uid,
        program_name=data.program.name,
        timezone=data.program.timezone,
        excused=data.excused,
        discreet=data.discreet,
        last_modified=data.series_modified,
        refresh_interval=timedelta(minutes=refresh_min),
    )


ROUTE: dict[str, Any] = {
    "path": "/v1/feeds/{feed_token}.ics",
    "response_model": None,
    "responses": {
        200: {
            "description": "The calendar (HEAD: the same headers, no body)",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "headers": VALIDATOR_HEADERS,
        },
        304: {"description": "Not modified", "headers": VALIDATOR_HEADERS},
        **errors(404),
    },
    "openapi_extra": {"parameters": PARAMETERS},
}


@router.head(**ROUTE)
@router.get(**ROUTE)
async def get_feed(request: Request) -> Response:
    """The calendar feed; 304 when the client's copy is current (ETag or date)."""
    state = request.app.state
    refresh_min = state.settings.feed_refresh_min
    asked = feed.FeedRequest(
        feed_hash=digest(request.path_params["feed_token"]),
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
        now=state.clock(),
        salt=_salt(refresh_min),
    )
    result = await state.db.read(feed.feed, asked)
    if isinstance(result, core.NotFound):
        return error(404, result.detail)
    headers = {"Cache-Control": CACHE_CONTROL, **result.validators.headers()}
    if isinstance(result, feed.NotModified):
        return Response(status_code=304, headers=headers)
    body = render(result, refresh_min)
    name = "calendar.ics" if result.discreet else "companion.ics"
    headers["Content-Disposition"] = f'inline; filename="{name}"'
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(b"", 200, headers, media_type=CALENDAR)
    return Response(body, 200, headers, media_type=CALENDAR)
