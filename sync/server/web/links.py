"""The pages one-time account links open, without a session: set a new password (a
reset link), or choose one for a new account (an invitation: it signs the invitee in).
The link's token is the proof; the form's CSRF token is bound to a pre-session cookie,
as on the sign-in page."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import audit, links, sessions
from sync.server.security import digest, hash_password, new_token
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp
from sync.server.web.auth import PRE_COOKIE_AGE
from sync.server.web.deps import database, now, settings_of
from sync.server.web.render import page
from sync.server.web.security import (
    PRE_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    csrf_token,
    csrf_valid,
    new_seed,
    set_cookie,
)

router = APIRouter()
GONE = "This link no longer works: it was used, it expired, or it is not whole. Ask your " \
       "program's admin for a new one."  # fmt: skip


def _form(request: Request, token: str, email: str, error: str = "", status: int = 200,
          purpose: str = links.RESET) -> Response:  # fmt: skip
    seed = request.cookies.get(PRE_COOKIE) or new_seed()
    title = "Choose your password" if purpose == links.INVITE else "Set a password"
    response = page(request, "password.html", None, status=status, page_title=title,
                    csrf=csrf_token(seed), email=email, error=error,
                    invite=purpose == links.INVITE,
                    action=f"/{purpose}/{token}")  # fmt: skip
    set_cookie(response, request, PRE_COOKIE, seed, PRE_COOKIE_AGE)
    return response


def _gone(request: Request) -> Response:
    return page(request, "error.html", None, status=404, page_title="Link not valid",
                message=GONE)  # fmt: skip


def _email_of(tx: Tx, token: str, at: str) -> str | None:
    found = tx.account_token(digest(token), links.RESET, at)
    if found is None or found["coordinator_id"] is None:
        return None
    rows = [a for a in tx.accounts_of(found["program_id"]) if a.id == found["coordinator_id"]]
    return rows[0].email if rows else None


@router.get("/reset/{token}", name="web_reset_form", include_in_schema=False)
async def reset_form(request: Request, token: str) -> Response:
    email = await database(request).read(_email_of, token[:100], stamp(now(request)))
    return _gone(request) if email is None else _form(request, token, email)


@router.post("/reset/{token}", name="web_reset", include_in_schema=False)
async def reset(request: Request, token: str) -> Response:
    form = await request.form()
    at, db = now(request), database(request)
    email = await db.read(_email_of, token[:100], stamp(at))
    if email is None:
        return _gone(request)
    sent = form.get("csrf")
    if not csrf_valid(request.cookies.get(PRE_COOKIE), sent if isinstance(sent, str) else None):
        return _form(request, token, email, "This form had expired: type the password again.", 403)
    password, again = str(form.get("password", "")), str(form.get("password_again", ""))
    problem = links.password_problem(password, again)
    if problem:
        return _form(request, token, email, problem, 422)
    hashed = await asyncio.to_thread(hash_password, password)
    remote = request.client.host if request.client else "unknown"

    def use(tx: Tx) -> Any:
        found = tx.claim_account_token(digest(token), links.RESET, stamp(at))
        if found is None or found["coordinator_id"] is None:
            return None
        cid = found["coordinator_id"]
        tx.set_password(cid, hashed)
        ended = tx.end_sessions(cid)
        who = audit.Actor("coordinator", cid, email, found["program_id"], remote)
        audit.record(tx, who, "account.password", at, target=f"account {cid}",
                     detail=f"reset link; {ended} session(s) ended")  # fmt: skip
        return cid

    if await db.write(use) is None:
        return _gone(request)
    return RedirectResponse("/signin?done=password", status_code=303)


def _invited_email(tx: Tx, token: str, at: str) -> str | None:
    found = tx.account_token(digest(token), links.INVITE, at)
    if found is None or not found["email"] or tx.email_taken(found["email"]):
        return None
    return found["email"]


@router.get("/invite/{token}", name="web_invite_form", include_in_schema=False)
async def invite_form(request: Request, token: str) -> Response:
    email = await database(request).read(_invited_email, token[:100], stamp(now(request)))
    if email is None:
        return _gone(request)
    return _form(request, token, email, purpose=links.INVITE)


@router.post("/invite/{token}", name="web_invite", include_in_schema=False)
async def accept_invite(request: Request, token: str) -> Response:
    """Create the invited account with the chosen password and sign it in."""
    form = await request.form()
    at, db, settings = now(request), database(request), settings_of(request)
    email = await db.read(_invited_email, token[:100], stamp(at))
    if email is None:
        return _gone(request)
    sent = form.get("csrf")
    if not csrf_valid(request.cookies.get(PRE_COOKIE), sent if isinstance(sent, str) else None):
        return _form(request, token, email, "This form had expired: type the password again.",
                     403, links.INVITE)  # fmt: skip
    password, again = str(form.get("password", "")), str(form.get("password_again", ""))
    problem = links.password_problem(password, again)
    if problem:
        return _form(request, token, email, problem, 422, links.INVITE)
    hashed = await asyncio.to_thread(hash_password, password)
    remote = request.client.host if request.client else "unknown"
    accepted = await db.write(sessions.accept_invite, token[:100], hashed, at, remote,
                              new_token(), settings.session_hours)  # fmt: skip
    if accepted is None:
        return _gone(request)
    response = RedirectResponse("/inbox?done=welcome", status_code=303)
    set_cookie(response, request, SESSION_COOKIE, accepted.token, accepted.expires_at - at)
    clear_cookie(response, request, PRE_COOKIE)
    return response
