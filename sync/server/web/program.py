"""Program: the program's settings as its clients get them (policy, calendar feeds) and
its crisis contacts, which a coordinator edits here: listed first in every client's
"Need help now?" panel, before 988 and the local emergency number.

The form is a fixed table of rows (no JavaScript): filled rows are the contacts, in
order; empty ones are ignored. Each filled row is checked by the domain's one rule, so
a mistake is the form again with the row and the reason, never stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from companion.domain.help_now import DEFAULT_CONTACTS, MAX_CONTACTS, ContactError, CrisisContact
from sync.server import admin, contacts, retention
from sync.server.storage.repo import Tx
from sync.server.web.deps import AdminSignedIn, Coordinator, Form, database, now
from sync.server.web.render import page

router = APIRouter()
FIELDS = admin.CONTACT_FIELDS
SPARE_ROWS = 3  # empty rows under the contacts, for new ones


def _rows(filled: list[dict[str, str]]) -> list[dict[str, str]]:
    spare = max(0, min(MAX_CONTACTS, len(filled) + SPARE_ROWS) - len(filled))
    return [*filled, *({f: "" for f in FIELDS} for _ in range(spare))][:MAX_CONTACTS]


def _program_page(request: Request, who: Coordinator, rows: list[dict[str, str]],
                  error: str = "", status: int = 200,
                  windows: dict[str, str] | None = None,
                  retention_error: str = "") -> Response:  # fmt: skip
    listed = contacts.domain_contacts(who.program.crisis_contacts)
    return page(
        request,
        "program.html",
        who,
        section="program",
        page_title="Program",
        status=status,
        policy=who.policy,
        policy_pct=f"{round(who.policy.threshold * 100)}%",
        discreet_default=who.program.discreet_default,
        rows=_rows(rows),
        fields=FIELDS,
        max_contacts=MAX_CONTACTS,
        panel=[c.line() for c in (*listed, *DEFAULT_CONTACTS)],
        error=error,
        windows=windows
        or {
            "notices_days": str(who.program.retain_notices_days),
            "audit_days": str(who.program.retain_audit_days),
        },
        retention_error=retention_error,
        min_days=retention.MIN_DAYS,
        max_days=retention.MAX_DAYS,
    )


@router.get("/program", name="web_program", include_in_schema=False)
async def program(request: Request, who: AdminSignedIn) -> Response:
    listed = contacts.domain_contacts(who.program.crisis_contacts)
    return _program_page(request, who, [admin.contact_json(c) for c in listed])


def _submitted(form: Any) -> list[dict[str, str]]:
    """The filled rows of the form, in order (at most the table's rows)."""
    rows = []
    for i in range(MAX_CONTACTS):
        row = {f: str(form.get(f"{f}-{i}", ""))[:1000] for f in FIELDS}
        if any(v.strip() for v in row.values()):
            rows.append(row)
    return rows


@router.post("/program/contacts", name="web_program_contacts", include_in_schema=False)
async def save_contacts(request: Request, who: AdminSignedIn, form: Form) -> Response:
    rows = _submitted(form)
    parsed: list[CrisisContact] = []
    for n, row in enumerate(rows, 1):
        try:
            parsed.append(admin.contact_of(row, f"Contact {n}"))
        except admin.AdminError as exc:
            return _program_page(request, who, rows, str(exc), 422)

    def save(tx: Tx) -> bool:
        return contacts.set_contacts(tx, who.program.id, parsed, now(request))

    try:
        changed = await database(request).write(save)
    except ContactError as exc:  # checked above; the list's own bound, belt and braces
        return _program_page(request, who, rows, str(exc), 422)
    return RedirectResponse(
        "/program?done=" + ("contacts" if changed else "samecontacts"), status_code=303
    )


def _days(text: str, what: str) -> int:
    """A whole number of days from the form; raises :class:`retention.BadWindow`."""
    text = text.strip()
    if not text.isdecimal() or len(text) > 6:
        raise retention.BadWindow(f"{what}: give a whole number of days")
    return retention.check_days(int(text), what)


@router.post("/program/retention", name="web_program_retention", include_in_schema=False)
async def save_retention(request: Request, who: AdminSignedIn, form: Form) -> Response:
    windows = {k: str(form.get(k, ""))[:20] for k in ("notices_days", "audit_days")}
    try:
        notices_days = _days(windows["notices_days"], "Notices and replies")
        audit_days = _days(windows["audit_days"], "The audit trail")
    except retention.BadWindow as exc:
        listed = contacts.domain_contacts(who.program.crisis_contacts)
        rows = [admin.contact_json(c) for c in listed]
        return _program_page(request, who, rows, status=422, windows=windows,
                             retention_error=str(exc))  # fmt: skip

    def save(tx: Tx) -> bool:
        return retention.set_windows(tx, who.auth, who.program.id, notices_days, audit_days,
                                     now(request))  # fmt: skip

    changed = await database(request).write(save)
    return RedirectResponse(
        "/program?done=" + ("retention" if changed else "sameretention"), status_code=303
    )
