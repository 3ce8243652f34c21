"""The audit trail for admins: newest first, filtered by coordinator, client, action and
dates (in the program's timezone), paged by entry id, and as CSV.

Names are looked up now, from the program's accounts and clients: the trail itself
holds ids (an erased client shows as "client 12 (erased)").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sync.server import audit
from sync.server.storage.repo import Tx
from sync.server.storage.repo_audit import AuditFilter
from sync.server.storage.tables import stamp, unstamp
from sync.server.web.csvfile import csv_bytes
from sync.server.web.deps import AdminSignedIn, Coordinator, database, now
from sync.server.web.export import csv_response
from sync.server.web.inputs import BadInput, day_range, record_id
from sync.server.web.present import day_end, day_start, when
from sync.server.web.render import bad_input, page

router = APIRouter()
PAGE_SIZE = 50
CSV_LIMIT = 100_000
HEADER = ["when", "who", "kind", "action", "client id", "client", "target", "detail",
          "address", "entry id"]  # fmt: skip


def _filters(request: Request, who: Coordinator) -> tuple[AuditFilter, dict[str, Any]]:
    """The filter the query string asks for; raises BadInput."""
    q = request.query_params
    actor = record_id(q.get("coordinator"))
    client = record_id(q.get("client"))
    action = q.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        raise BadInput("action: not one of the audit trail's actions")
    d0, d1 = day_range(q.get("from"), q.get("to"))
    before = record_id(q.get("before"))
    where = AuditFilter(
        actor_id=actor, client_id=client, action=action,
        since=stamp(day_start(d0, who.tz)) if d0 else None,
        until=stamp(day_end(d1, who.tz)) if d1 else None, before=before,
    )  # fmt: skip
    shown = {"coordinator": actor or "", "client": client or "", "action": action or "",
             "from": d0.isoformat() if d0 else "", "to": d1.isoformat() if d1 else ""}  # fmt: skip
    return where, shown


def _names(tx: Tx, who: Coordinator) -> dict[str, Any]:
    return {
        "accounts": tx.accounts_of(who.program.id),
        "clients": tx.clients_of(who.program.id),
    }


def _lines(rows: list[dict[str, Any]], names: dict[str, Any], who: Coordinator) -> list[dict]:
    clients = {c.id: c.name for c in names["clients"]}
    out = []
    for r in rows:
        cid = r["client_id"]
        out.append({
            "id": r["id"], "when": when(unstamp(r["at"]), who.tz), "actor": r["actor"],
            "kind": r["actor_kind"], "action": r["action"],
            "label": audit.ACTIONS.get(r["action"], r["action"]), "client_id": cid,
            "client": "" if cid is None else clients.get(cid, f"client {cid} (erased)"),
            "target": r["target"] or "", "detail": r["detail"] or "",
            "address": r["address"] or "",
        })  # fmt: skip
    return out


@router.get("/audit", name="web_audit", include_in_schema=False)
async def trail(request: Request, who: AdminSignedIn) -> Response:
    try:
        where, shown = _filters(request, who)
    except BadInput as exc:
        return bad_input(request, who, str(exc))

    def load(tx: Tx) -> dict[str, Any]:
        return {
            "rows": tx.audit_entries(who.program.id, where, PAGE_SIZE + 1),
            **_names(tx, who),
        }

    data = await database(request).read(load)
    rows = data["rows"][:PAGE_SIZE]
    query = {k: v for k, v in shown.items() if v != ""}
    older = None
    if len(data["rows"]) > PAGE_SIZE:
        older = "/audit?" + urlencode({**query, "before": rows[-1]["id"]})
    return page(
        request, "audit.html", who, section="audit", page_title="Audit trail",
        entries=_lines(rows, data, who), filters=shown,
        accounts=data["accounts"], clients=data["clients"], actions=audit.ACTIONS,
        older_url=older, first_page=where.before is None,
        csv_url="/audit.csv" + ("?" + urlencode(query) if query else ""),
    )  # fmt: skip


@router.get("/audit.csv", name="web_audit_csv", include_in_schema=False)
async def trail_csv(request: Request, who: AdminSignedIn) -> Response:
    try:
        where, shown = _filters(request, who)
    except BadInput as exc:
        return bad_input(request, who, str(exc))
    at = now(request)
    label = f"{shown['from'] or 'start'}_to_{shown['to'] or 'now'}"

    def load(tx: Tx) -> dict[str, Any]:
        audit.record(tx, who.auth, "export", at, target=label, detail="audit")
        return {"rows": tx.audit_entries(who.program.id, where, CSV_LIMIT), **_names(tx, who)}

    data = await database(request).write(load)
    lines = _lines(data["rows"], data, who)
    body = csv_bytes(HEADER, ([x["when"], x["actor"], x["kind"], x["action"], x["client_id"],
                               x["client"], x["target"], x["detail"], x["address"], x["id"]]
                              for x in lines))  # fmt: skip
    return csv_response(body, f"audit_{label}.csv")
