"""Sign-in and sign-out for coordinators (accounts from `companion-server create-coordinator`).

The password check, its per-address rate limit and the session itself are the server's
coordinator layer (``coordinator.login``); this adds the browser's side: the session
cookie, CSRF on the sign-in form (bound to a pre-session cookie), and a lock-out of the
account after repeated failed sign-ins, whoever makes them.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import coordinator as ops
from sync.server.core import RateLimited
from sync.server.security import digest
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp
from sync.server.web.deps import Form, SignedIn, database, now, safe_next, settings_of
from sync.server.web.render import page
from sync.server.web.security import (
    CSRF_FIELD,
    LOCKOUT_ATTEMPTS,
    LOCKOUT_WINDOW,
    PRE_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    csrf_token,
    csrf_valid,
    lockout_key,
    new_seed,
    set_cookie,
)

router = APIRouter()
SIGNIN_SCOPE = "signin"
LOCKED = (
    f"Too many failed sign-ins for this account: it is locked for "
    f"{int(LOCKOUT_WINDOW.total_seconds() // 60)} minutes."
)


def _signin_page(
    request: Request, *, next_: str, email: str = "", error: str = "", status: int = 200
) -> Response:
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
    )
    set_cookie(response, request, PRE_COOKIE, seed, LOCKOUT_WINDOW * 4)
    return response


@router.get("/", name="web_home", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/signin", name="web_signin_form", include_in_schema=False)
async def signin_form(request: Request) -> Response:
    return _signin_page(request, next_=safe_next(request.query_params.get("next"), "/inbox"))


@router.post("/signin", name="web_signin", include_in_schema=False)
async def signin(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1000]
    next_ = safe_next(str(form.get("next", "")), "/inbox")
    token = form.get(CSRF_FIELD)
    if not csrf_valid(request.cookies.get(PRE_COOKIE), token if isinstance(token, str) else None):
        return _signin_page(
            request,
            next_=next_,
            email=email,
            status=403,
            error="This form has expired; please sign in again.",
        )
    db, settings, at = database(request), settings_of(request), now(request)
    account = lockout_key(email)
    since = stamp(at - LOCKOUT_WINDOW)

    def failures(tx: Tx) -> int:
        return tx.failures_since(SIGNIN_SCOPE, account, since)

    if await db.read(failures) >= LOCKOUT_ATTEMPTS:
        return _signin_page(request, next_=next_, email=email, error=LOCKED, status=429)
    remote = request.client.host if request.client else "unknown"
    result = await ops.login(db, email, password, remote, at, settings)
    if isinstance(result, RateLimited):
        return _signin_page(
            request,
            next_=next_,
            email=email,
            status=429,
            error="Too many failed sign-ins from this address; try again later.",
        )
    if isinstance(result, ops.BadLogin):
        prune = stamp(at - 2 * max(LOCKOUT_WINDOW, settings.attempts_window))

        def fail(tx: Tx) -> int:
            tx.add_failure(SIGNIN_SCOPE, account, stamp(at), prune)
            return tx.failures_since(SIGNIN_SCOPE, account, since)

        count = await db.write(fail)
        error = LOCKED if count >= LOCKOUT_ATTEMPTS else "Wrong email or password."
        return _signin_page(
            request,
            next_=next_,
            email=email,
            error=error,
            status=429 if count >= LOCKOUT_ATTEMPTS else 401,
        )
    response = RedirectResponse(next_, status_code=303)
    set_cookie(response, request, SESSION_COOKIE, result.token, result.expires_at - at)
    clear_cookie(response, request, PRE_COOKIE)
    return response


@router.post("/signout", name="web_signout", include_in_schema=False)
async def signout(request: Request, who: SignedIn, _form: Form) -> Response:
    token_hash = digest(who.session)
    await database(request).write(lambda tx: tx.delete_session(token_hash))
    response = RedirectResponse("/signin?done=signedout", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response
