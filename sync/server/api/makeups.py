"""POST /v1/makeup-choices: a client's pick among the make-up slots of a reply (or a
decline), idempotent by the client-made id, scoped to the device's client."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import JSONResponse, Response

from sync.protocol import MakeupChoiceIn, MakeupChoiceOut
from sync.server import makeups
from sync.server.api.deps import CurrentClient, Db, Now, Remote
from sync.server.api.raw import errors
from sync.server.core import Conflict
from sync.server.schedules import Refused

router = APIRouter(tags=["client"])


@router.post(
    "/v1/makeup-choices",
    status_code=201,
    response_model=MakeupChoiceOut,
    responses={
        200: {"model": MakeupChoiceOut, "description": "Stored before (a retry)"},
        **errors(401, 409, 413, 422),
    },
)
async def post_choice(body: MakeupChoiceIn, auth: CurrentClient, db: Db, now: Now,
                      remote: Remote) -> Response:  # fmt: skip
    """Pick slot 1-3 of the make-up a reply offers (``slot``), or decline (``slot`` null).

    The newest choice of a reply stands: the make-up joins the client's schedule (changes
    feed) and calendar feed as ``makeup-<reply id>@companion``, replacing an earlier pick;
    a decline removes it. 422 for a reply that offers this client no make-up, a slot it
    does not offer, or one that has started; a retry of the same id returns the stored
    choice (200), another choice under a used id is a 409."""
    result = await db.write(makeups.post_choice, auth, body, now, remote)
    if isinstance(result, makeups.ChoiceStored):
        return JSONResponse(result.choice.model_dump(mode="json"),
                            status_code=201 if result.created else 200)  # fmt: skip
    if isinstance(result, Conflict):
        raise HTTPException(409, result.detail)
    if isinstance(result, Refused):
        raise HTTPException(422, result.detail)
    raise HTTPException(401, result.detail, headers={"WWW-Authenticate": "Bearer"})
