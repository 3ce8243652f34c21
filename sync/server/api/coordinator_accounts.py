"""Who is signed in, the program's team (admin) and the program's settings (admin to
change)."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from sync.protocol_accounts import Account, Me, ProgramSettings
from sync.server import accounts
from sync.server.api.deps import CurrentAdmin, CurrentCoordinator, Db, Now
from sync.server.api.raw import errors

log = logging.getLogger("companion.server")
router = APIRouter(prefix="/v1/coordinator", tags=["coordinator"])


@router.get("/me", response_model=Me, responses=errors(401))
async def me(auth: CurrentCoordinator, db: Db) -> Me:
    """The signed-in coordinator: email, role and program."""
    return await db.read(accounts.me, auth)


@router.get("/accounts", response_model=list[Account], responses=errors(401, 403))
async def list_accounts(auth: CurrentAdmin, db: Db) -> list[Account]:
    """The program's coordinator accounts (admin)."""
    return await db.read(accounts.team, auth)


@router.get("/program", response_model=ProgramSettings, responses=errors(401))
async def get_program(auth: CurrentCoordinator, db: Db) -> ProgramSettings:
    """The program's settings."""
    return await db.read(accounts.program_settings, auth)


@router.put("/program", response_model=ProgramSettings, responses=errors(401, 403, 413, 422))
async def put_program(body: ProgramSettings, auth: CurrentAdmin, db: Db,
                      now: Now) -> ProgramSettings:  # fmt: skip
    """Change the program's settings (admin): today, whether calendar feeds are discreet
    by default (devices that made no choice of their own follow at their next fetch)."""
    result = await db.write(accounts.set_program_settings, auth, body, now)
    log.info("program settings changed by coordinator %s", auth.coordinator_id)
    return result
