"""The coordinator dashboard: server-rendered pages (Jinja2) over the coordinator layer.

One module per area (auth, inbox, clients, attendance, schedule, export, program); ``router``
gathers them and is included in the app by ``create_app``. Works with JavaScript off;
``static/live.js`` only adds live inbox updates.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import FileResponse

from sync.server.web import (
    account,
    accounts,
    attendance,
    audit,
    auth,
    clients,
    export,
    inbox,
    lifecycle,
    links,
    materials,
    program,
    schedule,
    team,
)
from sync.server.web.render import STATIC, remember_paths

router = APIRouter(include_in_schema=False)
_ASSETS = {"style.css": "text/css", "live.js": "text/javascript"}


@router.get("/static/{name}", name="web_static")
async def static(name: str) -> FileResponse:
    """The stylesheet and the live-update script (nothing else is served from disk)."""
    if name not in _ASSETS:
        raise HTTPException(404, "not found")
    return FileResponse(
        STATIC / name,
        media_type=_ASSETS[name],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


for _module in (
    auth, inbox, clients, lifecycle, attendance, schedule, export, accounts, team, account,
    audit, links, program, materials,
):  # fmt: skip
    router.include_router(_module.router)
    remember_paths(_module.router.routes)
remember_paths(router.routes)

__all__ = ["router"]
