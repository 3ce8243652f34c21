"""Retention: each program keeps notices (with their replies) and audit entries only as
long as its settings say (``programs.retain_notices_days``, ``retain_audit_days``).

:func:`purge` deletes what is past the windows, program by program, and writes one audit
entry per program that lost rows, with the counts (never what was deleted).
``companion-server purge`` runs it by hand; the server runs it once a day
(:func:`claim_day`: only one of several server processes does). The database itself
refuses to delete an audit entry inside its program's window (revision 0013's
trigger), so a wrong clock cannot empty the trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from sync.server import audit
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.tables import audit as audit_table
from sync.server.storage.tables import maintenance_runs, notices, programs, replies, stamp

MIN_DAYS = 30  # a window shorter than a month is a typo, not a policy
MAX_DAYS = 36_500
DEFAULT_NOTICES_DAYS = 730
DEFAULT_AUDIT_DAYS = 2190
PURGE = "purge"


class BadWindow(ValueError):
    """A retention window outside MIN_DAYS..MAX_DAYS."""


def check_days(days: int, what: str) -> int:
    """``days`` when it is a window the server accepts; raises :class:`BadWindow`."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise BadWindow(f"{what} must be between {MIN_DAYS} and {MAX_DAYS} days")
    return days


def set_windows(tx: Tx, who: audit.Actor | CoordinatorAuth, program_id: int,
                notices_days: int, audit_days: int, now: datetime) -> bool:  # fmt: skip
    """Store the program's windows (checked by :func:`check_days` first); True when they
    changed, and then the change is in the audit trail."""
    check_days(notices_days, "Notices and replies")
    check_days(audit_days, "The audit trail")
    changed = tx.conn.execute(
        update(programs)
        .where(programs.c.id == program_id,
               (programs.c.retain_notices_days != notices_days)
               | (programs.c.retain_audit_days != audit_days))
        .values(retain_notices_days=notices_days, retain_audit_days=audit_days)
    ).rowcount > 0  # fmt: skip
    if changed:
        detail = f"retention: notices {notices_days} days, audit {audit_days} days"
        audit.record(tx, who, "program.changed", now, detail=detail)
    return changed


def purge(tx: Tx, now: datetime, *, dry_run: bool = False) -> list[dict[str, Any]]:
    """Delete, per program, notices received and audit entries written before the
    program's windows; returns the counts per program (with ``dry_run``: what would go)."""
    out = []
    rows = tx.conn.execute(
        select(programs.c.id, programs.c.name, programs.c.retain_notices_days,
               programs.c.retain_audit_days).order_by(programs.c.id)
    ).all()  # fmt: skip
    for program_id, name, notice_days, audit_days in rows:
        notice_cut = stamp(now - timedelta(days=notice_days))
        audit_cut = stamp(now - timedelta(days=audit_days))
        old = select(notices.c.id).where(
            notices.c.program_id == program_id, notices.c.received_at < notice_cut
        )
        old_audit = (audit_table.c.program_id == program_id) & (audit_table.c.at < audit_cut)
        if dry_run:
            counts = {
                "notices": _count(tx, notices, notices.c.id.in_(old)),
                "replies": _count(tx, replies, replies.c.notice_id.in_(old)),
                "audit_entries": _count(tx, audit_table, old_audit),
            }
        else:
            counts = {
                "replies": tx.conn.execute(
                    delete(replies).where(replies.c.notice_id.in_(old))
                ).rowcount,
                "notices": tx.conn.execute(delete(notices).where(notices.c.id.in_(old))).rowcount,
                "audit_entries": tx.conn.execute(delete(audit_table).where(old_audit)).rowcount,
            }
            if any(counts.values()):  # a run that deletes nothing leaves no entry
                detail = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
                audit.record(tx, audit.command_line(program_id), "retention.purged", now,
                             detail=detail)  # fmt: skip
        out.append({"program_id": program_id, "program": name,
                    "notices_before": notice_cut, "audit_before": audit_cut, **counts})  # fmt: skip
    return out


def _count(tx: Tx, table: Any, where: Any) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())


def claim_day(tx: Tx, now: datetime, job: str = PURGE) -> bool:
    """True when this call claims today's (UTC) run of ``job``: one UPDATE, so of several
    processes trying at once exactly one gets it."""
    day = stamp(now)[:10]
    r = tx.conn.execute(
        update(maintenance_runs)
        .where(maintenance_runs.c.name == job, maintenance_runs.c.last_day < day)
        .values(last_day=day, at=stamp(now))
    )
    return r.rowcount == 1


def daily(tx: Tx, now: datetime) -> list[dict[str, Any]] | None:
    """Today's purge when no process ran it yet (None: it ran already), in one transaction."""
    if not claim_day(tx, now):
        return None
    return purge(tx, now)
