"""Your own account, for every coordinator: change your password (the current one
required; your other sessions end) and your sessions (where and when each started,
when last used; sign out one, or everywhere else). Each POST redirects back to
/account; the work is ``sync.server.sessions``."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import links, sessions, signin
from sync.server.mail import mail_alerts_on, mail_configured, set_own_alerts
from sync.server.security import digest, hash_password
from sync.server.storage.repo import Tx
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now, settings_of
from sync.server.web.present import when
from sync.server.web.render import page

router = APIRouter()


def _page(request: Request, who: Coordinator, rows: list[Any], alerts: bool, error: str = "",
          status: int = 200) -> Response:  # fmt: skip
    listed = [
        {"id": s.id, "address": s.address or "unknown", "started": when(s.started_at, who.tz),
         "used": when(s.last_used_at, who.tz), "current": s.current}
        for s in rows
    ]  # fmt: skip
    return page(request, "account.html", who, status=status, section="account",
                page_title="Your account", sessions=listed, error=error, alerts=alerts,
                mail=mail_configured(settings_of(request)))  # fmt: skip


async def _sessions(request: Request, who: Coordinator) -> tuple[list[Any], bool]:
    """The coordinator's sessions, and whether their alert emails are on."""
    at, idle = now(request), settings_of(request).idle_minutes

    def load(tx: Tx) -> tuple[list[Any], bool]:
        rows = sessions.own_sessions(tx, who.auth, digest(who.session), at, idle)
        return rows, mail_alerts_on(tx, who.auth.coordinator_id)

    return await database(request).read(load)


@router.get("/account", name="web_account", include_in_schema=False)
async def account(request: Request, who: SignedIn) -> Response:
    return _page(request, who, *await _sessions(request, who))


@router.post("/account/password", name="web_account_password", include_in_schema=False)
async def change_password(request: Request, who: SignedIn, form: Form) -> Response:
    current = str(form.get("current_password", ""))[:1000]
    new, again = str(form.get("password", "")), str(form.get("password_again", ""))
    db = database(request)
    problem = links.password_problem(new, again)
    if not problem:
        remote = who.auth.address or "unknown"
        checked = await signin.verify_password(db, who.auth, current, remote, now(request),
                                               settings_of(request))  # fmt: skip
        if isinstance(checked, signin.Throttled):
            problem = "Too many wrong passwords: try again later, or ask an admin for a reset link."
        elif not checked:
            problem = "The current password is not right."
    if problem:
        return _page(request, who, *await _sessions(request, who), problem, 422)
    hashed = await asyncio.to_thread(hash_password, new)
    await db.write(sessions.set_own_password, who.auth, digest(who.session), hashed, now(request))
    return RedirectResponse("/account?done=ownpassword", status_code=303)


@router.post("/account/alerts", name="web_account_alerts", include_in_schema=False)
async def alerts(request: Request, who: SignedIn, form: Form) -> Response:
    """Turn your own alert emails on (``alerts=on``) or off (anything else)."""
    on = str(form.get("alerts", "")) == "on"
    await database(request).write(set_own_alerts, who.auth, on, now(request))
    return RedirectResponse(f"/account?done=alerts{'on' if on else 'off'}", status_code=303)


@router.post("/account/signout-others", name="web_account_signout_others",
             include_in_schema=False)  # fmt: skip
async def signout_others(request: Request, who: SignedIn, form: Form) -> Response:
    await database(request).write(sessions.end_others, who.auth, digest(who.session),
                                  now(request))  # fmt: skip
    return RedirectResponse("/account?done=othersout", status_code=303)


@router.post("/account/sessions/{session_id}/signout", name="web_account_signout_one",
             include_in_schema=False)  # fmt: skip
async def signout_one(request: Request, who: SignedIn, form: Form, session_id: str) -> Response:
    ended = await database(request).write(sessions.end_one, who.auth, session_id[:40],
                                          now(request))  # fmt: skip
    if ended and session_id == sessions.ref(digest(who.session)):
        return RedirectResponse("/signin?done=signedout", status_code=303)
    return RedirectResponse(f"/account?done={'oneout' if ended else 'nosuchsession'}",
                            status_code=303)  # fmt: skip
