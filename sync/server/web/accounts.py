"""Admin pages: the program's team (coordinator accounts and their roles) and the
program's settings. Each route needs an admin (``AdminSignedIn``: a coordinator gets
the 403 page); the work is ``sync.server.accounts``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.protocol_accounts import ProgramSettings
from sync.server import accounts
from sync.server.storage.repo import Tx
from sync.server.storage.repo_audit import AuditFilter
from sync.server.storage.tables import stamp, unstamp
from sync.server.web import shown_link
from sync.server.web.deps import AdminSignedIn, Coordinator, Form, database, now
from sync.server.web.present import when
from sync.server.web.render import page

router = APIRouter()


@router.get("/team", name="web_team", include_in_schema=False)
async def team(request: Request, who: AdminSignedIn) -> Response:
    return await team_page(request, who)


async def team_page(
    request: Request, who: Coordinator, *, error: str = "",
    typed: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    """The team page; ``error`` and ``typed``: the invitation form sent back as typed."""
    week_ago = stamp(now(request) - timedelta(days=7))

    def load(tx: Tx) -> dict[str, Any]:
        locked = AuditFilter(action="signin.locked", since=week_ago)
        return {
            "accounts": tx.accounts_of(who.program.id),
            "lockouts": tx.audit_entries(who.program.id, locked, 20),
        }

    data = await database(request).read(load)
    rows = [
        {
            "id": a.id,
            "email": a.email,
            "role": a.role,
            "created": when(unstamp(a.created_at), who.tz),
            "you": a.id == who.auth.coordinator_id,
            "disabled": a.disabled_at is not None,
        }
        for a in data["accounts"]
    ]
    lockouts = [
        {"when": when(unstamp(e["at"]), who.tz), "email": e["actor"], "address": e["address"]}
        for e in data["lockouts"]
    ]
    link = shown_link.take(request)
    response = page(request, "team.html", who, status=status, section="team",
                    page_title="Team", accounts=rows,
                    lockouts=lockouts, link=link, error=error, typed=typed or {})  # fmt: skip
    if link is not None:
        shown_link.forget(response, request)
    return response


@router.post("/program", name="web_program_save", include_in_schema=False)
async def save_program(request: Request, who: AdminSignedIn, form: Form) -> Response:
    body = ProgramSettings(discreet_default=form.get("discreet") == "on")
    await database(request).write(accounts.set_program_settings, who.auth, body, now(request))
    return RedirectResponse("/program?done=program", status_code=303)
