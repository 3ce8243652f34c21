"""Sign-in and sign-out for coordinators (accounts from `companion-server create-coordinator`).

The password check, the throttle and the session itself are the server's sign-in layer
(``accounts.login``), shared with ``POST /v1/coordinator/login``; this adds the browser's
side: the session cookie and CSRF on the sign-in form (bound to a pre-session cookie).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import signin as accounts
from sync.server.security import digest
from sync.server.throttle import minutes
from sync.server.web import forms
from sync.server.web.deps import (
    Form,
    SignedIn,
    database,
    now,
    safe_next,
    settings_of,
)
from sync.server.web.render import page
from sync.server.web.security import (
    CSRF_FIELD,
    PRE_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    csrf_token,
    csrf_valid,
    new_seed,
    set_cookie,
)

router = APIRouter()
PRE_COOKIE_AGE = timedelta(hours=1)


def _refusal(result: accounts.Throttled | accounts.BadLogin) -> str:
    """What the form says when it refuses a sign-in."""
    if isinstance(result, accounts.BadLogin) and not result.locked:
        return "Wrong email or password."
    reason = result.reason if isinstance(result, accounts.Throttled) else "pair"
    if reason == "address":
        return "Too many failed sign-ins from this address; try again later."
    if reason == "pair":
        return (
            "Too many failed sign-ins to this account from here: it is locked on this "
            f"device for {minutes(result.retry_after)}. Your program's admin can send you "
            "a reset link."
        )
    return (
        "This account has had many failed sign-ins from elsewhere: wait "
        f"{result.retry_after} seconds, then sign in again."
    )


def signin_page(
    request: Request, *, next_: str, email: str = "", error: str = "", status: int = 200,
    resume_action: str = "", resume: str = "",
) -> Response:  # fmt: skip
    """The sign-in form; ``resume_action``/``resume``: a form the session ended under,
    sent again (to be checked first) once signed in."""
    seed = request.cookies.get(PRE_COOKIE) or new_seed()
    response = page(
        request,
        "signin.html",
        None,
        status=status,
        page_title="Sign in",
        csrf=csrf_token(seed),
        next=next_,
        email=email,
        error=error,
        resume_action=forms.safe_action(resume_action) or "",
        resume=resume if forms.safe_action(resume_action) else "",
    )
    set_cookie(response, request, PRE_COOKIE, seed, PRE_COOKIE_AGE)
    return response


@router.get("/", name="web_home", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/signin", name="web_signin_form", include_in_schema=False)
async def signin_form(request: Request) -> Response:
    return signin_page(request, next_=safe_next(request.query_params.get("next"), "/inbox"))


@router.post("/signin", name="web_signin", include_in_schema=False)
async def signin(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1000]
    next_ = safe_next(str(form.get("next", "")), "/inbox")
    resume_action = forms.safe_action(str(form.get("resume_action", ""))) or ""
    resume = str(form.get("resume", ""))[: forms.MAX_RESUME] if resume_action else ""
    token = form.get(CSRF_FIELD)
    if not csrf_valid(request.cookies.get(PRE_COOKIE), token if isinstance(token, str) else None):
        return signin_page(
            request,
            next_=next_,
            email=email,
            status=403,
            error="This form has expired; please sign in again.",
            resume_action=resume_action,
            resume=resume,
        )
    db, settings, at = database(request), settings_of(request), now(request)
    remote = request.client.host if request.client else "unknown"
    result = await accounts.login(db, email, password, remote, at, settings)
    if isinstance(result, accounts.Throttled | accounts.BadLogin):
        locked = isinstance(result, accounts.Throttled) or result.locked
        return signin_page(
            request,
            next_=next_,
            email=email,
            error=_refusal(result),
            status=429 if locked else 401,
            resume_action=resume_action,
            resume=resume,
        )
    fields = forms.resumed_fields(resume)
    if resume_action and fields:  # what the ended session was sending: check, send again
        response = RedirectResponse("/resume", status_code=303)
        forms.keep_for_resume(response, request, resume_action, fields, next_)
    else:
        response = RedirectResponse(next_, status_code=303)
    set_cookie(response, request, SESSION_COOKIE, result.token, result.expires_at - at)
    clear_cookie(response, request, PRE_COOKIE)
    return response


@router.get("/resume", name="web_resume", include_in_schema=False)
async def resume_form(request: Request, who: SignedIn) -> Response:
    """The form a session ended under, filled in, to send again (after sign-in)."""
    kept = forms.kept_for_resume(request)
    if kept is None:
        return RedirectResponse("/inbox", status_code=303)
    action, fields, back = kept
    response = forms.resend_page(request, who, action, fields, back, forms.RESUME, 200)
    forms.forget_resume(response, request)
    return response


@router.post("/signout", name="web_signout", include_in_schema=False)
async def signout(request: Request, who: SignedIn, _form: Form) -> Response:
    await database(request).write(accounts.logout, who.auth, digest(who.session), now(request))
    response = RedirectResponse("/signin?done=signedout", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response
