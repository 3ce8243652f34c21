"""Coordinator sign-in: POST /v1/coordinator/login and /logout."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request

from sync.protocol import CoordinatorLogin, CoordinatorToken
from sync.server import signin
from sync.server.api.deps import AppSettings, CurrentCoordinator, Db, Now, Remote
from sync.server.api.raw import bearer, errors
from sync.server.security import digest

log = logging.getLogger("companion.server")
router = APIRouter(prefix="/v1/coordinator", tags=["coordinator"])


@router.post("/login", response_model=CoordinatorToken, responses=errors(401, 413, 422, 429))
async def login(body: CoordinatorLogin, db: Db, settings: AppSettings, now: Now,
                remote: Remote) -> CoordinatorToken:  # fmt: skip
    """Exchange email and password for a bearer token.

    The same throttle as the dashboard's sign-in form, across server processes: failures
    per (account, address) lock that pair, failures per address stop that address, and
    an account under attack is slowed down for addresses it does not usually use (429
    with ``Retry-After``)."""
    result = await signin.login(db, body.email, body.password, remote, now, settings)
    if isinstance(result, signin.Throttled):
        log.info("coordinator login throttled (%s) from %s", result.reason, remote)
        raise HTTPException(429, result.detail, headers={"Retry-After": str(result.retry_after)})
    if isinstance(result, signin.BadLogin):
        log.info("coordinator login refused from %s", remote)
        if result.locked:
            raise HTTPException(429, result.detail,
                                headers={"Retry-After": str(result.retry_after)})  # fmt: skip
        raise HTTPException(401, result.detail)
    return result


@router.post("/logout", status_code=204, responses=errors(401))
async def logout(auth: CurrentCoordinator, request: Request, db: Db, now: Now) -> None:
    """End this token's session."""
    token = bearer(request.headers.get("authorization")) or ""
    await db.write(signin.logout, auth, digest(token), now)
    log.info("coordinator %s logged out", auth.coordinator_id)
