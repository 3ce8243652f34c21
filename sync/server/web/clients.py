"""Clients: each client's attendance against the policy (this week, the last four weeks,
unexcused absences in the rolling window, at risk or not), a page per client with their
notices and sessions, adding a client (one-time enrolment code) and revoking access.

This week's figures and the at-risk flag are ``sync.server.attendance.client_summaries``
(the client app's domain code); the four-week figure runs the same domain
``week_summary`` over the previous weeks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from companion.domain.attendance import (
    Policy,
    UnexcusedCount,
    WeekSummary,
    counted_from,
    status_of,
    week_bounds,
    week_summary,
)
from companion.domain.schedule import Occurrence
from sync.protocol import ClientSummary
from sync.server import audit, lifecycle
from sync.server.attendance import client_summaries, program_marks
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp, unstamp
from sync.server.web import codes, pictures
from sync.server.web.attendance import program_occurrences, roster_url
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now, settings_of
from sync.server.web.present import ClientRow, client_row, notice_line, reply_line, when
from sync.server.web.render import not_found, page
from sync.wire import MAX_INT

router = APIRouter()
WEEKS = 4


def calendar_label(choice: bool | None, default: bool) -> str:
    """How a device's calendar feed shows sessions, and whose choice that is."""
    discreet = default if choice is None else choice
    what = "discreet" if discreet else "session titles"
    return f"{what} (program default)" if choice is None else f"{what} (their choice)"


def _four_weeks(
    occs: list[Occurrence], marks: dict, policy: Policy, at: datetime, week_start: datetime
) -> tuple[int, int]:
    """(attended, decided) over the four weeks before this one, week by week (``occs``:
    the sessions that count for this client)."""
    attended = decided = 0
    for n in range(1, WEEKS + 1):
        start = week_start - timedelta(days=7 * n)
        end = start + timedelta(days=7)
        week = week_summary([o for o in occs if start <= o.start < end], marks, policy, at, start)
        attended += week.attended
        decided += week.attended + week.missed + week.excused
    return attended, decided


def week_of(s: ClientSummary) -> WeekSummary:
    """The domain's week from a client's summary (what the policy functions take)."""
    w = s.week
    return WeekSummary(
        week_start=w.week_start,
        attended=w.attended,
        missed=w.missed,
        excused=w.excused,
        cancelled=0,
        remaining=w.remaining,
        unrecorded=0,
        counted=w.counted,
        threshold=w.threshold,
        needed_to_stay_above=w.needed_to_stay_above,
    )


def unexcused_of(s: ClientSummary, who: Coordinator) -> UnexcusedCount:
    return UnexcusedCount(s.unexcused, s.unexcused_limit, who.policy.window_days)


def _row(s: ClientSummary, month: tuple[int, int], who: Coordinator) -> ClientRow:
    week, unexcused = week_of(s), unexcused_of(s, who)
    return client_row(s.id, s.name, s.devices, s.revoked, week, month, unexcused, s.discharged)


def _load(tx: Tx, who: Coordinator, at: datetime, client_id: int | None) -> dict[str, Any]:
    summaries = client_summaries(tx, who.auth, at, client_id)
    week_start, _ = week_bounds(at, who.tz)
    since = week_start - timedelta(days=7 * WEEKS)
    # Through the next 7 days (the client page lists what is coming, on a Saturday too).
    occs = program_occurrences(tx, who, since, at + timedelta(days=7))
    marks = program_marks(tx, who.program.id, [s.id for s in summaries], since)
    clients = tx.clients_of(who.program.id, client_id)
    added = {c.id: unstamp(c.created_at) for c in clients}
    theirs = {s.id: counted_from(occs, added[s.id], marks[s.id]) for s in summaries}
    rows = [
        _row(s, _four_weeks(theirs[s.id], marks[s.id], who.policy, at, week_start), who)
        for s in summaries
    ]
    weeks = pictures.client_weeks(tx, who, at, clients)
    return {
        "rows": rows,
        "weeks": weeks,
        "occs": theirs,
        "marks": marks,
    }


def _load_viewed(tx: Tx, who: Coordinator, at: datetime) -> dict[str, Any]:
    audit.record(tx, who.auth, "clients.viewed", at, target="clients")
    return _load(tx, who, at, None)


@router.get("/clients", name="web_clients", include_in_schema=False)
async def clients(request: Request, who: SignedIn) -> Response:
    at = now(request)
    data = await database(request).write(_load_viewed, who, at)
    week_start, _ = week_bounds(at, who.tz)
    return page(
        request,
        "clients.html",
        who,
        section="clients",
        page_title="Clients",
        rows=data["rows"],
        sparks={
            r.id: pictures.spark(r.name, data["weeks"][r.id], who.policy.threshold)
            for r in data["rows"]
        },
        program_chart=pictures.line(
            who.program.name, pictures.program_weeks(data["weeks"]), who.policy.threshold
        ),
        policy=who.policy,
        policy_pct=f"{round(who.policy.threshold * 100)}%",
        discreet_default=who.program.discreet_default,
        week_label=week_start.strftime("%a %d %b"),
    )


@router.post("/clients", name="web_client_add", include_in_schema=False)
async def add(request: Request, who: SignedIn, form: Form) -> Response:
    at = now(request)
    if not str(form.get("name", "")).strip():
        return RedirectResponse("/clients?done=noclient", status_code=303)
    try:
        name = lifecycle.client_name(str(form.get("name", "")))
    except lifecycle.BadName:  # a name with control characters or line breaks
        return RedirectResponse("/clients?done=badname", status_code=303)
    days = settings_of(request).enrol_code_days
    made = await database(request).write(
        lifecycle.add_client, who.auth, who.program, name, at, days
    )
    # POST, redirect, GET: the client's page shows the code once; a reload adds nothing.
    response = RedirectResponse(f"/clients/{made['client_id']}?done=added", status_code=303)
    codes.show_once(response, request, made["client_id"], made["code"], made["expires_at"])
    return response


@router.get("/clients/{client_id}", name="web_client", include_in_schema=False)
async def client(request: Request, client_id: int, who: SignedIn) -> Response:
    at = now(request)
    if not 1 <= client_id <= MAX_INT:  # beyond any stored id (and SQLite's integers)
        return not_found(request, who, "client")

    def load(tx: Tx) -> dict[str, Any] | None:
        found = tx.clients_of(who.program.id, client_id)
        if not found:
            return None
        audit.record(tx, who.auth, "client.viewed", at, client_id=client_id)
        data = _load(tx, who, at, client_id)
        data["client"] = found[0]
        data["notices"] = tx.notices_page(who.program.id, client_id=client_id, limit=100)
        data["replies"] = tx.replies_to(r["id"] for r in data["notices"])
        data["history"] = tx.attendance_history_of(who.program.id, client_id)
        data["devices"] = [
            {
                "id": d["id"],
                "name": d["name"],
                "created": when(unstamp(d["created_at"]), who.tz),
                "revoked": when(unstamp(d["revoked_at"]), who.tz) if d["revoked_at"] else "",
                "calendar": calendar_label(d["discreet"], who.program.discreet_default),
            }
            for d in tx.devices_of(client_id)
        ]
        return data

    data = await database(request).write(load)
    if data is None:
        return not_found(request, who, "client")
    code = codes.take(request, client_id)
    enrolment = None
    if code is not None:
        enrolment = {"code": code[0], "expires": when(datetime.fromisoformat(code[1]), who.tz)}
    marks = data["marks"][client_id]
    occs = [o for o in data["occs"][client_id] if o.start <= at + timedelta(days=7)]
    history: dict[tuple[str, str], list[dict[str, str]]] = {}
    for h in data["history"]:  # oldest first: the last of each session stands
        history.setdefault((h["series_uid"], h["original_start"]), []).append({
            "status": h["status"].replace("_", " "), "by": h["email"] or "someone (before 0010)",
            "at": when(unstamp(h["at"]), who.tz),
        })  # fmt: skip
    sessions = []
    for o in reversed(occs):
        records = history.get((o.series_uid, stamp(o.original_start)), [])
        sessions.append({
            "when": when(o.start, who.tz), "title": o.title,
            "status": status_of(o, marks, at).label,
            "roster_url": roster_url(o.series_uid, o.original_start),
            "recorded": records[-1] if records else None, "earlier": records[:-1][::-1],
        })  # fmt: skip
    notices = []
    for r in data["notices"]:
        row = dict(r)
        for key in ("start", "created_at", "received_at", "original_start"):
            row[key] = unstamp(row[key])
        replies = [reply_line(x, who.tz) for x in data["replies"][r["id"]]]
        notices.append(notice_line(row, who.tz, replies))
    response = page(
        request,
        "client.html",
        who,
        section="clients",
        page_title=data["client"].name,
        client=data["client"],
        row=data["rows"][0],
        chart=pictures.line(data["client"].name, data["weeks"][client_id], who.policy.threshold),
        policy=who.policy,
        notices=notices,
        occurrences=sessions,
        devices=data["devices"],
        enrolment=enrolment,
        server_url=str(request.base_url).rstrip("/"),
    )
    if code is not None:
        codes.forget(response, request)
    return response
