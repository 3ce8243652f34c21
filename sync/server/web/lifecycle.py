"""A client's lifecycle in the dashboard: a new enrolment code, devices revoked one by
one or all at once, discharge and re-admission, erasure (admins). Each destructive
action asks first on a page of its own (``forms.confirm_page``); erasure asks for the
client's name typed back. The work is ``sync.server.lifecycle``, in the request's
transaction with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import lifecycle
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow
from sync.server.web import codes, forms
from sync.server.web.deps import (
    AdminSignedIn,
    Coordinator,
    Form,
    SignedIn,
    database,
    now,
    settings_of,
)
from sync.server.web.render import not_found

router = APIRouter()
Asker = Callable[[Request, Coordinator, ClientRow], Response]
Act = Callable[[Tx, Coordinator, ClientRow, datetime], Any]


async def _client(request: Request, who: Coordinator, client_id: int) -> ClientRow | None:
    def find(tx: Tx) -> ClientRow | None:
        try:
            return lifecycle.client_of(tx, who.program.id, client_id)
        except lifecycle.NotTheirs:
            return None

    return await database(request).read(find)


async def _ask(request: Request, who: Coordinator, client_id: int, ask: Asker) -> Response:
    client = await _client(request, who, client_id)
    if client is None:
        return not_found(request, who, "client")
    return ask(request, who, client)


async def _act(request: Request, who: Coordinator, client_id: int, form: FormData | None,
               ask: Asker | None, act: Act, done: str) -> Response:  # fmt: skip
    """The POST of a client action: asks (``ask``) unless confirmed, then ``act`` in one
    transaction, then back to the client's page (POST/redirect/GET)."""
    client = await _client(request, who, client_id)
    if client is None:
        return not_found(request, who, "client")
    if ask is not None and form is not None and not forms.confirmed(form):
        return ask(request, who, client)
    at = now(request)

    def run(tx: Tx) -> Any:
        return act(tx, who, lifecycle.client_of(tx, who.program.id, client_id), at)

    result = await database(request).write(run)
    if result is False:
        return not_found(request, who, "device" if done == "device" else "client")
    target = "/clients" if done == "erased" else f"/clients/{client_id}"
    return RedirectResponse(f"{target}?done={done}", status_code=303)


# -- revoke every device ------------------------------------------------------------------


def _ask_revoke(request: Request, who: Coordinator, c: ClientRow) -> Response:
    return forms.confirm_page(
        request, who, title=f"Revoke access for {c.name}?", section="clients",
        message=f"Every device of {c.name} is signed out at once: their app stops syncing and "
        "their calendar feeds stop updating. Their record stays; a new enrolment code lets "
        "them back in.",
        action=f"/clients/{c.id}/revoke", button="Revoke access", cancel=f"/clients/{c.id}",
    )  # fmt: skip


@router.get("/clients/{client_id}/revoke", name="web_client_revoke_confirm",
            include_in_schema=False)  # fmt: skip
async def revoke_confirm(request: Request, client_id: int, who: SignedIn) -> Response:
    return await _ask(request, who, client_id, _ask_revoke)


@router.post("/clients/{client_id}/revoke", name="web_client_revoke", include_in_schema=False)
async def revoke(request: Request, client_id: int, who: SignedIn, form: Form) -> Response:
    def act(tx: Tx, who: Coordinator, c: ClientRow, at: datetime) -> int:
        return lifecycle.revoke_client(tx, who.auth, c.id, at)

    return await _act(request, who, client_id, form, _ask_revoke, act, "revoked")


# -- a new enrolment code -------------------------------------------------------------------


@router.post("/clients/{client_id}/code", name="web_client_code", include_in_schema=False)
async def new_code(request: Request, client_id: int, who: SignedIn, form: Form) -> Response:
    client = await _client(request, who, client_id)
    if client is None:
        return not_found(request, who, "client")
    days, at = settings_of(request).enrol_code_days, now(request)

    def run(tx: Tx) -> dict:
        found = lifecycle.client_of(tx, who.program.id, client_id)
        return lifecycle.new_code(tx, who.auth, found, at, days)

    made = await database(request).write(run)
    response = RedirectResponse(f"/clients/{client_id}?done=code", status_code=303)
    codes.show_once(response, request, client_id, made["code"], made["expires_at"])
    return response


# -- one device -----------------------------------------------------------------------------


def _device_asker(device_id: int) -> Asker:
    def ask(request: Request, who: Coordinator, c: ClientRow) -> Response:
        return forms.confirm_page(
            request, who, title=f"Sign out this device of {c.name}?", section="clients",
            message="That device stops syncing and its calendar feed stops updating. "
            f"{c.name}'s other devices keep working.",
            action=f"/clients/{c.id}/devices/{device_id}/revoke", button="Revoke the device",
            cancel=f"/clients/{c.id}",
        )  # fmt: skip

    return ask


@router.get("/clients/{client_id}/devices/{device_id}/revoke",
            name="web_device_revoke_confirm", include_in_schema=False)  # fmt: skip
async def device_confirm(request: Request, client_id: int, device_id: int,
                         who: SignedIn) -> Response:  # fmt: skip
    return await _ask(request, who, client_id, _device_asker(device_id))


@router.post("/clients/{client_id}/devices/{device_id}/revoke", name="web_device_revoke",
             include_in_schema=False)  # fmt: skip
async def device_revoke(request: Request, client_id: int, device_id: int, who: SignedIn,
                        form: Form) -> Response:  # fmt: skip
    def act(tx: Tx, who: Coordinator, c: ClientRow, at: datetime) -> bool:
        return lifecycle.revoke_device(tx, who.auth, c, device_id, at)

    return await _act(request, who, client_id, form, _device_asker(device_id), act, "device")


# -- discharge and re-admit -------------------------------------------------------------------


def _ask_discharge(request: Request, who: Coordinator, c: ClientRow) -> Response:
    return forms.confirm_page(
        request, who, title=f"Discharge {c.name}?", section="clients",
        message=f"{c.name} stays on record but leaves the rosters and the at-risk list; "
        "their devices stop syncing and their calendar feeds stop until you re-admit them.",
        action=f"/clients/{c.id}/discharge", button="Discharge", cancel=f"/clients/{c.id}",
    )  # fmt: skip


@router.get("/clients/{client_id}/discharge", name="web_client_discharge_confirm",
            include_in_schema=False)  # fmt: skip
async def discharge_confirm(request: Request, client_id: int, who: SignedIn) -> Response:
    return await _ask(request, who, client_id, _ask_discharge)


@router.post("/clients/{client_id}/discharge", name="web_client_discharge",
             include_in_schema=False)  # fmt: skip
async def discharge(request: Request, client_id: int, who: SignedIn, form: Form) -> Response:
    def act(tx: Tx, who: Coordinator, c: ClientRow, at: datetime) -> bool | None:
        return lifecycle.discharge(tx, who.auth, c, at) or None  # discharged already: fine

    return await _act(request, who, client_id, form, _ask_discharge, act, "discharged")


@router.post("/clients/{client_id}/readmit", name="web_client_readmit", include_in_schema=False)
async def readmit(request: Request, client_id: int, who: SignedIn, form: Form) -> Response:
    def act(tx: Tx, who: Coordinator, c: ClientRow, at: datetime) -> bool | None:
        return lifecycle.readmit(tx, who.auth, c, at) or None

    return await _act(request, who, client_id, form, None, act, "readmitted")


# -- erase (admins) ---------------------------------------------------------------------------


def _eraser(error: str = "") -> Asker:
    def ask(request: Request, who: Coordinator, c: ClientRow) -> Response:
        return forms.confirm_page(
            request, who, title=f"Erase {c.name}?", section="clients",
            status=422 if error else 200,
            message=f"Everything of {c.name} is deleted for good: their notices and the "
            "replies to them, their attendance and its history, their devices and codes. "
            "The audit trail keeps that it happened, and nothing of theirs.",
            detail=error or "This cannot be undone. Discharge keeps the record instead.",
            action=f"/clients/{c.id}/erase", button=f"Erase {c.name}",
            cancel=f"/clients/{c.id}", type_name=c.name,
        )  # fmt: skip

    return ask


@router.get("/clients/{client_id}/erase", name="web_client_erase_confirm",
            include_in_schema=False)  # fmt: skip
async def erase_confirm(request: Request, client_id: int, who: AdminSignedIn) -> Response:
    return await _ask(request, who, client_id, _eraser())


@router.post("/clients/{client_id}/erase", name="web_client_erase", include_in_schema=False)
async def erase(request: Request, client_id: int, who: AdminSignedIn, form: Form) -> Response:
    client = await _client(request, who, client_id)
    if client is None:
        return not_found(request, who, "client")
    if forms.confirmed(form) and str(form.get("typed", "")).strip() != client.name:
        wrong = "The name typed does not match: nothing was erased."
        return _eraser(wrong)(request, who, client)

    def act(tx: Tx, who: Coordinator, c: ClientRow, at: datetime) -> dict:
        return lifecycle.erase(tx, who.auth, c, at)

    return await _act(request, who, client_id, form, _eraser(), act, "erased")
