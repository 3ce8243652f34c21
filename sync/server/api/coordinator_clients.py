"""A client's lifecycle in the API: add a client, a new enrolment code, devices (list,
revoke one), revoke every device, discharge and re-admit, erase (admins, with the
client's name typed back). Every route is scoped to the caller's program (another
program's client is a 404) and writes its audit entry in its transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Path

from sync.protocol_accounts import ClientIn, ClientState, DeviceOut, EnrolmentCode, Erased, EraseIn
from sync.server import lifecycle
from sync.server.api.deps import AppSettings, CurrentAdmin, CurrentCoordinator, Db, Now
from sync.server.api.raw import errors
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow, CoordinatorAuth
from sync.server.storage.tables import unstamp
from sync.wire import MAX_INT

router = APIRouter(prefix="/v1/coordinator/clients", tags=["coordinator"])
ClientId = Path(ge=1, le=MAX_INT)


async def _on_client(db: Any, auth: CoordinatorAuth, client_id: int,
                     fn: Callable[[Tx, ClientRow], Any]) -> Any:  # fmt: skip
    def run(tx: Tx) -> Any:
        try:
            client = lifecycle.client_of(tx, auth.program_id, client_id)
        except lifecycle.NotTheirs:
            return None
        return fn(tx, client)

    result = await db.write(run)
    if result is None:
        raise HTTPException(404, "no such client")
    return result


def _state(tx: Tx, auth: CoordinatorAuth, client_id: int) -> ClientState:
    c = lifecycle.client_of(tx, auth.program_id, client_id)
    return ClientState(client_id=c.id, discharged=c.discharged_at is not None,
                       revoked=c.revoked_at is not None, devices=c.devices)  # fmt: skip


def _code(made: dict) -> EnrolmentCode:
    return EnrolmentCode(client_id=made["client_id"], name=made["name"], code=made["code"],
                         expires_at=datetime.fromisoformat(made["expires_at"]))  # fmt: skip


@router.post("", status_code=201, response_model=EnrolmentCode,
             responses=errors(401, 413, 422))  # fmt: skip
async def add_client(body: ClientIn, auth: CurrentCoordinator, db: Db, now: Now,
                     settings: AppSettings) -> EnrolmentCode:  # fmt: skip
    """A new client of the program and their one-time enrolment code."""
    try:
        name = lifecycle.client_name(body.name)
    except lifecycle.BadName as exc:
        raise HTTPException(422, f"name: {exc}") from None

    def run(tx: Tx) -> dict:
        program = tx.program(auth.program_id)
        assert program is not None
        return lifecycle.add_client(tx, auth, program, name, now, settings.enrol_code_days)

    return _code(await db.write(run))


@router.post("/{client_id}/code", status_code=201, response_model=EnrolmentCode,
             responses=errors(401, 404, 422))  # fmt: skip
async def new_code(auth: CurrentCoordinator, db: Db, now: Now, settings: AppSettings,
                   client_id: int = ClientId) -> EnrolmentCode:  # fmt: skip
    """A fresh one-time code for an existing client (their other devices keep working)."""
    days = settings.enrol_code_days

    def issue(tx: Tx, c: ClientRow) -> dict:
        return lifecycle.new_code(tx, auth, c, now, days)

    return _code(await _on_client(db, auth, client_id, issue))


@router.get("/{client_id}/devices", response_model=list[DeviceOut], responses=errors(401, 404, 422))
async def devices(auth: CurrentCoordinator, db: Db, client_id: int = ClientId) -> list[DeviceOut]:
    """The client's devices, oldest first (never their tokens)."""

    def listed(tx: Tx, c: ClientRow) -> list[DeviceOut]:
        return [
            DeviceOut(
                id=d["id"],
                name=d["name"],
                created_at=unstamp(d["created_at"]),
                revoked_at=unstamp(d["revoked_at"]) if d["revoked_at"] else None,
                discreet=d["discreet"],
            )  # fmt: skip
            for d in tx.devices_of(c.id)
        ]

    return await _on_client(db, auth, client_id, listed)


@router.post("/{client_id}/devices/{device_id}/revoke", response_model=ClientState,
             responses=errors(401, 404, 422))  # fmt: skip
async def revoke_device(auth: CurrentCoordinator, db: Db, now: Now, client_id: int = ClientId,
                        device_id: int = Path(ge=1, le=MAX_INT)) -> ClientState:  # fmt: skip
    """Sign out one device; the client's others keep working (404: not theirs, or revoked)."""

    def act(tx: Tx, c: ClientRow) -> ClientState | None:
        if not lifecycle.revoke_device(tx, auth, c, device_id, now):
            return None
        return _state(tx, auth, c.id)

    result = await _on_client(db, auth, client_id, act)
    return result


async def _changed(db: Any, auth: CoordinatorAuth, client_id: int,
                   change: Callable[[Tx, ClientRow], object]) -> ClientState:  # fmt: skip
    """Apply ``change`` to the caller's client and answer the client's new state."""

    def act(tx: Tx, c: ClientRow) -> ClientState:
        change(tx, c)
        return _state(tx, auth, c.id)

    return await _on_client(db, auth, client_id, act)


@router.post("/{client_id}/revoke", response_model=ClientState, responses=errors(401, 404, 422))
async def revoke(auth: CurrentCoordinator, db: Db, now: Now,
                 client_id: int = ClientId) -> ClientState:  # fmt: skip
    """Sign out every device of the client (a new code lets them back in)."""
    return await _changed(
        db, auth, client_id, lambda tx, c: lifecycle.revoke_client(tx, auth, c.id, now)
    )


@router.post("/{client_id}/discharge", response_model=ClientState, responses=errors(401, 404, 422))
async def discharge(auth: CurrentCoordinator, db: Db, now: Now,
                    client_id: int = ClientId) -> ClientState:  # fmt: skip
    """Discharge: kept for the record, off the at-risk list; devices and feeds stop."""
    return await _changed(db, auth, client_id, lambda tx, c: lifecycle.discharge(tx, auth, c, now))


@router.post("/{client_id}/readmit", response_model=ClientState, responses=errors(401, 404, 422))
async def readmit(auth: CurrentCoordinator, db: Db, now: Now,
                  client_id: int = ClientId) -> ClientState:  # fmt: skip
    """Re-admit a discharged client: their devices that were not revoked work again."""
    return await _changed(db, auth, client_id, lambda tx, c: lifecycle.readmit(tx, auth, c, now))


@router.post("/{client_id}/erase", response_model=Erased, responses=errors(401, 403, 404, 422))
async def erase(body: EraseIn, auth: CurrentAdmin, db: Db, now: Now,
                client_id: int = ClientId) -> Erased:  # fmt: skip
    """Erase the client's data for good (admins): ``name`` must be the client's name."""

    def act(tx: Tx, c: ClientRow) -> Erased | str:
        if body.name.strip() != c.name:
            return "name: not this client's name; nothing was erased"
        return Erased(client_id=c.id, erased=lifecycle.erase(tx, auth, c, now))

    result = await _on_client(db, auth, client_id, act)
    if isinstance(result, str):
        raise HTTPException(422, result)
    return result
