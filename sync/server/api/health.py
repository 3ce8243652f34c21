"""GET /healthz: the process is up and its database answers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from sync.server.api.deps import Db
from sync.server.storage.repo import Tx

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


def _ping(tx: Tx) -> None:
    tx.raw.execute("SELECT 1").fetchone()


@router.get("/healthz", response_model=Health)
async def healthz(db: Db) -> Health:
    await db.read(_ping)
    return Health(status="ok")
