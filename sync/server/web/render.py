"""Rendering pages: one Jinja2 environment (autoescaping on for every template), the
context every page shares, and the response headers that keep the pages private.

Client-written text (messages, reflections) only ever reaches a page through an
autoescaped ``{{ }}``; the Content-Security-Policy below forbids inline scripts as a
second line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, pass_context
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

if TYPE_CHECKING:
    from sync.server.web.deps import Coordinator

HERE = Path(__file__).parent
STATIC = HERE / "static"

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every template, whatever its name
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


_paths: dict[str, str] = {}


def remember_paths(routes: Iterable[BaseRoute]) -> None:
    """Note the path of every named dashboard route (the routers have no prefix)."""
    for route in routes:
        if isinstance(route, Route) and route.name:
            _paths[route.name] = route.path_format


@pass_context
def _url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """A path on this site (never an absolute URL, so pages work behind any proxy).

    Paths are filled in from :func:`remember_paths`: the inbox calls this about a hundred
    times a page, and the framework's lookup walks every route of the app each time.
    """
    fmt = _paths.get(name)
    if fmt is None:
        return str(context["request"].app.url_path_for(name, **params))
    return fmt.format(**{k: quote(str(v), safe="") for k, v in params.items()})


_env.globals["url_for"] = _url_for

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Mental-health data: never kept in shared caches or the browser's back-forward cache.
    "Cache-Control": "no-store",
}

# Messages shown after an action, chosen by a fixed key in the redirect's query string
# (never text taken from the URL, which anyone can craft).
FLASHES = {
    "acknowledged": ("", "Notice acknowledged."),
    "replied": ("", "Reply sent: the client sees it on their next sync."),
    "makeup": ("", "Make-up offered: the client sees it on their next sync."),
    "materials": ("", "Materials attached: every client of that session sees them."),
    "replied-materials": (
        "",
        "Reply sent and materials attached: clients see them on their next sync.",
    ),
    "makeup-materials": (
        "",
        "Make-up offered and materials attached: clients see them on their next sync.",
    ),
    "materialedited": ("", "Material corrected: clients get the new one on their next sync."),
    "withdrawn": ("", "Material withdrawn: it leaves every client on their next sync."),
    "attendance": ("", "Attendance saved: each client sees it on their next sync."),
    "series": ("", "Series saved: clients see it on their next sync and in their calendars."),
    "removed": ("", "Series removed."),
    "cancelled": ("", "Session cancelled: clients and calendars drop it."),
    "revoked": ("", "Access revoked: every device of this client is signed out."),
    "added": ("", "Client added."),
    "code": ("", "A new enrolment code: their other devices keep working until revoked."),
    "device": ("", "Device signed out: the client's other devices keep working."),
    "discharged": ("", "Discharged: kept for the record; their devices and feeds stop."),
    "readmitted": ("", "Re-admitted: their devices that were not revoked work again."),
    "erased": ("", "The client's data is erased. The audit trail keeps that it happened."),
    "signedout": ("", "You are signed out."),
    "contacts": ("", "Crisis contacts saved: clients see them on their next sync."),
    "samecontacts": ("", "Crisis contacts unchanged."),
    "retention": ("", "Retention saved: the next daily purge follows it."),
    "sameretention": ("", "Retention unchanged."),
    "password": ("", "Your new password is set: sign in with it."),
    "program": ("", "Program settings saved: calendar feeds follow at their next refresh."),
    "badmakeup": (
        "error",
        "That make-up slot could not be read: give a date, a time and a length.",
    ),
    "pastmakeup": ("error", "A make-up slot must start in the future, within a year."),
    "badreply": ("error", "That reply could not be sent: remove control characters."),
    "emptyreply": ("error", "Write a reply first."),
    "badlink": ("error", "Materials need a title and a full link (https://...)."),
    "nosession": ("error", "That session is no longer on the schedule."),
    "recorded": ("error", "That session has attendance recorded; it cannot be cancelled."),
    "notyet": ("error", "Attendance can be recorded once the session has started."),
    "badseries": ("error", "That series could not be saved."),
    "noclient": ("error", "Give the client a name."),
    "badname": ("error", "A client's name is one line of at most 200 characters."),
    "badmakeuplink": ("error", "A make-up join link must be a full https:// or http:// link."),
    # Accounts (web/team.py, web/account.py)
    "invited": ("", "Invitation made: send the link below to the person; it works once."),
    "resetlink": ("", "Reset link made: send it to the person; it works once."),
    "role": ("", "Role changed."),
    "disabled": ("", "Account disabled: its sessions have ended and it cannot sign in."),
    "enabled": ("", "Account enabled: it can sign in again."),
    "taken": ("error", "There is an account for that email already."),
    "bademail": ("error", "Give a whole email address (name@example.org) and a role."),
    "lastadmin": (
        "error",
        "That would leave the program without an admin: make another account an admin first.",
    ),  # fmt: skip
    "self": ("error", "You cannot disable your own account."),
    "noaccount": ("error", "There is no such account in this program."),
    "ownpassword": ("", "Password changed: your other sessions are signed out."),
    "alertson": ("", "Alert emails on: new notices and the daily digest come to you."),
    "alertsoff": ("", "Alert emails off: sign in to see new notices."),
    "othersout": ("", "Signed out everywhere else."),
    "oneout": ("", "That session is signed out."),
    "nosuchsession": ("error", "That session had ended already."),
    "welcome": ("", "Welcome: your account is ready."),
}


def page(
    request: Request,
    name: str,
    who: Coordinator | None,
    *,
    status: int = 200,
    section: str = "",
    new_count: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """The rendered template ``name`` with the shared context and security headers.
    ``new_count`` (new notices, in the nav on every page) defaults to the count read with
    the coordinator's session, so every page shows the same figure as the inbox."""
    if new_count is None:
        new_count = who.new_count if who else 0
    flash = FLASHES.get(request.query_params.get("done", ""))
    context.setdefault("page_title", section.title() or "Companion")
    response = templates.TemplateResponse(
        request,
        name,
        {
            "coordinator": who,
            "program": who.program if who else None,
            "csrf": who.csrf if who else context.pop("csrf", ""),
            "section": section,
            "new_count": new_count,
            "flashes": [flash] if flash else [],
            **context,
        },
        status_code=status,
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def not_found(request: Request, who: Coordinator | None, what: str = "page") -> HTMLResponse:
    """The 404 page: another program's objects look exactly like missing ones."""
    return page(
        request,
        "error.html",
        who,
        status=404,
        page_title="Not found",
        message=f"There is no such {what} in your program.",
    )


def bad_input(request: Request, who: Coordinator | None, message: str) -> HTMLResponse:
    """The 422 page: input the dashboard cannot use, and what to give instead."""
    return page(
        request,
        "error.html",
        who,
        status=422,
        page_title="Check what you entered",
        message=message[:1].upper() + message[1:] + ".",
    )
