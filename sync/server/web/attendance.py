"""Attendance: the week's occurrences and, for each, a roster of who attended.

Recording goes through ``sync.server.attendance.record_attendance`` (the program's
authoritative record; an absence with an advance notice becomes excused there), which
puts each client's status on the changes feed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from companion.domain.attendance import enrolled_by, week_bounds
from companion.domain.notices import makeup_reply_id, makeup_uid
from companion.domain.schedule import Occurrence, expand_all
from sync.protocol import AttendanceIn, RosterEntry, series_from_wire
from sync.server import audit
from sync.server import coordinator as ops
from sync.server.attendance import NOT_STARTED, makeup_attendees, record_attendance
from sync.server.core import NotFound
from sync.server.makeups import offered
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow
from sync.server.storage.tables import stamp, unstamp
from sync.server.web import inputs
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now
from sync.server.web.materials import KINDS, session_materials
from sync.server.web.present import when
from sync.server.web.render import bad_input, not_found, page

router = APIRouter()
# A client's standing record of a session, as a roster says it.
RECORDED = {"attended": "attended", "missed": "absent", "excused": "excused",
            "made_up": "made up"}  # fmt: skip


def on_roster(client: ClientRow) -> bool:
    """Whether a client belongs on a session's roster (not revoked, not discharged)."""
    return client.revoked_at is None and client.discharged_at is None


def roster_url(series_uid: str, original_start: datetime) -> str:
    query = urlencode({"series": series_uid, "start": stamp(original_start)})
    return f"/attendance/roster?{query}"


def program_occurrences(
    tx: Tx, who: Coordinator, start: datetime, end: datetime
) -> list[Occurrence]:
    """The program's occurrences overlapping ``[start, end)``, expanded by the domain code."""
    wires = ops.list_series(tx, who.auth)
    return expand_all([series_from_wire(w, "program") for w in wires], start, end)


@router.get("/attendance", name="web_attendance", include_in_schema=False)
async def week(request: Request, who: SignedIn) -> Response:
    try:
        day: date | None = inputs.day(request.query_params.get("week"), "week")
    except inputs.BadInput as exc:
        return bad_input(request, who, str(exc))
    anchor = datetime.combine(day, datetime.min.time(), tzinfo=who.tz) if day else now(request)
    start, end = week_bounds(anchor, who.tz)

    def load(tx: Tx) -> dict[str, Any]:
        since, until = stamp(start - timedelta(days=1)), stamp(end + timedelta(days=1))
        clients = tx.clients_of(who.program.id)
        return {
            "occurrences": program_occurrences(tx, who, start, end),
            "recorded": Counter(
                (uid, s)
                for _c, uid, s, _st, _at in tx.attendance_between(who.program.id, since, until)
            ),
            "notices": Counter(
                (uid, s) for _c, uid, s, _t in tx.notice_keys_between(who.program.id, since, until)
            ),
            "clients": sum(1 for c in clients if on_roster(c)),
            "makeups": week_makeups(tx, who.program.id, clients, start, end),
        }

    data = await database(request).read(load)
    rows = [
        {
            "when": when(o.start, who.tz),
            "start": o.start,
            "title": o.title,
            "cancelled": o.cancelled,
            "recorded": data["recorded"][(o.series_uid, stamp(o.original_start))],
            "notices": data["notices"][(o.series_uid, stamp(o.original_start))],
            "total": data["clients"],
            "roster_url": roster_url(o.series_uid, o.original_start),
        }
        for o in data["occurrences"]
    ]
    recorded = data["recorded"]
    for m in data["makeups"]:  # each picked make-up has a roster of one
        key = (makeup_uid(m.reply_id), stamp(m.start))
        rows.append({
            "when": when(m.start, who.tz), "title": m.title, "makeup_for": m.client_name,
            "start": m.start, "cancelled": False, "recorded": recorded[key], "notices": 0,
            "total": 1, "roster_url": roster_url(key[0], m.start),
        })  # fmt: skip
    rows.sort(key=lambda r: r["start"])
    week_of = lambda d: "/attendance?week=" + d.date().isoformat()  # noqa: E731
    return page(
        request,
        "attendance.html",
        who,
        section="attendance",
        page_title="Attendance",
        occurrences=rows,
        week_label=start.strftime("%a %d %b %Y"),
        prev_url=week_of(start - timedelta(days=7)),
        next_url=week_of(start + timedelta(days=7)),
    )


@dataclass(frozen=True, slots=True)
class PickedMakeup:
    """A make-up slot a client picked, as the week's list shows it."""

    reply_id: int
    title: str
    start: datetime
    client_name: str


def week_makeups(tx: Tx, program_id: int, clients: list[ClientRow], start: datetime,
                 end: datetime) -> list[PickedMakeup]:  # fmt: skip
    """The make-ups ``clients`` picked that start in ``[start, end)`` (issue 14): each has
    its own roster, of the one client who picked it."""
    names = {c.id: c.name for c in clients}
    out = []
    for reply_id, row in tx.standing_choices(program_id=program_id).items():
        if row["slot"] is None or row["client_id"] not in names:
            continue  # declined, or no longer a client of the program
        begins = unstamp(row["start"])
        if not start <= begins < end:
            continue
        slots = offered(tx, reply_id, row["client_id"])
        title = slots[row["slot"] - 1].title if len(slots) >= row["slot"] else "Make-up session"
        out.append(PickedMakeup(reply_id, title, begins, names[row["client_id"]]))
    return out


def _find(tx: Tx, who: Coordinator, uid: str, start: datetime) -> Occurrence | None:
    wire = ops.find_series(tx, who.auth, uid)
    if wire is None or not ops.occurs(wire, start):
        return None
    series = series_from_wire(wire, "program")
    near = expand_all([series], start - timedelta(days=60), start + timedelta(days=60))
    return next((o for o in near if o.original_start == start), None)


@dataclass(frozen=True, slots=True)
class MakeupOccurrence:
    """A make-up a client picked, as its roster shows it."""

    title: str
    start: datetime


def _makeup_roster(
    tx: Tx, who: Coordinator, uid: str, start: datetime
) -> tuple[MakeupOccurrence | None, list[ClientRow]]:
    """The make-up ``uid`` at ``start`` and the client who picked it (issue 14)."""
    reply_id = makeup_reply_id(uid)
    if reply_id is None:
        return None, []
    choice = makeup_attendees(tx, who.program.id, reply_id, start)
    if choice is None:
        return None, []
    slots = offered(tx, reply_id, choice["client_id"])
    title = slots[choice["slot"] - 1].title if len(slots) >= choice["slot"] else "Make-up"
    return MakeupOccurrence(title, start), list(tx.clients_of(who.program.id, choice["client_id"]))


@router.get("/attendance/roster", name="web_roster", include_in_schema=False)
async def roster(request: Request, who: SignedIn) -> Response:
    key = inputs.occurrence(request.query_params)
    if key is None:
        return not_found(request, who, "session")
    uid, start = key
    s0, s1 = stamp(start), stamp(start + timedelta(seconds=1))

    def load(tx: Tx) -> dict[str, Any] | None:
        occ: MakeupOccurrence | Occurrence | None
        occ, clients = _makeup_roster(tx, who, uid, start)
        if occ is None:
            occ = _find(tx, who, uid, start)
            clients = [c for c in tx.clients_of(who.program.id) if on_roster(c)]
        if occ is None:
            return None
        return {
            "occ": occ,
            "clients": clients,
            "by": tx.recorders(who.program.id, uid, s0),
            "recorded": {
                c: st
                for c, u, _s, st, _a in tx.attendance_between(who.program.id, s0, s1)
                if u == uid
            },
            "notices": {
                c: t for c, u, _s, t in tx.notice_keys_between(who.program.id, s0, s1) if u == uid
            },
            "materials": tx.materials_of_session(who.program.id, uid, s0),
        }

    def load_viewed(tx: Tx) -> dict[str, Any] | None:
        data = load(tx)
        if data is not None:  # the roster shows every client's record of the session
            audit.record(tx, who.auth, "clients.viewed", at,
                         target="roster " + audit.session_key(uid, start))  # fmt: skip
        return data

    at = now(request)
    data = await database(request).write(load_viewed)
    if data is None:
        return not_found(request, who, "session")
    cancelled = getattr(data["occ"], "cancelled", False)
    rows = []
    for c in data["clients"]:
        recorded = data["recorded"].get(c.id)
        notice = data["notices"].get(c.id)
        if (
            recorded is None
            and notice is None
            and not enrolled_by(data["occ"], unstamp(c.created_at), who.tz)
        ):
            continue  # added after that day: not on this session's roster
        choice = {
            "attended": "attended",
            "made_up": "attended",
            "missed": "absent",
            "excused": "absent",
        }.get(recorded or "", "absent" if notice else "")
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "choice": choice,
                "recorded": "cancelled" if cancelled else RECORDED.get(recorded or "", ""),
                "by": data["by"].get(c.id, ""),
                "notice": {"advance": "advance notice", "after": "told after"}.get(
                    notice or "", ""
                ),
            }
        )
    occ = data["occ"]
    return page(
        request,
        "roster.html",
        who,
        section="attendance",
        page_title=f"Roster · {occ.title}",
        rows=rows,
        action=roster_url(uid, start),
        occ={"title": occ.title, "when": when(occ.start, who.tz), "cancelled": cancelled},
        mats=session_materials(data["materials"], who.tz, roster_url(uid, start) + "#materials"),
        attach_action="/attendance/roster/materials?" + roster_url(uid, start).partition("?")[2],
        materials_back=roster_url(uid, start) + "#materials",
        material_kinds=KINDS,
    )


@router.post("/attendance/roster", name="web_roster_save", include_in_schema=False)
async def save_roster(request: Request, who: SignedIn, form: Form) -> Response:
    key = inputs.occurrence(request.query_params)
    if key is None:
        return not_found(request, who, "session")
    uid, start = key
    entries = []
    for name, value in form.multi_items():
        if name.startswith("c") and name[1:].isdigit() and value in ("attended", "absent"):
            entries.append(RosterEntry(client_id=int(name[1:]), status=value))  # type: ignore[arg-type]
    if not entries:
        return RedirectResponse(roster_url(uid, start), status_code=303)
    try:
        body = AttendanceIn(series_uid=uid, original_start=start, roster=entries)
    except ValidationError:
        return not_found(request, who, "session")
    result = await database(request).write(record_attendance, who.auth, body, now(request))
    if isinstance(result, ops.Invalid) and result.detail == NOT_STARTED:
        return RedirectResponse(roster_url(uid, start) + "&done=notyet", status_code=303)
    if isinstance(result, NotFound | ops.Invalid):
        return not_found(request, who, "session or client")
    return RedirectResponse(roster_url(uid, start) + "&done=attendance", status_code=303)
