"""Browser-facing security for the dashboard: session cookies, CSRF tokens, lock-out policy.

The session cookie holds the coordinator session token the server's coordinator layer
issues (stored there only as a hash). Every form carries a CSRF token derived from the
cookie it must travel with, so a page on another site, which cannot read the cookie,
cannot make a valid token. Before sign-in a random pre-session cookie plays that part.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "companion_session"
PRE_COOKIE = "companion_pre"
CSRF_FIELD = "csrf"


def csrf_token(seed: str) -> str:
    """The CSRF token that goes with the cookie value ``seed``."""
    return hmac.new(b"companion-dashboard-csrf", seed.encode(), hashlib.sha256).hexdigest()


def csrf_valid(seed: str | None, token: str | None) -> bool:
    """True when ``token`` is the CSRF token of ``seed`` (constant-time)."""
    if not seed or not token:
        return False
    return hmac.compare_digest(csrf_token(seed), token)


def new_seed() -> str:
    return secrets.token_urlsafe(32)


def is_https(request: Request) -> bool:
    """Served over https (uvicorn sets the scheme from X-Forwarded-Proto behind a trusted proxy)."""
    return request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: timedelta
) -> None:
    """A cookie scripts cannot read, not sent on cross-site requests, https-only under https."""
    response.set_cookie(
        name,
        value,
        max_age=int(max_age.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=is_https(request))
