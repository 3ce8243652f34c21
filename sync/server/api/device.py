"""DELETE /v1/device: the calling device leaves the program (`companion erase`).

Scoped by the device token, so a device can only ever remove itself. Its token and its
calendar feed stop working at once; the client, their notices and their other devices
stay (they are the program's record, which a coordinator keeps or erases).
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import DeviceRemoved
from sync.server import core
from sync.server.api.deps import CurrentClient, Db, Now
from sync.server.api.raw import errors

router = APIRouter(prefix="/v1/device", tags=["client"])


@router.delete("", response_model=DeviceRemoved, responses=errors(401))
async def remove_device(auth: CurrentClient, db: Db, now: Now) -> DeviceRemoved:
    """Remove this device: its token and calendar feed stop working (a second call is a
    401, like any revoked token)."""
    await db.write(core.remove_device, auth, now)
    return DeviceRemoved(removed=True)
