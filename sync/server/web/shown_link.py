"""Showing a new one-time account link (invitation, reset) once, after POST/redirect/GET.

As with enrolment codes (``codes.py``): the link travels in a cookie that lives five
minutes, scripts cannot read, is sent only to /team pages, and is cleared by the page
that shows it. A reload shows it no more (the database keeps only its digest).
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from sync.server.web.security import is_https

COOKIE = "companion_link"
PATH = "/team"
LIFETIME = timedelta(minutes=5)


def show_once(response: Response, request: Request, what: str, email: str, url: str,
              expires_at: str) -> None:  # fmt: skip
    value = base64.urlsafe_b64encode(json.dumps([what, email, url, expires_at]).encode())
    response.set_cookie(COOKIE, value.decode(), max_age=int(LIFETIME.total_seconds()),
                        path=PATH, httponly=True, samesite="strict",
                        secure=is_https(request))  # fmt: skip


def take(request: Request) -> dict[str, str] | None:
    """The link waiting to be shown (what, email, url, expires), if any."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        what, email, url, expires = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, TypeError):
        return None
    values = (what, email, url, expires)
    if not all(isinstance(v, str) for v in values):
        return None
    return dict(zip(("what", "email", "url", "expires"), values, strict=True))


def forget(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict",
                           secure=is_https(request))  # fmt: skip
