"""The program's series: list, create, replace, delete, cancel one session."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, HTTPException, Path

from sync.protocol import CancelIn, SeriesRemoved, SeriesWire
from sync.server import coordinator, core
from sync.server.api.deps import CurrentCoordinator, Db, Now
from sync.server.api.raw import errors

router = APIRouter(prefix="/v1/coordinator/series", tags=["coordinator"])
Uid = Path(min_length=1, max_length=255)


def _ok(result: object) -> object:
    if isinstance(result, core.NotFound):
        raise HTTPException(404, result.detail)
    if isinstance(result, coordinator.Exists):
        raise HTTPException(409, result.detail)
    if isinstance(result, coordinator.Invalid):
        raise HTTPException(422, result.detail)
    return result


@router.get("", response_model=list[SeriesWire], responses=errors(401))
async def list_series(auth: CurrentCoordinator, db: Db) -> list[SeriesWire]:
    return await db.read(coordinator.list_series, auth)


@router.post("", status_code=201, response_model=SeriesWire, responses=errors(401, 409, 413, 422))
async def create_series(body: SeriesWire, auth: CurrentCoordinator, db: Db, now: Now) -> object:
    """Add a series to the program; every client receives it through the changes feed."""
    return _ok(await db.write(partial(coordinator.save_series, create=True), auth, body, now))


@router.put("/{uid}", response_model=SeriesWire, responses=errors(401, 404, 413, 422))
async def replace_series(body: SeriesWire, auth: CurrentCoordinator, db: Db, now: Now,
                         uid: str = Uid) -> object:  # fmt: skip
    """Replace a series; its SEQUENCE rises when anything calendars show changed."""
    if body.uid != uid:
        raise HTTPException(422, "uid: the body's uid must match the path")
    return _ok(await db.write(partial(coordinator.save_series, create=False), auth, body, now))


@router.delete("/{uid}", response_model=SeriesRemoved, responses=errors(401, 404, 422))
async def delete_series(auth: CurrentCoordinator, db: Db, now: Now, uid: str = Uid) -> object:
    return _ok(await db.write(coordinator.delete_series, auth, uid, now))


@router.post("/{uid}/cancel", response_model=SeriesWire, responses=errors(401, 404, 413, 422))
async def cancel(body: CancelIn, auth: CurrentCoordinator, db: Db, now: Now,
                 uid: str = Uid) -> object:  # fmt: skip
    """Call off the session that starts at ``original_start``."""
    return _ok(await db.write(coordinator.cancel_occurrence, auth, uid, body.original_start, now))
