"""GET and PUT /v1/preferences: the calling device's choices (today: a discreet feed).

Per device, because each device has its own calendar feed; scoped by the device token,
so a device can only ever read or change its own.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import Preferences, PreferencesIn
from sync.server import feed
from sync.server.api.deps import CurrentClient, Db, Now
from sync.server.api.raw import errors

router = APIRouter(prefix="/v1/preferences", tags=["client"])


@router.get("", response_model=Preferences, responses=errors(401))
async def get_preferences(auth: CurrentClient, db: Db) -> Preferences:
    """This device's preferences, the program's default, and what its feed serves."""
    return await db.read(feed.preferences, auth)


@router.put("", response_model=Preferences, responses=errors(401, 413, 422))
async def put_preferences(body: PreferencesIn, auth: CurrentClient, db: Db,
                          now: Now) -> Preferences:  # fmt: skip
    """Choose this device's calendar feed: discreet (true), session titles (false) or the
    program's default (null). The feed's ETag changes when what it serves does."""
    return await db.write(feed.set_preferences, auth, body.discreet, now)
