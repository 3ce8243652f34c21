"""Shared dependencies of the dashboard routes: the signed-in coordinator (from the session
cookie) and CSRF-checked form data.

A missing or expired session sends the browser to the sign-in page (303), remembering
where it was going. A POST whose CSRF token does not match its session is refused (403)
before the route runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException
from starlette.datastructures import FormData
from starlette.requests import Request

from companion.domain.attendance import Policy
from sync.server import signin
from sync.server.security import digest
from sync.server.settings import Settings
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth, ProgramRow
from sync.server.storage.runner import Database
from sync.server.web import forms
from sync.server.web.errors import PageError
from sync.server.web.security import CSRF_FIELD, SESSION_COOKIE, csrf_token, csrf_valid


@dataclass(frozen=True, slots=True)
class Coordinator:
    """The signed-in coordinator, their program, and their session's CSRF token."""

    auth: CoordinatorAuth
    program: ProgramRow
    session: str
    new_count: int = 0  # the program's new notices when the session was read

    @property
    def email(self) -> str:
        return self.auth.email

    @property
    def is_admin(self) -> bool:
        return self.auth.is_admin

    @property
    def csrf(self) -> str:
        return csrf_token(self.session)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.program.timezone)

    @property
    def policy(self) -> Policy:
        return Policy(
            threshold=self.program.threshold, unexcused_limit=self.program.unexcused_limit
        )


def database(request: Request) -> Database:
    return request.app.state.db


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def now(request: Request) -> datetime:
    """The server's clock (tests freeze it through the app)."""
    return request.app.state.clock()


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to go back to (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def coordinator_for(request: Request, token: str) -> Coordinator | None:
    """The coordinator whose live session ``token`` is, or None."""
    if not token:
        return None
    at, idle, token_hash = now(request), settings_of(request).idle_minutes, digest(token)

    def lookup(tx: Tx) -> tuple[CoordinatorAuth, ProgramRow, int] | None:
        auth = signin.authenticate(tx, token_hash, at, idle)
        program = tx.program(auth.program_id) if auth else None
        if not auth or not program:
            return None
        return auth, program, tx.count_new_notices(program.id)

    found = await database(request).read(lookup)
    if found is None:
        return None
    await signin.touch(database(request), found[0], token_hash, at)
    address = request.client.host if request.client else "unknown"
    return Coordinator(replace(found[0], address=address), found[1], token, found[2])


async def current_coordinator(request: Request) -> Coordinator:
    """The signed-in coordinator. Without a live session a GET goes to the sign-in page
    (and back once signed in); a POST answers the sign-in page itself, carrying what was
    typed, so that nothing is lost and no browser is sent to GET a POST-only URL."""
    who = await coordinator_for(request, request.cookies.get(SESSION_COOKIE, ""))
    if who is not None:
        return who
    if request.method == "POST":
        fields = forms.typed_fields((await request.form()).multi_items())
        action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise forms.SignedOutPost(action, fields, forms.back_of(request, fields))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(
        status_code=303,
        detail="sign in first",
        headers={"Location": "/signin?next=" + quote(target, safe="")},
    )


SignedIn = Annotated[Coordinator, Depends(current_coordinator)]

ADMINS_ONLY = "This page is for your program's admins. Ask one of them if you need it."


async def current_admin(who: SignedIn) -> Coordinator:
    """The signed-in coordinator when they are an admin; the 403 page otherwise."""
    if not who.auth.is_admin:
        raise PageError(403, who, "Admins only", ADMINS_ONLY)
    return who


AdminSignedIn = Annotated[Coordinator, Depends(current_admin)]


async def checked_form(request: Request, who: SignedIn) -> FormData:
    """The POSTed form, once its CSRF token is known to belong to this session."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not csrf_valid(who.session, token if isinstance(token, str) else None):
        fields = forms.typed_fields(form.multi_items())
        action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise forms.StaleForm(who, action, fields, forms.back_of(request, fields))
    if any(isinstance(v, str) and "\x00" in v for v in form.values()):
        nul = "The form holds a character that cannot be stored (NUL): remove it."
        raise PageError(422, who, "Check what you entered", nul)
    return form


Form = Annotated[FormData, Depends(checked_form)]
