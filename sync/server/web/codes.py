"""Showing a new enrolment code once, after POST/redirect/GET.

The code is created by a POST (adding a client, a new code for a client), which then
redirects to the client's page; the code travels in a cookie that lives five minutes,
scripts cannot read, is sent only to /clients pages, and is cleared by the page that
shows it. A reload shows it no more (the database keeps only its digest), and repeats
nothing.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from sync.server.web.security import is_https

COOKIE = "companion_code"
PATH = "/clients"
LIFETIME = timedelta(minutes=5)


def show_once(response: Response, request: Request, client_id: int, code: str,
              expires_at: str) -> None:  # fmt: skip
    value = base64.urlsafe_b64encode(json.dumps([client_id, code, expires_at]).encode())
    response.set_cookie(COOKIE, value.decode(), max_age=int(LIFETIME.total_seconds()),
                        path=PATH, httponly=True, samesite="strict",
                        secure=is_https(request))  # fmt: skip


def take(request: Request, client_id: int) -> tuple[str, str] | None:
    """(code, expires at) waiting to be shown on ``client_id``'s page, if any."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        cid, code, expires = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, TypeError):
        return None
    if cid != client_id or not isinstance(code, str) or not isinstance(expires, str):
        return None
    return code, expires


def forget(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict",
                           secure=is_https(request))  # fmt: skip
