"""GET /v1/coordinator/audit: the program's audit trail, newest first (admins only)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query

from sync.protocol_accounts import AuditEntry
from sync.server import audit
from sync.server.api.deps import CurrentAdmin, Db
from sync.server.api.raw import errors
from sync.server.storage.tables import stamp
from sync.wire import MAX_INT, UtcDatetime

router = APIRouter(prefix="/v1/coordinator", tags=["coordinator"])
Ident = Annotated[int | None, Query(ge=1, le=MAX_INT)]
# The actions the trail records, published in the schema as the one pattern they match.
ACTION_PATTERN = "^(" + "|".join(re.escape(a) for a in sorted(audit.ACTIONS)) + ")$"


@router.get("/audit", response_model=list[AuditEntry], responses=errors(401, 403, 422))
async def audit_trail(
    auth: CurrentAdmin, db: Db,
    coordinator: Annotated[int | None, Query(ge=1, le=MAX_INT, description="actor")] = None,
    client: Ident = None,
    action: Annotated[str | None, Query(max_length=40, pattern=ACTION_PATTERN)] = None,
    since: Annotated[UtcDatetime | None, Query(description="at or after")] = None,
    until: Annotated[UtcDatetime | None, Query(description="before")] = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT, description="entries older "
                                        "than this id (the next page)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntry]:  # fmt: skip
    """Who did what to which client, when and from where; ids only, never message text.
    Filters narrow it; page with ``before`` = the last entry's id."""
    where = audit.AuditFilter(
        actor_id=coordinator, client_id=client, action=action,
        since=stamp(since) if since else None, until=stamp(until) if until else None,
        before=before,
    )  # fmt: skip
    return await db.read(audit.entries, auth.program_id, where, limit)
