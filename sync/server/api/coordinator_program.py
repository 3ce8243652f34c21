"""Materials, attendance and the clients of the program (with who is at risk)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException

from sync.protocol import AttendanceIn, AttendanceOut, ClientSummary, MaterialAdded, MaterialIn
from sync.server import attendance, audit, coordinator, core
from sync.server.api.deps import CurrentCoordinator, Db, Now
from sync.server.api.raw import errors
from sync.server.storage.repo import Tx

log = logging.getLogger("companion.server")
router = APIRouter(prefix="/v1/coordinator", tags=["coordinator"])


def _ok(result: object) -> object:
    if isinstance(result, core.NotFound):
        raise HTTPException(404, result.detail)
    if isinstance(result, coordinator.Invalid):
        raise HTTPException(422, result.detail)
    return result


@router.post("/materials", status_code=201, response_model=MaterialAdded,
             responses=errors(401, 404, 413, 422))  # fmt: skip
async def add_material(body: MaterialIn, auth: CurrentCoordinator, db: Db, now: Now) -> object:
    """Attach notes, a handout or a recording link to one session."""
    return _ok(await db.write(coordinator.add_material, auth, body, now))


@router.post("/attendance", response_model=AttendanceOut, responses=errors(401, 404, 413, 422))
async def record_attendance(body: AttendanceIn, auth: CurrentCoordinator, db: Db,
                            now: Now) -> object:  # fmt: skip
    """Record the roster of one session; an absence with advance notice counts as excused."""
    result = _ok(await db.write(attendance.record_attendance, auth, body, now))
    log.info("attendance recorded for %s clients by coordinator %s", len(body.roster),
             auth.coordinator_id)  # fmt: skip
    return result


@router.get("/clients", response_model=list[ClientSummary], responses=errors(401))
async def clients(auth: CurrentCoordinator, db: Db, now: Now) -> list[ClientSummary]:
    """The program's clients with this week's forecast and the at-risk flag (a
    ``clients.viewed`` audit entry)."""

    def load(tx: Tx) -> list[ClientSummary]:
        audit.record(tx, auth, "clients.viewed", now, target="clients")
        return attendance.client_summaries(tx, auth, now)

    return await db.write(load)
