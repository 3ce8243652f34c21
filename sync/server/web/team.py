"""The team page's actions (admin): invite a coordinator, issue a reset link, change a
role, disable (after a confirmation page) and enable an account. Each POST redirects
back to /team (POST/redirect/GET); a new link is shown there once (``shown_link``).
The work and its audit entries are ``sync.server.accounts``."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.protocol_accounts import EMAIL
from sync.server import accounts
from sync.server.api.coordinator_accounts import base_url, on_invite
from sync.server.web import forms, shown_link
from sync.server.web.accounts import team_page
from sync.server.web.deps import AdminSignedIn, Form, database, now, settings_of
from sync.server.web.present import when
from sync.server.web.render import not_found
from sync.wire import MAX_INT

router = APIRouter()
BAD_EMAIL = "Give a whole email address (name@example.org) and a role."
AccountId = Annotated[int, Path(ge=1, le=MAX_INT)]
FLASH = {"missing": "noaccount", "taken": "taken", "self": "self", "last_admin": "lastadmin",
         "role": "bademail"}  # fmt: skip


def _back(done: str) -> Response:
    return RedirectResponse(f"/team?done={done}", status_code=303)


def _refused(request: Request, who: AdminSignedIn, exc: accounts.AccountProblem) -> Response:
    """Another program's account looks exactly like a missing one: 404."""
    if exc.code == "missing":
        return not_found(request, who, "account")
    return _back(FLASH[exc.code])


def _with_link(request: Request, who: AdminSignedIn, made: accounts.IssuedLink,
               what: str, done: str) -> Response:  # fmt: skip
    response = _back(done)
    expires = when(made.expires_at, who.tz)
    shown_link.show_once(response, request, what, made.email, made.url, expires)
    return response


@router.post("/team/invite", name="web_team_invite", include_in_schema=False)
async def invite(request: Request, who: AdminSignedIn, form: Form) -> Response:
    email = str(form.get("email", "")).strip()[:254]
    role = str(form.get("role", "coordinator"))
    typed = {"email": email, "role": role if role in accounts.ROLES else "coordinator"}
    if not 3 <= len(email) <= 254 or not re.match(EMAIL, email) or role not in accounts.ROLES:
        return await team_page(request, who, error=BAD_EMAIL, typed=typed, status=422)
    try:
        made = await database(request).write(
            accounts.invite, who.auth, email, role, now(request),
            base_url(request, settings_of(request).public_url), on_invite=on_invite(request),
        )  # fmt: skip
    except accounts.AccountProblem as exc:
        return await team_page(request, who, error=exc.message, typed=typed, status=409)
    return _with_link(request, who, made, "invitation", "invited")


@router.post("/team/{account_id}/reset", name="web_team_reset", include_in_schema=False)
async def reset(request: Request, who: AdminSignedIn, form: Form,
                account_id: AccountId) -> Response:  # fmt: skip
    try:
        made = await database(request).write(
            accounts.reset_link, who.auth, account_id, now(request),
            base_url(request, settings_of(request).public_url),
        )  # fmt: skip
    except accounts.AccountProblem as exc:
        return _refused(request, who, exc)
    return _with_link(request, who, made, "reset link", "resetlink")


@router.post("/team/{account_id}/role", name="web_team_role", include_in_schema=False)
async def role(request: Request, who: AdminSignedIn, form: Form,
               account_id: AccountId) -> Response:  # fmt: skip
    new_role = str(form.get("role", ""))
    try:
        await database(request).write(accounts.set_role, who.auth, account_id, new_role,
                                      now(request))  # fmt: skip
    except accounts.AccountProblem as exc:
        return _refused(request, who, exc)
    return _back("role")


@router.get("/team/{account_id}/disable", name="web_team_disable_ask", include_in_schema=False)
async def disable_ask(request: Request, who: AdminSignedIn, account_id: AccountId) -> Response:
    target = await database(request).read(lambda tx: tx.account_of(who.program.id, account_id))
    if target is None:
        return not_found(request, who, "account")
    return _confirm(request, who, account_id, target.email)


def _confirm(request: Request, who: AdminSignedIn, account_id: int, email: str) -> Response:
    return forms.confirm_page(
        request, who, title=f"Disable {email}?", section="team",
        message=f"{email} is signed out everywhere at once and cannot sign in until an admin "
        "enables the account again.",
        detail="Their replies and the audit trail keep their name.",
        action=f"/team/{account_id}/disable", button="Disable the account", cancel="/team",
    )  # fmt: skip


@router.post("/team/{account_id}/disable", name="web_team_disable", include_in_schema=False)
async def disable(request: Request, who: AdminSignedIn, form: Form,
                  account_id: AccountId) -> Response:  # fmt: skip
    db = database(request)
    if not forms.confirmed(form):
        target = await db.read(lambda tx: tx.account_of(who.program.id, account_id))
        if target is None:
            return not_found(request, who, "account")
        return _confirm(request, who, account_id, target.email)
    try:
        await db.write(accounts.set_disabled, who.auth, account_id, True, now(request))
    except accounts.AccountProblem as exc:
        return _refused(request, who, exc)
    return _back("disabled")


@router.post("/team/{account_id}/enable", name="web_team_enable", include_in_schema=False)
async def enable(request: Request, who: AdminSignedIn, form: Form,
                 account_id: AccountId) -> Response:  # fmt: skip
    try:
        await database(request).write(accounts.set_disabled, who.auth, account_id, False,
                                      now(request))  # fmt: skip
    except accounts.AccountProblem as exc:
        return _refused(request, who, exc)
    return _back("enabled")
