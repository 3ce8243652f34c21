"""Shared route dependencies as ``Annotated`` aliases: ``Db``, ``AppSettings``, ``Now``,
``CurrentClient``, ``CurrentCoordinator`` (any role) and ``CurrentAdmin`` (role admin:
403 for a coordinator)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.server import signin
from sync.server.security import digest
from sync.server.settings import Settings
from sync.server.storage.repo import DeviceAuth, Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.runner import Database

device_scheme = HTTPBearer(
    scheme_name="DeviceToken", auto_error=False, description="the token from POST /v1/enroll"
)
coordinator_scheme = HTTPBearer(
    scheme_name="CoordinatorToken",
    auto_error=False,
    description="the token from POST /v1/coordinator/login",
)


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_now(request: Request) -> datetime:
    return request.app.state.clock()


def remote_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Now = Annotated[datetime, Depends(get_now)]
Remote = Annotated[str, Depends(remote_address)]


def _device(tx: Tx, token_hash: str) -> DeviceAuth | None:
    return tx.device_by_token(token_hash)


async def current_client(
    db: Db, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(device_scheme)]
) -> DeviceAuth:
    auth = await db.read(_device, digest(creds.credentials)) if creds else None
    if auth is None:
        raise HTTPException(401, "missing, unknown or revoked token",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return auth


async def current_coordinator(
    db: Db, now: Now, remote: Remote, settings: AppSettings,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(coordinator_scheme)],
) -> CoordinatorAuth:  # fmt: skip
    auth = None
    if creds:
        token_hash = digest(creds.credentials)
        auth = await db.read(signin.authenticate, token_hash, now, settings.idle_minutes)
        if auth is not None:
            await signin.touch(db, auth, token_hash, now)
    if auth is None:
        raise HTTPException(401, "missing, expired or unknown coordinator token",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return replace(auth, address=remote)  # what the audit trail says it came from


CurrentClient = Annotated[DeviceAuth, Depends(current_client)]
CurrentCoordinator = Annotated[CoordinatorAuth, Depends(current_coordinator)]

NOT_ADMIN = "this needs an admin account of the program"


async def current_admin(auth: CurrentCoordinator) -> CoordinatorAuth:
    if not auth.is_admin:
        raise HTTPException(403, NOT_ADMIN)
    return auth


CurrentAdmin = Annotated[CoordinatorAuth, Depends(current_admin)]
