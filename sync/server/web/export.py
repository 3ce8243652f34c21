"""CSV export of notices (by the day they were received) and of the attendance record
(by session day), for a date range in the program's timezone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sync.server import audit
from sync.server import coordinator as ops
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp, unstamp
from sync.server.web.csvfile import csv_bytes
from sync.server.web.deps import Coordinator, SignedIn, database, now
from sync.server.web.inputs import BadInput, day_range, record_id
from sync.server.web.present import barrier_label, day_end, day_start
from sync.server.web.render import SECURITY_HEADERS, bad_input, page

router = APIRouter()
NOTICE_HEADER = [
    "received",
    "client",
    "session",
    "session start",
    "timing",
    "notice lead (hours)",
    "barrier",
    "message",
    "make-up wanted",
    "reflection shared",
    "status",
    "notice id",
    "timing the device claimed",
    "written (device clock)",
]
ATTENDANCE_HEADER = ["session start", "session", "client", "status", "recorded"]


def _local(text: str, who: Coordinator) -> str:
    return unstamp(text).astimezone(who.tz).strftime("%Y-%m-%d %H:%M")


def _range(request: Request, who: Coordinator) -> tuple[str | None, str | None, str]:
    """The export's days as stored stamps; raises BadInput for a day out of range."""
    d0, d1 = day_range(request.query_params.get("from"), request.query_params.get("to"))
    since = stamp(day_start(d0, who.tz)) if d0 else None
    until = stamp(day_end(d1, who.tz)) if d1 else None
    label = f"{d0.isoformat() if d0 else 'start'}_to_{d1.isoformat() if d1 else 'now'}"
    return since, until, label


def csv_response(data: bytes, filename: str) -> Response:
    """A CSV download that is never cached (mental-health data)."""
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/export", name="web_export", include_in_schema=False)
async def export(request: Request, who: SignedIn) -> Response:
    today = now(request).astimezone(who.tz).date()
    return page(
        request,
        "export.html",
        who,
        section="export",
        page_title="Export",
        date_from=(today - timedelta(days=30)).isoformat(),
        date_to=today.isoformat(),
    )


def _notice_row(r: dict[str, Any], who: Coordinator) -> list[object]:
    # The server's figures: the session's start against when the notice arrived.
    lead = (unstamp(r["start"]) - unstamp(r["received_at"])).total_seconds() / 3600
    return [
        _local(r["received_at"], who),
        r["client_name"],
        r["title"],
        _local(r["start"], who),
        r["timing"],
        f"{lead:.1f}",
        barrier_label(r["barrier"]),
        r["message"],
        bool(r["makeup"]),
        bool(r["shared_reflection"]),
        r["status"],
        r["id"],
        r.get("claimed_timing") or "",
        _local(r["created_at"], who),
    ]


NOTICE_STATUSES = {"new", "acknowledged", "replied"}


@router.get("/export/notices.csv", name="web_export_notices", include_in_schema=False)
async def notices_csv(request: Request, who: SignedIn) -> Response:
    """The notices of a date range, and (as the inbox filters them) of one status and
    one client when the inbox's ``status`` and ``client`` are given."""
    try:
        since, until, label = _range(request, who)
        client_id = record_id(request.query_params.get("client"))
    except BadInput as exc:
        return bad_input(request, who, str(exc))
    status = request.query_params.get("status", "")
    if status and status not in NOTICE_STATUSES:
        return bad_input(request, who, "the status is new, acknowledged or replied")
    if status:
        label += f"_{status}"
    if client_id is not None:
        label += f"_client{client_id}"
    at = now(request)

    def load(tx: Tx) -> list[dict[str, Any]]:
        audit.record(tx, who.auth, "export", at, target=label, detail="notices")
        return [
            r
            for r in tx.notices_received(who.program.id, since, until)
            if (not status or r["status"] == status)
            and (client_id is None or r["client_id"] == client_id)
        ]

    rows = await database(request).write(load)
    data = csv_bytes(NOTICE_HEADER, (_notice_row(r, who) for r in rows))
    return csv_response(data, f"notices_{label}.csv")


@router.get("/export/attendance.csv", name="web_export_attendance", include_in_schema=False)
async def attendance_csv(request: Request, who: SignedIn) -> Response:
    try:
        since, until, label = _range(request, who)
    except BadInput as exc:
        return bad_input(request, who, str(exc))

    at = now(request)

    def load(tx: Tx) -> tuple[list[Any], dict[str, str], dict[int, str]]:
        audit.record(tx, who.auth, "export", at, target=label, detail="attendance")
        records = tx.attendance_between(who.program.id, since or "0", until or "9999")
        titles = {w.uid: w.title for w in ops.list_series(tx, who.auth)}
        names = {c.id: c.name for c in tx.clients_of(who.program.id)}
        return records, titles, names

    records, titles, names = await database(request).write(load)
    data = csv_bytes(
        ATTENDANCE_HEADER,
        (
            [
                _local(start, who),
                titles.get(uid, uid),
                names.get(cid, str(cid)),
                status.replace("_", " "),
                _local(at, who),
            ]
            for cid, uid, start, status, at in records
        ),
    )
    return csv_response(data, f"attendance_{label}.csv")


__all__ = ["router"]
