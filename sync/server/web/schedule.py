"""Schedule: the program's series, created and edited in a form, and single sessions
cancelled. Every change goes through the coordinator layer, which bumps SEQUENCE and puts
it on the changes feed (and so in clients' apps and calendar feeds)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from companion.domain.schedule import Kind, ScheduleError, expand, rule_from_words, rule_in_words
from sync.protocol import SeriesWire, series_from_wire
from sync.server import coordinator as ops
from sync.server.core import NotFound
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp
from sync.server.web import forms, inputs
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now
from sync.server.web.present import when
from sync.server.web.render import not_found, page
from sync.wire import describe

router = APIRouter()
UPCOMING_DAYS = 28


def _row(wire: SeriesWire, who: Coordinator, at: datetime) -> dict[str, Any]:
    series = series_from_wire(wire, "program")
    upcoming = expand(series, at, at + timedelta(days=UPCOMING_DAYS))
    return {
        "uid": wire.uid,
        "title": wire.title,
        "kind": wire.kind.label,
        "facilitator": wire.facilitator,
        "start": when(series.start, who.tz),
        "repeat": rule_in_words(wire.rrule),
        "duration": wire.duration_min,
        "upcoming": [
            {
                "value": stamp(o.original_start),
                "label": when(o.start, who.tz),
                "cancelled": o.cancelled,
            }
            for o in upcoming
        ],
    }


@router.get("/schedule", name="web_schedule", include_in_schema=False)
async def schedule(request: Request, who: SignedIn) -> Response:
    wires = await database(request).read(ops.list_series, who.auth)
    at = now(request)
    return page(
        request,
        "schedule.html",
        who,
        section="schedule",
        page_title="Schedule",
        series=[_row(w, who, at) for w in wires],
    )


def _form_values(wire: SeriesWire | None, who: Coordinator) -> dict[str, Any]:
    if wire is None:
        return {
            "title": "",
            "kind": "group",
            "start": "",
            "duration": 180,
            "repeat": "",
            "join_url": "",
            "facilitator": "",
        }
    start = (
        wire.start_local.replace(tzinfo=who.tz)
        if wire.tzid == who.program.timezone
        else (series_from_wire(wire).start.astimezone(who.tz))
    )
    return {
        "title": wire.title,
        "kind": wire.kind.value,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "duration": wire.duration_min,
        "repeat": rule_in_words(wire.rrule) if wire.rrule else "once",
        "join_url": wire.join_url,
        "facilitator": wire.facilitator,
    }


def _form_page(
    request: Request,
    who: Coordinator,
    *,
    values: dict[str, Any],
    action: str,
    editing: bool,
    error: str = "",
    status: int = 200,
) -> Response:
    return page(
        request,
        "series_form.html",
        who,
        section="schedule",
        status=status,
        page_title="Edit series" if editing else "New series",
        form=values,
        action=action,
        editing=editing,
        error=error,
        kinds=list(Kind),
    )


def _wire_from_form(form: Any, who: Coordinator, old: SeriesWire | None) -> SeriesWire:
    """A series from the form; raises ValueError with a message a person can act on."""
    try:
        start = datetime.fromisoformat(str(form.get("start", "")))
    except ValueError as exc:
        raise ValueError("give the first session's date and time") from exc
    try:
        duration = int(str(form.get("duration", "")))
    except ValueError as exc:
        raise ValueError("give the length in minutes") from exc
    rule = rule_from_words(str(form.get("repeat", "")))
    kind = str(form.get("kind", "other"))
    values = {
        "uid": old.uid if old else f"{uuid.uuid4()}@companion",
        "title": str(form.get("title", "")).strip(),
        "kind": kind if kind in {k.value for k in Kind} else "other",
        "tzid": who.program.timezone,
        "start_local": start.replace(tzinfo=None),
        "duration_min": duration,
        "rrule": rule,
        "join_url": str(form.get("join_url", "")).strip(),
        "facilitator": str(form.get("facilitator", "")).strip(),
    }
    if old is not None:
        values |= {
            "rdates": old.rdates,
            "reminders_min": old.reminders_min,
            "sequence": old.sequence,
            "overrides": old.overrides,
            # what the form does not show stays as the program's calendar had it
            "description": old.description,
            "location": old.location,
            "cancelled_from": old.cancelled_from,
        }
    wire = SeriesWire.model_validate(values)
    series_from_wire(wire)  # raises ScheduleError for a rule or time that cannot expand
    return wire


# The form's words for the wire model's fields, in the one-line reason of a refusal.
FIELD_LABELS = {
    "start_local": "first session",
    "duration_min": "length",
    "join_url": "join link",
    "rrule": "repeat",
    "title": "title",
    "facilitator": "facilitator",
}


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first: dict[str, Any] = dict(exc.errors()[0])
        loc: tuple[Any, ...] = tuple(first.get("loc", ()))
        first["loc"] = tuple(FIELD_LABELS.get(str(p), str(p)) for p in loc)
        return describe(first)
    return str(exc)


@router.get("/schedule/new", name="web_series_new", include_in_schema=False)
async def new_form(request: Request, who: SignedIn) -> Response:
    return _form_page(
        request, who, values=_form_values(None, who), action="/schedule/new", editing=False
    )


@router.post("/schedule/new", name="web_series_create", include_in_schema=False)
async def create(request: Request, who: SignedIn, form: Form) -> Response:
    try:
        wire = _wire_from_form(form, who, None)
    except (ValueError, ScheduleError, ValidationError) as exc:
        return _form_page(
            request,
            who,
            values=dict(form),
            action="/schedule/new",
            editing=False,
            error=_problem(exc),
            status=422,
        )
    result = await database(request).write(_save, who, wire, now(request), True)
    if isinstance(result, ops.Invalid | ops.Exists):
        return _form_page(
            request,
            who,
            values=dict(form),
            action="/schedule/new",
            editing=False,
            error=result.detail,
            status=422,
        )
    return RedirectResponse("/schedule?done=series", status_code=303)


@router.get("/schedule/{uid:path}/edit", name="web_series_edit", include_in_schema=False)
async def edit_form(request: Request, uid: str, who: SignedIn) -> Response:
    wire = await database(request).read(ops.find_series, who.auth, uid)
    if wire is None:
        return not_found(request, who, "series")
    return _form_page(
        request,
        who,
        values=_form_values(wire, who),
        action=f"/schedule/{quote(uid, safe='')}/edit",
        editing=True,
    )


@router.post("/schedule/{uid:path}/edit", name="web_series_update", include_in_schema=False)
async def update(request: Request, uid: str, who: SignedIn, form: Form) -> Response:
    db = database(request)
    old = await db.read(ops.find_series, who.auth, uid)
    if old is None:
        return not_found(request, who, "series")
    try:
        wire = _wire_from_form(form, who, old)
    except (ValueError, ScheduleError, ValidationError) as exc:
        return _form_page(
            request,
            who,
            values=dict(form),
            action=f"/schedule/{quote(uid, safe='')}/edit",
            editing=True,
            error=_problem(exc),
            status=422,
        )
    result = await db.write(_save, who, wire, now(request), False)
    if isinstance(result, NotFound):
        return not_found(request, who, "series")
    if isinstance(result, ops.Invalid):
        return _form_page(
            request,
            who,
            values=dict(form),
            action=f"/schedule/{quote(uid, safe='')}/edit",
            editing=True,
            error=result.detail,
            status=422,
        )
    return RedirectResponse("/schedule?done=series", status_code=303)


def _save(tx: Tx, who: Coordinator, wire: SeriesWire, at: datetime, create: bool) -> object:
    return ops.save_series(tx, who.auth, wire, at, create=create)


def _ask_delete(request: Request, who: Coordinator, wire: SeriesWire) -> Response:
    return forms.confirm_page(
        request, who, title=f"Remove {wire.title}?", section="schedule",
        message=f"Every session of {wire.title} leaves clients' apps and calendars at their "
        "next sync. Recorded attendance stays in the record.",
        action=f"/schedule/{quote(wire.uid, safe='')}/delete", button="Remove the series",
        cancel="/schedule",
    )  # fmt: skip


@router.get("/schedule/{uid:path}/delete", name="web_series_delete_confirm",
            include_in_schema=False)  # fmt: skip
async def delete_confirm(request: Request, uid: str, who: SignedIn) -> Response:
    wire = await database(request).read(ops.find_series, who.auth, uid)
    if wire is None:
        return not_found(request, who, "series")
    return _ask_delete(request, who, wire)


@router.post("/schedule/{uid:path}/delete", name="web_series_delete", include_in_schema=False)
async def delete(request: Request, uid: str, who: SignedIn, form: Form) -> Response:
    if not forms.confirmed(form):
        wire = await database(request).read(ops.find_series, who.auth, uid)
        if wire is None:
            return not_found(request, who, "series")
        return _ask_delete(request, who, wire)
    result = await database(request).write(ops.delete_series, who.auth, uid, now(request))
    if isinstance(result, NotFound):
        return not_found(request, who, "series")
    return RedirectResponse("/schedule?done=removed", status_code=303)


async def _ask_cancel(request: Request, who: Coordinator, uid: str, raw: str) -> Response:
    """The page asking before one session is cancelled (404: no such session)."""
    try:
        original = inputs.instant(raw, "original_start")
    except inputs.BadInput:
        return not_found(request, who, "session")
    wire = await database(request).read(ops.find_series, who.auth, uid)
    if wire is None or not ops.occurs(wire, original):
        return not_found(request, who, "session")
    moved = ops.actual_start(wire, original)
    return forms.confirm_page(
        request, who, title=f"Cancel {wire.title} on {when(moved, who.tz)}?",
        section="schedule",
        message="Clients' apps and calendars drop this session at their next sync. "
        "It cannot be cancelled once attendance is recorded.",
        action=f"/schedule/{quote(uid, safe='')}/cancel", button="Cancel the session",
        cancel="/schedule", fields=[("original_start", stamp(original))],
    )  # fmt: skip


@router.get("/schedule/{uid:path}/cancel", name="web_series_cancel_confirm",
            include_in_schema=False)  # fmt: skip
async def cancel_confirm(request: Request, uid: str, who: SignedIn) -> Response:
    return await _ask_cancel(request, who, uid, request.query_params.get("original_start", ""))


@router.post("/schedule/{uid:path}/cancel", name="web_series_cancel", include_in_schema=False)
async def cancel(request: Request, uid: str, who: SignedIn, form: Form) -> Response:
    if not forms.confirmed(form):
        return await _ask_cancel(request, who, uid, str(form.get("original_start", "")))
    try:
        original = inputs.instant(str(form.get("original_start", "")), "original_start")
    except inputs.BadInput:
        return not_found(request, who, "session")
    result = await database(request).write(
        ops.cancel_occurrence, who.auth, uid, original, now(request)
    )
    if isinstance(result, ops.Invalid) and result.detail == ops.HAS_ATTENDANCE:
        return RedirectResponse("/schedule?done=recorded", status_code=303)
    if isinstance(result, NotFound | ops.Invalid):
        return not_found(request, who, "session")
    return RedirectResponse("/schedule?done=cancelled", status_code=303)
