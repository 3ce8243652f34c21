"""A session's materials on the dashboard: attach one from the roster, correct it, withdraw
it (asked first), each a POST that redirects back to the page it came from.

The roster and the notice in the inbox list the session's materials
(:func:`session_materials`) with links here. Every write goes through
``sync.server.coordinator.add_material`` or ``sync.server.materials``, which scope it to the
coordinator's program, put it on the changes feed and write the audit entry.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.protocol import MaterialEdit, MaterialIn, MaterialOut
from sync.server import coordinator as ops
from sync.server import materials as ops_materials
from sync.server.core import NotFound
from sync.server.web import forms, inputs
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now, safe_next
from sync.server.web.present import when
from sync.server.web.render import not_found, page
from sync.wire import MAX_INT

router = APIRouter()
KINDS = ["handout", "notes", "recording", "other"]
_ANCHOR = re.compile(r"^#[A-Za-z0-9_-]{1,80}$")
BAD_MATERIAL = "A material needs a title, a full https:// or http:// link and a one-line note."


def session_materials(rows: list[dict[str, Any]], tz: Any, back: str) -> list[dict[str, Any]]:
    """Stored materials of a session as the roster and the notice list them, each with
    the links that edit and withdraw it and come ``back``."""
    out = []
    for row in rows:
        m = ops_materials.material_out(row)
        query = urlencode({"back": back})
        out.append({
            "id": m.id, "kind": m.kind, "title": m.title, "url": m.url, "note": m.note,
            "by": m.by, "at": when(m.at, tz),
            "edit_url": f"/materials/{m.id}/edit?{query}",
            "withdraw_url": f"/materials/{m.id}/withdraw?{query}",
        })  # fmt: skip
    return out


def _back(value: object, default: str = "/attendance") -> str:
    """Where a material form returns: a same-site path, perhaps with a ``#notice-…``."""
    text = str(value or "")
    path, hash_, anchor = text.partition("#")
    target = safe_next(path, default)
    return target + (f"#{anchor}" if hash_ and _ANCHOR.match(f"#{anchor}") else "")


def _done(back: str, done: str) -> RedirectResponse:
    path, hash_, anchor = back.partition("#")
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}done={done}{hash_}{anchor}", status_code=303)


def _edit(form: FormData) -> MaterialEdit:
    kind = str(form.get("kind", "other"))
    return MaterialEdit(
        kind=kind if kind in KINDS else "other",  # type: ignore[arg-type]
        title=str(form.get("title", "")).strip(),
        url=str(form.get("url", "")).strip(),
        note=str(form.get("note", "")).strip(),
    )


def _material_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_INT else None


@router.post("/attendance/roster/materials", name="web_roster_materials",
             include_in_schema=False)  # fmt: skip
async def attach(request: Request, who: SignedIn, form: Form) -> Response:
    """Attach a material to the roster's session (every client of it receives it)."""
    key = inputs.occurrence(request.query_params)
    if key is None:
        return not_found(request, who, "session")
    uid, start = key
    back = _back(form.get("back"), "/attendance")
    try:
        edit = _edit(form)
        body = MaterialIn(series_uid=uid, original_start=start, **edit.model_dump())
    except ValidationError:
        return _done(back, "badlink")
    result = await database(request).write(ops.add_material, who.auth, body, now(request))
    if isinstance(result, NotFound | ops.Invalid):
        return not_found(request, who, "session")
    return _done(back, "materials")


async def _found(request: Request, who: Coordinator, raw_id: str) -> MaterialOut | None:
    material_id = _material_id(raw_id)
    if material_id is None:
        return None
    found = await database(request).read(ops_materials.get_material, who.auth, material_id)
    return None if isinstance(found, NotFound) else found


def _form_page(request: Request, who: Coordinator, m: MaterialOut, back: str, *,
               values: dict[str, str] | None = None, error: str = "",
               status: int = 200) -> Response:  # fmt: skip
    shown = values or {"kind": m.kind, "title": m.title, "url": m.url, "note": m.note}
    return page(request, "material_form.html", who, status=status, section="attendance",
                page_title=f"Edit material · {m.title}", material=m, values=shown,
                kinds=KINDS, back=back, error=error,
                action=f"/materials/{m.id}/edit",
                session_when=when(m.original_start, who.tz))  # fmt: skip


@router.get("/materials/{material_id}/edit", name="web_material_edit_form",
            include_in_schema=False)  # fmt: skip
async def edit_form(request: Request, material_id: str, who: SignedIn) -> Response:
    found = await _found(request, who, material_id)
    if found is None:
        return not_found(request, who, "material")
    return _form_page(request, who, found, _back(request.query_params.get("back")))


@router.post("/materials/{material_id}/edit", name="web_material_edit", include_in_schema=False)
async def edit(request: Request, material_id: str, who: SignedIn, form: Form) -> Response:
    """Correct a material; clients get the corrected one on their next sync."""
    found = await _found(request, who, material_id)
    if found is None:
        return not_found(request, who, "material")
    back = _back(form.get("back"))
    try:
        body = _edit(form)
    except ValidationError:
        typed = {k: str(form.get(k, "")) for k in ("kind", "title", "url", "note")}
        return _form_page(request, who, found, back, values=typed, error=BAD_MATERIAL,
                          status=422)  # fmt: skip
    result = await database(request).write(
        ops_materials.update_material, who.auth, found.id, body, now(request)
    )
    if isinstance(result, NotFound):
        return not_found(request, who, "material")
    return _done(back, "materialedited")


def _ask(request: Request, who: Coordinator, m: MaterialOut, back: str) -> Response:
    return forms.confirm_page(
        request, who, title=f"Withdraw “{m.title}”?", section="attendance",
        message=f"It leaves the dashboard and every client of the session on "
        f"{when(m.original_start, who.tz)}, from their checklists too, on their next sync.",
        detail=m.url, action=f"/materials/{m.id}/withdraw", button="Withdraw the material",
        cancel=back, fields=[("back", back)],
    )  # fmt: skip


@router.get("/materials/{material_id}/withdraw", name="web_material_withdraw_confirm",
            include_in_schema=False)  # fmt: skip
async def withdraw_confirm(request: Request, material_id: str, who: SignedIn) -> Response:
    found = await _found(request, who, material_id)
    if found is None:
        return not_found(request, who, "material")
    return _ask(request, who, found, _back(request.query_params.get("back")))


@router.post("/materials/{material_id}/withdraw", name="web_material_withdraw",
             include_in_schema=False)  # fmt: skip
async def withdraw(request: Request, material_id: str, who: SignedIn, form: Form) -> Response:
    """Withdraw a material once the coordinator confirmed (otherwise: ask)."""
    found = await _found(request, who, material_id)
    if found is None:
        return not_found(request, who, "material")
    back = _back(form.get("back"))
    if not forms.confirmed(form):
        return _ask(request, who, found, back)
    result = await database(request).write(
        ops_materials.withdraw_material, who.auth, found.id, now(request)
    )
    if isinstance(result, NotFound):
        return not_found(request, who, "material")
    return _done(back, "withdrawn")
