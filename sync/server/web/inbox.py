"""The inbox: absence notices newest first, filters, live updates, and acting on a notice
(acknowledge, reply, offer a make-up, attach catch-up materials).

Reads page by keyset (``Tx.notices_page``), so 10,000 notices cost what 25 do; every
write goes through the coordinator layer (``sync.server.coordinator``), which scopes it
to the coordinator's program and puts it on the changes feed for the client.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sync.protocol import MakeupSlot, MaterialIn, ReplyIn
from sync.server import coordinator as ops
from sync.server.attendance import client_summaries
from sync.server.core import NotFound
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp, unstamp
from sync.server.web import inputs
from sync.server.web.deps import Coordinator, Form, SignedIn, database, now, safe_next
from sync.server.web.inputs import BadInput, day_range, record_id
from sync.server.web.materials import session_materials
from sync.server.web.present import day_end, day_start, notice_line, reply_line
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
        ops.viewed(tx, who.auth, shown, at)  # the page shows their text: audit entries
        return {
            "rows": shown,
            "more": len(rows) > PAGE_SIZE,
            "replies": tx.replies_to(r["id"] for r in shown),
            "materials": tx.materials_of_sessions(
                who.program.id, ((r["series_uid"], r["original_start"]) for r in shown)
            ),
            "new_count": tx.count_new_notices(who.program.id),
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
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
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
    export = "/export/notices.csv" + (
        "?" + urlencode({"from": filters["date_from"], "to": filters["date_to"]})
        if day_from or day_to
        else ""
    )
    return page(
        request,
        "inbox.html",
        who,
        section="inbox",
        page_title="Inbox",
        new_count=data["new_count"],
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
        notice_materials=notice_materials,
        back=back,
    )


def _risk_reason(s: Any, who: Coordinator) -> str:
    week = s.week
    if week.needed_to_stay_above is None:
        return f"{week.attended} of {week.counted}, policy {round(week.threshold * 100)}%"
    return f"{s.unexcused} unexcused in {who.policy.window_days} days"


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


def _back(form: Any, done: str, anchor: str = "") -> RedirectResponse:
    target = safe_next(str(form.get("back", "")), "/inbox")
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={done}{anchor}", status_code=303)


@router.post("/inbox/{notice_id}/ack", name="web_notice_ack", include_in_schema=False)
async def acknowledge(request: Request, notice_id: str, who: SignedIn, form: Form) -> Response:
    at = now(request)
    result = await database(request).write(ops.acknowledge, who.auth, notice_id, at)
    if isinstance(result, NotFound):
        return not_found(request, who, "notice")
    return _back(form, "acknowledged", f"#notice-{notice_id}")


def _makeup(form: Any, who: Coordinator, title: str) -> MakeupSlot | None:
    """The make-up slot the form describes (None: the form offers none)."""
    day = inputs.day(str(form.get("makeup_date", "")), "makeup_date")
    raw_time = str(form.get("makeup_time", ""))
    if day is None and not raw_time:
        return None
    try:
        clock = time.fromisoformat(raw_time)
        minutes = int(str(form.get("makeup_minutes", "60")))
    except ValueError as exc:
        raise ValueError("give the make-up's date, time and length") from exc
    if day is None or not 5 <= minutes <= 600:
        raise ValueError("give the make-up's date, time and length")
    start = datetime.combine(day, clock, tzinfo=who.tz)
    return MakeupSlot(
        start=start,
        end=start + timedelta(minutes=minutes),
        join_url=str(form.get("makeup_url", "")).strip(),
        title=f"Make-up: {title}"[:200],
    )


@router.post("/inbox/{notice_id}/reply", name="web_notice_reply", include_in_schema=False)
async def reply(request: Request, notice_id: str, who: SignedIn, form: Form) -> Response:
    db = database(request)
    found = await db.read(ops.get_notice, who.auth, notice_id)
    if isinstance(found, NotFound):
        return not_found(request, who, "notice")
    anchor = f"#notice-{notice_id}"
    try:
        slot = _makeup(form, who, found.title)
    except ValidationError as exc:
        link = any(e["loc"][:1] == ("join_url",) for e in exc.errors())
        return _back(form, "badmakeuplink" if link else "badmakeup", anchor)
    except ValueError:  # a date, time or length that cannot be read (BadInput included)
        return _back(form, "badmakeup", anchor)
    try:
        body = ReplyIn(text=str(form.get("text", "")).strip(), makeup=slot)
    except ValidationError:
        return _back(form, "badreply", anchor)
    if not body.text and body.makeup is None:
        return _back(form, "emptyreply", anchor)
    result = await db.write(ops.reply, who.auth, notice_id, body, now(request))
    if isinstance(result, NotFound):
        return not_found(request, who, "notice")
    if isinstance(result, ops.Invalid):
        return _back(form, "pastmakeup", anchor)
    return _back(form, "makeup" if slot else "replied", f"#notice-{notice_id}")


@router.post("/inbox/{notice_id}/materials", name="web_notice_materials", include_in_schema=False)
async def materials(request: Request, notice_id: str, who: SignedIn, form: Form) -> Response:
    db = database(request)
    found = await db.read(ops.get_notice, who.auth, notice_id)
    if isinstance(found, NotFound):
        return not_found(request, who, "notice")
    kind = str(form.get("kind", "other"))
    try:
        body = MaterialIn(
            series_uid=found.series_uid,
            original_start=found.original_start,
            kind=kind if kind in MATERIAL_KINDS else "other",  # type: ignore[arg-type]
            title=str(form.get("title", "")).strip(),
            url=str(form.get("url", "")).strip(),
            note=str(form.get("note", "")).strip(),
        )
    except ValidationError:
        return _back(form, "badlink", f"#notice-{notice_id}")
    result = await db.write(ops.add_material, who.auth, body, now(request))
    if isinstance(result, NotFound):
        return not_found(request, who, "notice")
    if isinstance(result, ops.Invalid):
        return _back(form, "nosession", f"#notice-{notice_id}")
    return _back(form, "materials", f"#notice-{notice_id}")
