"""The coordinator's notice inbox: list, read, acknowledge, reply."""

from __future__ import annotations

import logging
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query

from sync.protocol import CoordinatorNotice, ReplyIn
from sync.server import coordinator, core
from sync.server.api.deps import CurrentCoordinator, Db, Now
from sync.server.api.raw import errors
from sync.wire import MAX_INT, UtcDatetime

log = logging.getLogger("companion.server")
router = APIRouter(prefix="/v1/coordinator/notices", tags=["coordinator"])


def _found(result: CoordinatorNotice | core.NotFound | coordinator.Invalid) -> CoordinatorNotice:
    if isinstance(result, core.NotFound):
        raise HTTPException(404, result.detail)
    if isinstance(result, coordinator.Invalid):
        raise HTTPException(422, result.detail)
    return result


@router.get("", response_model=list[CoordinatorNotice], responses=errors(401, 422))
async def list_notices(
    auth: CurrentCoordinator, db: Db, now: Now,
    status: Literal["new", "acknowledged", "replied"] | None = None,
    client: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    since: Annotated[UtcDatetime | None, Query(description="received at or after")] = None,
    until: Annotated[UtcDatetime | None, Query(description="received before")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[CoordinatorNotice]:  # fmt: skip
    """The program's notices, newest first (each is a ``notice.viewed`` audit entry)."""
    return await db.write(coordinator.list_notices, auth, status=status, client_id=client,
                          since=since, until=until, limit=limit, offset=offset,
                          now=now)  # fmt: skip


@router.get("/{notice_id}", response_model=CoordinatorNotice, responses=errors(401, 404, 422))
async def get_notice(notice_id: UUID, auth: CurrentCoordinator, db: Db,
                     now: Now) -> CoordinatorNotice:  # fmt: skip
    """One notice (a ``notice.viewed`` audit entry)."""
    return _found(await db.write(coordinator.view_notice, auth, str(notice_id), now))


@router.post("/{notice_id}/ack", response_model=CoordinatorNotice, responses=errors(401, 404, 422))
async def acknowledge(
    notice_id: UUID, auth: CurrentCoordinator, db: Db, now: Now
) -> CoordinatorNotice:
    """Mark the notice seen; the client sees the acknowledgement on its next sync."""
    result = _found(await db.write(coordinator.acknowledge, auth, str(notice_id), now))
    log.info("notice %s acknowledged by coordinator %s", notice_id, auth.coordinator_id)
    return result


@router.post("/{notice_id}/reply", response_model=CoordinatorNotice,
             responses=errors(401, 404, 413, 422))  # fmt: skip
async def reply(notice_id: UUID, body: ReplyIn, auth: CurrentCoordinator, db: Db,
                now: Now) -> CoordinatorNotice:  # fmt: skip
    """Reply with text, an optional make-up slot and links to materials."""
    result = _found(await db.write(coordinator.reply, auth, str(notice_id), body, now))
    log.info("notice %s replied by coordinator %s", notice_id, auth.coordinator_id)
    return result
