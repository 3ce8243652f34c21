"""A session's materials: list, read, correct, withdraw (attaching one: ``POST
/v1/coordinator/materials`` in ``coordinator_program.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from sync.protocol import MaterialEdit, MaterialOut, MaterialWithdrawn
from sync.server import coordinator, core, materials
from sync.server.api.deps import CurrentCoordinator, Db, Now
from sync.server.api.raw import errors
from sync.wire import MAX_INT, UID, UtcDatetime

router = APIRouter(prefix="/v1/coordinator/materials", tags=["coordinator"])
MaterialId = Annotated[int, Path(ge=1, le=MAX_INT)]


def _ok(result: object) -> object:
    if isinstance(result, core.NotFound):
        raise HTTPException(404, result.detail)
    if isinstance(result, coordinator.Invalid):
        raise HTTPException(422, result.detail)
    return result


@router.get("", response_model=list[MaterialOut], responses=errors(401, 404, 422))
async def list_materials(
    auth: CurrentCoordinator, db: Db,
    series_uid: Annotated[str, Query(min_length=1, max_length=255, pattern=UID)],
    original_start: Annotated[UtcDatetime, Query(description="the session's original start")],
) -> object:  # fmt: skip
    """The materials of one session, oldest first (withdrawn ones are not listed)."""
    return _ok(await db.read(materials.list_materials, auth, series_uid, original_start))


@router.get("/{material_id}", response_model=MaterialOut, responses=errors(401, 404, 422))
async def get_material(material_id: MaterialId, auth: CurrentCoordinator, db: Db) -> object:
    return _ok(await db.read(materials.get_material, auth, material_id))


@router.put("/{material_id}", response_model=MaterialOut,
            responses=errors(401, 404, 413, 422))  # fmt: skip
async def update_material(material_id: MaterialId, body: MaterialEdit,
                          auth: CurrentCoordinator, db: Db, now: Now) -> object:  # fmt: skip
    """Correct a material; every client of the session gets the new one on its next sync."""
    return _ok(await db.write(materials.update_material, auth, material_id, body, now))


@router.delete("/{material_id}", response_model=MaterialWithdrawn,
               responses=errors(401, 404, 422))  # fmt: skip
async def withdraw_material(material_id: MaterialId, auth: CurrentCoordinator, db: Db,
                            now: Now) -> object:  # fmt: skip
    """Withdraw a material: it leaves every client on their next sync."""
    return _ok(await db.write(materials.withdraw_material, auth, material_id, now))
