"""Who is signed in, the program's team (admin: invite, change a role, disable), your
own password and sessions, and the program's settings (admin to change)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response

from sync.protocol_accounts import (
    Account,
    AccountChange,
    Invitation,
    InviteIn,
    Me,
    PasswordChange,
    ProgramSettings,
    SessionOut,
)
from sync.server import accounts, sessions, signin
from sync.server.api.deps import AppSettings, CurrentAdmin, CurrentCoordinator, Db, Now, Remote
from sync.server.api.raw import bearer, errors
from sync.server.security import digest, hash_password
from sync.wire import MAX_INT

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


AccountId = Annotated[int, Path(ge=1, le=MAX_INT)]
STATUS = {"missing": 404, "taken": 409, "self": 409, "last_admin": 409, "role": 422}


def _refused(problem: accounts.AccountProblem) -> HTTPException:
    return HTTPException(STATUS[problem.code], problem.message)


def base_url(request: Request, public_url: str) -> str:
    """Where links point: the configured public URL, else this request's."""
    return (public_url or str(request.base_url)).rstrip("/")


def on_invite(request: Request) -> accounts.OnInvite | None:
    """The app's invitation hook (``app.state.on_invite``: the mail queue), if any."""
    return getattr(request.app.state, "on_invite", None)


@router.post("/accounts", status_code=201, response_model=Invitation,
             responses=errors(401, 403, 409, 413, 422))  # fmt: skip
async def invite(body: InviteIn, auth: CurrentAdmin, db: Db, now: Now, request: Request,
                 settings: AppSettings) -> Invitation:  # fmt: skip
    """Invite a coordinator (admin): a one-time link, valid 72 hours, that lets them
    choose a password. The answer is the only time the link is shown."""
    try:
        made = await db.write(accounts.invite, auth, body.email, body.role, now,
                              base_url(request, settings.public_url),
                              on_invite=on_invite(request))  # fmt: skip
    except accounts.AccountProblem as exc:
        raise _refused(exc) from None
    log.info("coordinator %s invited a coordinator", auth.coordinator_id)
    return Invitation(email=made.email, role=made.role, url=made.url,  # type: ignore[arg-type]
                      expires_at=made.expires_at)  # fmt: skip


@router.put("/accounts/{account_id}", response_model=Account,
            responses=errors(401, 403, 404, 409, 413, 422))  # fmt: skip
async def change_account(account_id: AccountId, body: AccountChange, auth: CurrentAdmin,
                         db: Db, now: Now) -> Account:  # fmt: skip
    """Change an account (admin): its role, or disable it (it cannot sign in and its
    sessions end at once) or enable it. 409 when it would leave the program without an
    admin, or disable your own account."""
    try:
        return await db.write(accounts.change_account, auth, account_id, body.role,
                              body.disabled, now)  # fmt: skip
    except accounts.AccountProblem as exc:
        raise _refused(exc) from None


@router.put("/password", status_code=204, responses=errors(400, 401, 413, 422, 429))
async def change_password(body: PasswordChange, auth: CurrentCoordinator, db: Db, now: Now,
                          request: Request, settings: AppSettings,
                          remote: Remote) -> Response:  # fmt: skip
    """Change your own password (the current one is required, checked through the
    sign-in throttle: wrong ones count as failed sign-ins); your other sessions end."""
    checked = await signin.verify_password(db, auth, body.current, remote, now, settings)
    if isinstance(checked, signin.Throttled):
        raise HTTPException(429, checked.detail, headers={"Retry-After": str(checked.retry_after)})
    if not checked:
        raise HTTPException(400, "the current password is wrong")
    hashed = await asyncio.to_thread(hash_password, body.new)
    token_hash = digest(bearer(request.headers.get("authorization")) or "")
    await db.write(sessions.set_own_password, auth, token_hash, hashed, now)
    return Response(status_code=204)


@router.get("/sessions", response_model=list[SessionOut], responses=errors(401))
async def list_sessions(auth: CurrentCoordinator, db: Db, now: Now, request: Request,
                        settings: AppSettings) -> list[SessionOut]:  # fmt: skip
    """Your live sessions, most recently used first (``current``: this token's)."""
    token_hash = digest(bearer(request.headers.get("authorization")) or "")
    return await db.read(sessions.own_sessions, auth, token_hash, now, settings.idle_minutes)
