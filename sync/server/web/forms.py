"""Forms that behave: a destructive action asks first on a page of its own (works with
JavaScript off); a form that can no longer be accepted comes back, with what was
typed, to send again; signing in after a session ended returns to it.

- :func:`confirm_page`: "Revoke access for Alex?" with the button that does it. The
  action's POST does nothing without ``confirm=yes`` but show this page.
- :class:`StaleForm`: the form's CSRF token is not this session's (the page was loaded
  in an earlier session, or in another tab before signing in again). Answered with the
  send-again page: the same fields, filled in, a fresh token, one line saying why.
- :class:`SignedOutPost`: a POST after the session ended. Answered with the sign-in
  page, carrying the typed fields; once signed in, the send-again page. Never a
  redirect to a GET of a POST-only URL.

Passwords are never carried or shown again.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from sync.server.web.render import page

if TYPE_CHECKING:
    from sync.server.web.deps import Coordinator

STALE = "This form had expired, so nothing was sent. Check what you entered and send it again."
RESUME = "You are signed in again. This was not sent yet: check it and send it again."
SIGNED_OUT = "Your session ended before this was sent. Sign in, then you can send it again."
HIDDEN = {"back", "confirm", "original_start", "next", "typed"}
LABELS = {
    "text": "Message", "name": "Name", "title": "Title", "url": "Link", "kind": "Kind",
    "makeup_date": "Make-up date", "makeup_time": "Make-up time",
    "makeup_minutes": "Make-up length (minutes)", "makeup_url": "Make-up join link",
    "start": "First session", "duration": "Length (minutes)", "repeat": "Repeats",
    "join_url": "Join link", "facilitator": "Facilitator", "discreet": "Discreet calendar feeds",
    "email": "Email", "role": "Role", "device": "Device",
}  # fmt: skip
ROSTER_FIELD = re.compile(r"^c\d{1,10}$")
MAX_RESUME = 32 * 1024  # bytes of typed fields carried through the sign-in form


def confirmed(form: FormData) -> bool:
    return form.get("confirm") == "yes"


def confirm_page(
    request: Request, who: Coordinator, *, title: str, message: str, action: str,
    button: str, cancel: str, detail: str = "", fields: Sequence[tuple[str, str]] = (),
    type_name: str = "", status: int = 200, section: str = "",
) -> Response:  # fmt: skip
    """The page that asks before ``action`` (POSTed with ``confirm=yes`` and ``fields``);
    with ``type_name``, the person types it back (erasing a client)."""
    return page(request, "confirm.html", who, status=status, section=section,
                page_title=title, message=message, detail=detail, action=action,
                button=button, cancel=cancel, fields=list(fields),
                type_name=type_name)  # fmt: skip


def typed_fields(items: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """What a person typed into a form, without its token and never a password."""
    return [
        (name, value)
        for name, value in items
        if isinstance(value, str) and name != "csrf" and "password" not in name
    ]


def resend_fields(items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """The send-again page's inputs for the fields a form sent."""
    out = []
    for name, value in items:
        if name in HIDDEN:
            kind = "hidden"
        elif name == "text":
            kind = "textarea"
        elif name == "discreet":
            kind = "checkbox"
        elif ROSTER_FIELD.match(name):
            kind, label = "choice", f"Client {name[1:]}"
            out.append({"name": name, "value": value, "kind": kind, "label": label})
            continue
        else:
            kind = "text"
        out.append({"name": name, "value": value, "kind": kind, "label": LABELS.get(name, name)})
    return out


def safe_action(path: str | None) -> str | None:
    """A dashboard POST path a resumed form may go to (never the API, sign-in or out)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if path.startswith(("/v1/", "/signin", "/signout", "/static/", "/docs")):
        return None
    return path


def back_of(request: Request, fields: Iterable[tuple[str, str]], default: str = "/inbox") -> str:
    """The page the form was on: its ``back`` field, else the same-site Referer."""
    from sync.server.web.deps import safe_next

    back = dict(fields).get("back")
    if back and safe_next(back, "") == back:
        return back
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if referer.startswith(origin + "/"):
        return safe_next(referer[len(origin) :], default)
    return default


class StaleForm(Exception):
    """A form whose token is not the session's: answered with the send-again page."""

    def __init__(self, who: Coordinator, action: str, fields: list[tuple[str, str]],
                 back: str) -> None:  # fmt: skip
        super().__init__("stale form")
        self.who, self.action, self.fields, self.back = who, action, fields, back


class SignedOutPost(Exception):
    """A POST after the session ended: answered with the sign-in page carrying it."""

    def __init__(self, action: str, fields: list[tuple[str, str]], back: str) -> None:
        super().__init__("signed out")
        self.action, self.fields, self.back = action, fields, back


def resend_page(request: Request, who: Coordinator, action: str,
                fields: Iterable[tuple[str, str]], back: str, message: str,
                status: int) -> Response:  # fmt: skip
    return page(request, "resend.html", who, status=status, page_title="Send it again",
                message=message, action=action, fields=resend_fields(fields),
                back=back)  # fmt: skip


async def stale_form(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StaleForm)
    return resend_page(request, exc.who, exc.action, exc.fields, exc.back, STALE, 403)


async def signed_out_post(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignedOutPost)
    from starlette.responses import RedirectResponse

    from sync.server.web.auth import signin_page

    if exc.action.startswith("/signout"):  # signed out already: nothing to send
        return RedirectResponse("/signin?done=signedout", status_code=303)
    resume = json.dumps(exc.fields)
    if len(resume.encode()) > MAX_RESUME:
        resume = "[]"
    return signin_page(request, next_=exc.back, status=401, error=SIGNED_OUT,
                       resume_action=exc.action, resume=resume)  # fmt: skip


RESUME_COOKIE = "companion_resume"
RESUME_COOKIE_MAX = 3800  # bytes: browsers keep cookies up to 4 KiB


def keep_for_resume(response: Response, request: Request, action: str,
                    fields: list[tuple[str, str]], back: str) -> None:  # fmt: skip
    """Carry a form across the redirect after sign-in (POST/redirect/GET): a cookie for
    /resume only, five minutes, scripts cannot read it. Too long a form is cut to its
    hidden fields (a browser would drop the cookie)."""
    from sync.server.web.security import is_https

    def encoded(items: list[tuple[str, str]]) -> str:
        raw = json.dumps([action, items, back]).encode()
        return base64.urlsafe_b64encode(raw).decode()

    value = encoded(fields)
    if len(value) > RESUME_COOKIE_MAX:
        value = encoded([(n, v) for n, v in fields if n in HIDDEN])
    response.set_cookie(RESUME_COOKIE, value, max_age=300, path="/resume", httponly=True,
                        samesite="strict", secure=is_https(request))  # fmt: skip


def kept_for_resume(request: Request) -> tuple[str, list[tuple[str, str]], str] | None:
    raw = request.cookies.get(RESUME_COOKIE)
    try:
        action, items, back = json.loads(base64.urlsafe_b64decode((raw or "").encode()))
    except (ValueError, TypeError):
        return None
    action = safe_action(action if isinstance(action, str) else None)
    if action is None or not isinstance(back, str):
        return None
    from sync.server.web.deps import safe_next

    return action, resumed_fields(json.dumps(items)), safe_next(back, "/inbox")


def forget_resume(response: Response, request: Request) -> None:
    from sync.server.web.security import is_https

    response.delete_cookie(RESUME_COOKIE, path="/resume", httponly=True, samesite="strict",
                           secure=is_https(request))  # fmt: skip


def resumed_fields(raw: str) -> list[tuple[str, str]]:
    """The fields a sign-in carried back (anything else in it is dropped)."""
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    pairs = [tuple(i) for i in items if isinstance(i, list) and len(i) == 2]
    return typed_fields((n, v) for n, v in pairs if isinstance(n, str) and isinstance(v, str))
