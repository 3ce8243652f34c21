"""The inbox: absence notices newest first, filters, live updates, and acting on a notice
(acknowledge, reply, offer a make-up, attach catch-up materials).

Reads page by keyset (``Tx.notices_page``), so 10,000 notices cost what 25 do; every
write goes through the coordinator layer (``sync.server.coordinator``), which scopes it
to the coordinator's program and puts it on the changes feed for the client.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sync.protocol import ClientSummary, MakeupSlot, MaterialIn, ReplyIn
from sync.server import coordinator as ops
from sync.server.attendance import client_summaries
from sync.server.core import NotFound
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp, unstamp
from sync.server.web import acted, inputs
from sync.server.web.clients import unexcused_of, week_of
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now, safe_next
from sync.server.web.inputs import BadInput, day_range, record_id
from sync.server.web.materials import session_materials
from sync.server.web.present import day_end, day_start, notice_line, reply_line, risk_reason
from sync.server.web.render import bad_input, not_found, page

router = APIRouter()
PAGE_SIZE = 25
POLL_MS = 5000
STATUSES = [("", "All"), ("new", "New"), ("acknowledged", "Acknowledged"), ("replied", "Replied")]
MATERIAL_KINDS = ["handout", "notes", "recording", "other"]


def _rows(raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    for key in ("start", "created_at", "received_at", "original_start"):
        out[key] = unstamp(out[key])
    return out


@router.get("/inbox", name="web_inbox", include_in_schema=False)
async def inbox(request: Request, who: SignedIn) -> Response:
    q = request.query_params
    status = q.get("status", "")
    status = status if status in {s for s, _ in STATUSES} else ""
    try:
        client_id = record_id(q.get("client"))
        day_from, day_to = day_range(q.get("from"), q.get("to"))
    except BadInput as exc:
        return bad_input(request, who, str(exc))
    since = stamp(day_start(day_from, who.tz)) if day_from else None
    until = stamp(day_end(day_to, who.tz)) if day_to else None
    before = None
    if "|" in q.get("before", ""):
        stamp_before, _, nid = q["before"].partition("|")
        before = (stamp_before, nid)
    at = now(request)
    just = acted.take(request)

    def load(tx: Tx) -> dict[str, Any]:
        rows = tx.notices_page(
            who.program.id,
            status=status or None,
            client_id=client_id,
            since=since,
            until=until,
            before=before,
            limit=PAGE_SIZE + 1,
        )
        shown = rows[:PAGE_SIZE]
        if just is not None and before is None:
            shown = _keep_in_place(tx, who, shown, just.notice_id, client_id)
        ops.viewed(tx, who.auth, shown, at)  # the page shows their text: audit entries
        return {
            "rows": shown,
            "more": len(rows) > PAGE_SIZE,
            "replies": tx.replies_to(r["id"] for r in shown),
            "materials": tx.materials_of_sessions(
                who.program.id, ((r["series_uid"], r["original_start"]) for r in shown)
            ),
            "latest": tx.newest_notice_key(who.program.id),
            "clients": tx.clients_of(who.program.id),
            "summaries": client_summaries(tx, who.auth, at),
        }

    data = await database(request).write(load)
    filters = {
        "status": status,
        "client": client_id,
        "date_from": day_from.isoformat() if day_from else "",
        "date_to": day_to.isoformat() if day_to else "",
    }

    def filter_url(**change: Any) -> str:
        params = {
            "status": status,
            "client": client_id or "",
            "from": filters["date_from"],
            "to": filters["date_to"],
            **change,
        }
        query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
        return "/inbox" + (f"?{query}" if query else "")

    notices = [
        notice_line(_rows(r), who.tz, [reply_line(x, who.tz) for x in data["replies"][r["id"]]])
        for r in data["rows"]
    ]
    back = _without_done(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    notice_materials = {
        r["id"]: session_materials(
            data["materials"][(r["series_uid"], r["original_start"])], who.tz,
            f"{back}#notice-{r['id']}",
        )
        for r in data["rows"]
    }  # fmt: skip
    older = None
    if data["more"]:
        last = data["rows"][-1]
        older = filter_url(before=f"{last['received_at']}|{last['id']}")
    at_risk = [
        {"id": s.id, "name": s.name, "reason": _risk_reason(s, who)}
        for s in data["summaries"]
        if s.at_risk and not s.revoked
    ]
    export_query = urlencode({
        k: v for k, v in (("status", status), ("client", client_id or ""),
                          ("from", filters["date_from"]), ("to", filters["date_to"])) if v
    })  # fmt: skip
    export = "/export/notices.csv" + (f"?{export_query}" if export_query else "")
    response = page(
        request,
        "inbox.html",
        who,
        section="inbox",
        page_title="Inbox",
        notices=notices,
        filters=filters,
        statuses=STATUSES,
        clients=data["clients"],
        filter_url=filter_url,
        older_url=older,
        first_page=before is None,
        latest=data["latest"],
        poll_ms=POLL_MS,
        at_risk=at_risk,
        export_url=export,
        material_kinds=MATERIAL_KINDS,
        marked={just.notice_id: just.label} if just else {},
        back=back,
        notice_materials=notice_materials,
    )
    if just is not None:
        acted.forget(response, request)
    return response


def _keep_in_place(
    tx: Tx, who: Coordinator, shown: list[dict[str, Any]], notice_id: str, client_id: int | None
) -> list[dict[str, Any]]:
    """The page's notices with the one just acted on kept among them (in the "New" tab it
    is no longer new), in its place by arrival; another program's id finds nothing."""
    if any(r["id"] == notice_id for r in shown):
        return shown
    found = tx.notices_of(who.program.id, notice_id=notice_id, limit=1)
    if not found or (client_id is not None and found[0]["client_id"] != client_id):
        return shown
    row = found[0]
    if shown and len(shown) >= PAGE_SIZE and row["received_at"] < shown[-1]["received_at"]:
        return shown  # older than this page: it was not on it
    rows = [*shown, row]
    rows.sort(key=lambda r: (r["received_at"], r["id"]), reverse=True)
    return rows


def _risk_reason(s: ClientSummary, who: Coordinator) -> str:
    return risk_reason(week_of(s), unexcused_of(s, who))


@router.get("/inbox/latest", name="web_inbox_latest", include_in_schema=False)
async def latest(request: Request, who: SignedIn) -> Response:
    """What the live-update script polls: changes whenever a notice arrives."""

    def load(tx: Tx) -> dict[str, Any]:
        return {
            "latest": tx.newest_notice_key(who.program.id),
            "new": tx.count_new_notices(who.program.id),
        }

    data = await database(request).read(load)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def _without_done(target: str) -> str:
    """``target`` without any ``done`` marker in its query (they must not pile up)."""
    parts = urlsplit(target)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "done"])
    return parts.path + (f"?{query}" if query else "")


def _back(
    request: Request, form: Any, done: str, notice_id: str, *, marked: bool = False
) -> RedirectResponse:
    """POST/redirect/GET back to the inbox page the form came from, with one ``done`` key
    for the flash; ``marked``: the notice stays in place, marked, on that page."""
    target = _without_done(safe_next(str(form.get("back", "")), "/inbox"))
    sep = "&" if "?" in target else "?"
    response = RedirectResponse(f"{target}{sep}done={done}#notice-{notice_id}", status_code=303)
    if marked and target.startswith("/inbox"):
        acted.remember(response, request, notice_id, done)
    return response


@router.post("/inbox/{notice_id}/ack", name="web_notice_ack", include_in_schema=False)
async def acknowledge(request: Request, notice_id: str, who: SignedIn, form: Form) -> Response:
    at = now(request)
    result = await database(request).write(ops.acknowledge, who.auth, notice_id, at)
    if isinstance(result, NotFound):
        return not_found(request, who, "notice")
    return _back(request, form, "acknowledged", notice_id, marked=True)


SLOT_ROWS = ("", "2", "3")  # the reply form's make-up slot rows: makeup_date, makeup_date2...


def _makeups(form: Any, who: Coordinator, title: str) -> list[MakeupSlot]:
    """The make-up slots (up to three) the form's slot rows describe; empty rows skipped."""
    found = (_makeup(form, who, title, row) for row in SLOT_ROWS)
    return [slot for slot in found if slot is not None]


def _makeup(form: Any, who: Coordinator, title: str, row: str = "") -> MakeupSlot | None:
    """The make-up slot one row of the form describes (None: the row is empty)."""
    day = inputs.day(str(form.get("makeup_date" + row, "")), "makeup_date")
    raw_time = str(form.get("makeup_time" + row, ""))
    if day is None and not raw_time:
        return None
    try:
        clock = time.fromisoformat(raw_time)
        minutes = int(str(form.get("makeup_minutes" + row, "60")))
    except ValueError as exc:
        raise ValueError("give the make-up's date, time and length") from exc
    if day is None or not 5 <= minutes <= 600:
        raise ValueError("give the make-up's date, time and length")
    start = datetime.combine(day, clock, tzinfo=who.tz)
    return MakeupSlot(
        start=start,
        end=start + timedelta(minutes=minutes),
        join_url=str(form.get("makeup_url" + row, "")).strip(),
        title=f"Make-up: {title}"[:200],
    )


def _material(form: Any, found: Any) -> MaterialIn | None:
    """The material the form attaches (None: title and link left empty); raises
    ValidationError for a title or link that cannot be stored."""
    title = str(form.get("title", "")).strip()
    url = str(form.get("url", "")).strip()
    if not title and not url:
        return None
    kind = str(form.get("kind", "other"))
    return MaterialIn(
        series_uid=found.series_uid,
        original_start=found.original_start,
        kind=kind if kind in MATERIAL_KINDS else "other",  # type: ignore[arg-type]
        title=title,
        url=url,
        note=str(form.get("note", "")).strip(),
    )


def _reply_and_attach(tx: Tx, who: Coordinator, notice_id: str, body: ReplyIn | None,
                      material: MaterialIn | None, at: datetime) -> Any:  # fmt: skip
    """One transaction: the material (if any), then the reply (if any). Every refusal is
    found before anything is written, so a refused form changes nothing."""
    for slot in body.slots() if body is not None else []:
        problem = ops.check_makeup(slot, at)
        if problem is not None:
            return problem
    if material is not None:
        added = ops.add_material(tx, who.auth, material, at)
        if isinstance(added, NotFound | ops.Invalid):
            return "nosession"
    if body is not None:
        return ops.reply(tx, who.auth, notice_id, body, at)
    return None


@router.post("/inbox/{notice_id}/reply", name="web_notice_reply", include_in_schema=False)
async def reply(request: Request, notice_id: str, who: SignedIn, form: Form) -> Response:
    """The notice's one form: a reply, a make-up slot and materials, any of them."""
    db = database(request)
    found = await db.read(ops.get_notice, who.auth, notice_id)
    if isinstance(found, NotFound):
        return not_found(request, who, "notice")
    try:
        slots = _makeups(form, who, found.title)
    except ValidationError as exc:
        link = any(e["loc"][:1] == ("join_url",) for e in exc.errors())
        return _back(request, form, "badmakeuplink" if link else "badmakeup", notice_id)
    except ValueError:  # a date, time or length that cannot be read (BadInput included)
        return _back(request, form, "badmakeup", notice_id)
    try:
        material = _material(form, found)
    except ValidationError:
        return _back(request, form, "badlink", notice_id)
    try:
        body = ReplyIn(text=str(form.get("text", "")).strip(), makeups=slots)
    except ValidationError:
        return _back(request, form, "badmakeup" if slots else "badreply", notice_id)
    reply_body = body if body.text or body.makeups else None
    if reply_body is None and material is None:
        return _back(request, form, "emptyreply", notice_id)
    result = await db.write(_reply_and_attach, who, notice_id, reply_body, material, now(request))
    if isinstance(result, NotFound):
        return not_found(request, who, "notice")
    if result == "nosession":
        return _back(request, form, "nosession", notice_id)
    if isinstance(result, ops.Invalid):
        return _back(request, form, "pastmakeup", notice_id)
    done = "makeup" if slots else "replied" if reply_body else ""
    done = f"{done}-materials" if done and material else done or "materials"
    return _back(request, form, done, notice_id, marked=True)


@router.post("/inbox/{notice_id}/materials", name="web_notice_materials", include_in_schema=False)
async def materials(request: Request, notice_id: str, who: SignedIn, form: Form) -> Response:
    """Materials alone (the notice's form posts them with the reply)."""
    db = database(request)
    found = await db.read(ops.get_notice, who.auth, notice_id)
    if isinstance(found, NotFound):
        return not_found(request, who, "notice")
    try:
        material = _material(form, found)
    except ValidationError:
        return _back(request, form, "badlink", notice_id)
    if material is None:
        return _back(request, form, "badlink", notice_id)
    result = await db.write(ops.add_material, who.auth, material, now(request))
    if isinstance(result, NotFound):
        return not_found(request, who, "notice")
    if isinstance(result, ops.Invalid):
        return _back(request, form, "nosession", notice_id)
    return _back(request, form, "materials", notice_id, marked=True)
