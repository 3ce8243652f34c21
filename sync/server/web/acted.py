"""What the coordinator just did to a notice, shown once on the inbox after POST/redirect/GET.

Acting on a notice in the "New" tab takes it off that tab; the inbox keeps it in place,
marked with what was done, on the page the redirect lands on. The marker travels in a
cookie (never the URL, so nothing piles up there) that lives a minute, is sent only to
/inbox, and is cleared by the page that shows it: the next reload shows the tab as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from sync.server.web.security import is_https

COOKIE = "companion_acted"
PATH = "/inbox"
LIFETIME_S = 60
# What the mark on the notice says, by the redirect's flash key.
LABELS = {
    "acknowledged": "acknowledged",
    "replied": "replied",
    "makeup": "replied, make-up offered",
    "materials": "materials attached",
    "replied-materials": "replied, materials attached",
    "makeup-materials": "replied, make-up offered, materials attached",
}


@dataclass(frozen=True, slots=True)
class Acted:
    notice_id: str
    label: str


def remember(response: Response, request: Request, notice_id: str, done: str) -> None:
    """Mark ``notice_id`` as just handled (``done`` is a key of LABELS)."""
    value = json.dumps([notice_id[:64], done], separators=(",", ":"))
    response.set_cookie(COOKIE, value.encode().hex(), max_age=LIFETIME_S, path=PATH,
                        httponly=True, samesite="strict", secure=is_https(request))  # fmt: skip


def take(request: Request) -> Acted | None:
    """The notice just handled and what was done, if the cookie holds a valid marker."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        notice_id, done = json.loads(bytes.fromhex(raw).decode())
    except (ValueError, TypeError):
        return None
    if not isinstance(notice_id, str) or done not in LABELS:
        return None
    return Acted(notice_id, LABELS[done])


def forget(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict",
                           secure=is_https(request))  # fmt: skip
