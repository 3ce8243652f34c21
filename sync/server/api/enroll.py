"""POST /v1/enroll: a one-time code for a device token, the feed URL and the schedule."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request

from sync.protocol import FEATURES_HEADER, EnrollRequest, EnrollResponse, features_of
from sync.server import core
from sync.server.api.deps import AppSettings, Db, Now, Remote
from sync.server.api.raw import errors

log = logging.getLogger("companion.server")
router = APIRouter(tags=["client"])


def feed_url(request: Request, public_url: str, feed_token: str) -> str:
    base = (public_url or str(request.base_url)).rstrip("/")
    return f"{base}/v1/feeds/{feed_token}.ics"


@router.post("/v1/enroll", response_model=EnrollResponse, responses=errors(400, 413, 422, 429))
async def enroll(body: EnrollRequest, request: Request, db: Db, settings: AppSettings, now: Now,
                 remote: Remote) -> EnrollResponse:  # fmt: skip
    """Trade a one-time enrolment code for a device token (codes are rate-limited).

    The program's crisis contacts are in the answer only when the request's
    ``Companion-Features`` header names ``crisis_contacts``: a client from before them
    refuses an answer with a field it does not know."""
    features = features_of(request.headers.get(FEATURES_HEADER))
    result = await db.write(
        core.enroll, body.code, body.device_name, remote, now, settings, features
    )
    if isinstance(result, core.RateLimited):
        log.warning("enrolment rate-limited for %s", remote)
        raise HTTPException(429, result.detail, headers={"Retry-After": "900"})
    if isinstance(result, core.BadCode):
        log.info("enrolment code refused from %s", remote)
        raise HTTPException(400, result.detail)
    log.info("device enrolled for client %s", result.client_id)
    return EnrollResponse(
        token=result.token, feed_url=feed_url(request, settings.public_url, result.feed_token),
        client_name=result.client_name, program=result.program, schedule=result.schedule,
        cursor=str(result.cursor), added_at=result.added_at,
    )  # fmt: skip
