"""Coordinator alerts by email: the queue in the database and the task that drains it.

``enqueue_mail`` puts one email in ``mail_outbox`` inside any transaction (a
``dedupe_key`` makes it once-only). The server's background task (:func:`run_mail`,
started by ``create_app`` when ``--smtp-url`` and ``--mail-from`` are set) plans the
alerts, claims due rows atomically (so several server processes send each email once),
sends them with :mod:`smtplib` in a thread, and retries failures with capped
exponential backoff. Alerts carry counts and names only: never a notice's message,
barrier or reflection.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, insert, or_, select, update

from sync.server import audit
from sync.server.accounts import IssuedLink, OnInvite
from sync.server.mailer import parse_smtp_url, send
from sync.server.settings import Settings
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import CoordinatorAuth
from sync.server.storage.runner import Database
from sync.server.storage.tables import (
    coordinators,
    mail_announced,
    mail_outbox,
    notices,
    programs,
    stamp,
)

log = logging.getLogger("companion.server.mail")
LEASE = timedelta(minutes=2)
"""How long a claimed email is left to the process that claimed it."""
BACKOFF_BASE_S = 30
BACKOFF_CAP_S = 60 * 60


def mail_configured(settings: Settings) -> bool:
    """Whether this server sends mail at all (both settings given)."""
    return bool(settings.smtp_url and settings.mail_from)


def enqueue_mail(tx: Tx, *, to: str, subject: str, body: str, kind: str,
                 dedupe_key: str | None = None, now: datetime) -> bool:  # fmt: skip
    """Queue one email in ``tx``; False when one with ``dedupe_key`` is already queued."""
    if dedupe_key is not None:
        found = tx.conn.execute(
            select(mail_outbox.c.id).where(mail_outbox.c.dedupe_key == dedupe_key)
        ).first()
        if found is not None:
            return False
    at = stamp(now)
    tx.conn.execute(insert(mail_outbox).values(
        to=to, subject=subject[:300], body=body, kind=kind, dedupe_key=dedupe_key,
        created_at=at, attempts=0, next_try_at=at,
    ))  # fmt: skip
    return True


def send_later(tx: Tx, settings: Settings, *, to: str, subject: str, body: str, kind: str,
               dedupe_key: str | None = None, now: datetime) -> bool:  # fmt: skip
    """:func:`enqueue_mail` when mail is configured, else nothing (False): for other
    features (e.g. an invitation) that send mail when the server can."""
    if not mail_configured(settings):
        return False
    return enqueue_mail(tx, to=to, subject=subject, body=body, kind=kind,
                        dedupe_key=dedupe_key, now=now)  # fmt: skip


def invite_mailer(settings: Settings) -> OnInvite | None:
    """The invitation hook of ``create_app``: each invitation's link emailed to the
    invitee, queued in the invitation's own transaction (so a refused invitation sends
    nothing); None without mail settings (the admin passes the link on by hand)."""
    if not mail_configured(settings):
        return None

    def queue_invite(tx: Tx, issued: IssuedLink, now: datetime) -> None:
        body = (
            "You have been invited to your program's team on Companion, where coordinators\n"
            "read absence notices and reply to clients.\n\n"
            "Choose your password here (the link works once, until "
            f"{issued.expires_at:%Y-%m-%d %H:%M} UTC):\n{issued.url}\n\n"
            "If you did not expect this email, ignore it: nothing happens without the link.\n"
        )
        enqueue_mail(tx, to=issued.email, subject="Your invitation to Companion", body=body,
                     kind="invite", now=now)  # fmt: skip

    return queue_invite


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed email, ready to send."""

    id: int
    to: str
    subject: str
    body: str
    attempts: int


def claim_due(tx: Tx, now: datetime, limit: int = 20) -> list[Outgoing]:
    """Claim up to ``limit`` due emails for this process (a lease of :data:`LEASE`).

    Each row is claimed by a conditional UPDATE: of several processes racing for it,
    exactly one sees a row count of 1."""
    at = stamp(now)
    free = and_(
        mail_outbox.c.sent_at.is_(None),
        mail_outbox.c.next_try_at <= at,
        or_(mail_outbox.c.claimed_until.is_(None), mail_outbox.c.claimed_until < at),
    )
    rows = tx.conn.execute(
        select(mail_outbox.c.id, mail_outbox.c.to, mail_outbox.c.subject, mail_outbox.c.body,
               mail_outbox.c.attempts).where(free).order_by(mail_outbox.c.id).limit(limit)
    ).all()  # fmt: skip
    out = []
    for row in rows:
        claimed = tx.conn.execute(
            update(mail_outbox).where(mail_outbox.c.id == row.id, free)
            .values(claimed_until=stamp(now + LEASE))
        )  # fmt: skip
        if claimed.rowcount == 1:
            out.append(Outgoing(row.id, row.to, row.subject, row.body, row.attempts))
    return out


def mark_sent(tx: Tx, mail_id: int, now: datetime) -> None:
    tx.conn.execute(update(mail_outbox).where(mail_outbox.c.id == mail_id).values(
        sent_at=stamp(now), claimed_until=None, attempts=mail_outbox.c.attempts + 1,
        last_error=None))  # fmt: skip


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from 30 s, capped at an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S))


def mark_failed(tx: Tx, mail: Outgoing, now: datetime, error: str) -> None:
    attempts = mail.attempts + 1
    tx.conn.execute(update(mail_outbox).where(mail_outbox.c.id == mail.id).values(
        attempts=attempts, claimed_until=None, last_error=error[:300],
        next_try_at=stamp(now + backoff(attempts))))  # fmt: skip


def mail_alerts_on(tx: Tx, coordinator_id: int) -> bool:
    """Whether the coordinator gets alert emails (new notices, the daily digest)."""
    found = tx.conn.execute(
        select(coordinators.c.mail_alerts).where(coordinators.c.id == coordinator_id)
    ).scalar_one_or_none()
    return bool(found)


def set_own_alerts(tx: Tx, auth: CoordinatorAuth, on: bool, now: datetime) -> None:
    """The coordinator turns their own alert emails on or off (audited)."""
    set_mail_alerts(tx, auth.coordinator_id, on)
    audit.record(tx, auth, "account.alerts", now, detail="on" if on else "off")


def set_mail_alerts(tx: Tx, coordinator_id: int, on: bool) -> None:
    """Turn a coordinator's alert emails on or off."""
    tx.conn.execute(update(coordinators).where(coordinators.c.id == coordinator_id)
                    .values(mail_alerts=on))  # fmt: skip


def _recipients(tx: Tx, program_id: int) -> list[tuple[int, str]]:
    rows = tx.conn.execute(
        select(coordinators.c.id, coordinators.c.email).where(
            coordinators.c.program_id == program_id, coordinators.c.mail_alerts.is_(True)
        ).order_by(coordinators.c.id)
    ).all()  # fmt: skip
    return [(r.id, r.email) for r in rows]


def _link(settings: Settings, path: str) -> str:
    return (settings.public_url.rstrip("/") or "") + path


def announce_notices(tx: Tx, settings: Settings, now: datetime) -> int:
    """Queue one email per coordinator per program for notices not yet announced, once
    the oldest of them is ``mail_window_s`` old (so one email covers a window's notices,
    and a program's coordinators get at most one per window). Returns emails queued."""
    window = timedelta(seconds=settings.mail_window_s)
    pending = (
        select(notices.c.program_id, func.count().label("n"),
               func.min(notices.c.received_at).label("oldest"))
        .select_from(notices.outerjoin(mail_announced,
                                       mail_announced.c.notice_id == notices.c.id))
        .where(mail_announced.c.notice_id.is_(None))
        .group_by(notices.c.program_id)
    )  # fmt: skip
    queued = 0
    at = stamp(now)
    for program_id, count, oldest in tx.conn.execute(pending).all():
        if oldest > stamp(now - window):
            continue
        ids = tx.conn.execute(
            select(notices.c.id).select_from(notices.outerjoin(
                mail_announced, mail_announced.c.notice_id == notices.c.id))
            .where(notices.c.program_id == program_id, mail_announced.c.notice_id.is_(None))
        ).scalars().all()  # fmt: skip
        tx.conn.execute(
            insert(mail_announced),
            [{"notice_id": i, "program_id": program_id, "at": at} for i in ids],
        )
        name = tx.conn.execute(select(programs.c.name).where(programs.c.id == program_id)
                               ).scalar_one()  # fmt: skip
        word = "notice" if count == 1 else "notices"
        subject = f"{count} new absence {word} at {name}: sign in to read them"
        body = (
            f"{subject}.\n\n{_link(settings, '/inbox')}\n\n"
            "You get this email because alerts are on for your coordinator account.\n"
        )
        for cid, email in _recipients(tx, program_id):
            key = f"notices:{cid}:{min(ids)}:{len(ids)}"
            queued += enqueue_mail(tx, to=email, subject=subject, body=body, kind="notices",
                                   dedupe_key=key, now=now)  # fmt: skip
    return queued


def queue_digests(tx: Tx, settings: Settings, now: datetime) -> int:
    """Once a day per coordinator (from ``mail_digest_hour`` in the program's time zone):
    the names of the clients at risk, when there are any. Returns emails queued."""
    from sync.server.attendance import client_summaries  # heavy: only when planning

    queued = 0
    for program in tx.conn.execute(select(programs.c.id, programs.c.name,
                                          programs.c.timezone)).all():  # fmt: skip
        local = now.astimezone(ZoneInfo(program.timezone))
        if local.hour < settings.mail_digest_hour:
            continue
        day = local.date().isoformat()
        todo = [
            (cid, email)
            for cid, email in _recipients(tx, program.id)
            if tx.conn.execute(
                select(mail_outbox.c.id).where(mail_outbox.c.dedupe_key == f"digest:{cid}:{day}")
            ).first()
            is None
        ]
        if not todo:
            continue
        auth = CoordinatorAuth(coordinator_id=todo[0][0], program_id=program.id, email="")
        names = [c.name for c in client_summaries(tx, auth, now) if c.at_risk]
        if not names:
            continue
        subject = f"{len(names)} at risk at {program.name} on {day}"
        lines = "\n".join(f"- {n}" for n in names)
        body = (
            f"Clients at risk under the attendance policy at {program.name}:\n\n{lines}"
            f"\n\n{_link(settings, '/clients')}\n"
        )
        for cid, email in todo:
            queued += enqueue_mail(tx, to=email, subject=subject, body=body, kind="digest",
                                   dedupe_key=f"digest:{cid}:{day}", now=now)  # fmt: skip
    return queued


def plan(tx: Tx, settings: Settings, now: datetime) -> int:
    """Every alert due now, queued."""
    return announce_notices(tx, settings, now) + queue_digests(tx, settings, now)


async def drain_once(db: Database, settings: Settings, now: datetime) -> int:
    """Plan, claim and send what is due; returns how many were sent."""
    await db.write(plan, settings, now)
    target = parse_smtp_url(settings.smtp_url)
    sent = 0
    for mail in await db.write(claim_due, now):
        try:
            await asyncio.to_thread(send, target, settings.mail_from, mail.to, mail.subject,
                                    mail.body)  # fmt: skip
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail %d not sent (attempt %d): %s", mail.id, mail.attempts + 1,
                        type(exc).__name__)  # fmt: skip
            await db.write(mark_failed, mail, now, f"{type(exc).__name__}: {exc}")
        else:
            await db.write(mark_sent, mail.id, now)
            sent += 1
    return sent


async def run_mail(db: Database, settings: Settings, clock: Callable[[], datetime]) -> None:
    """The background task: :func:`drain_once` every ``mail_poll_ms``, until cancelled."""
    while True:
        try:
            await drain_once(db, settings, clock())
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not end the task
            log.exception("mail drain failed")
        await asyncio.sleep(settings.mail_poll_ms / 1000)
