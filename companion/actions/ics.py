"""Calendar actions for a profile: export its schedule, import a program's, and the
reminders that ``companion remind`` shows (each one once, remembered in the store)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from companion.actions.ics_merge import ImportSummary, merge_amendment, merge_note, merge_series
from companion.actions.profile import Profile, UserError
from companion.domain.attendance import Status
from companion.domain.meeting import access_lines
from companion.domain.schedule import Occurrence, expand
from companion.ics import IcsError, export_calendar, import_calendar
from companion.ics.text import NEUTRAL_TITLE
from companion.store import repo_notes, repo_outbox, repo_schedule
from companion.store.repo_reminders import claim_reminder

MAX_FILE = 20 * 1024 * 1024
__all__ = ["ImportSummary", "due_reminders", "export_profile", "import_file"]


def calendar_uid(profile: Profile) -> str:
    """The calendar's RFC 7986 UID: stable for a program, never random per export."""
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, 'companion:' + profile.program().name)}"


def export_profile(
    profile: Profile, *, discreet: bool | None = None, no_links: bool = False
) -> bytes:
    """The profile's whole schedule and day notes as .ics; excused occurrences show as
    such. ``discreet`` None means the saved preference."""
    conn = profile.store.conn
    program = profile.program()
    return export_calendar(
        repo_schedule.list_series(conn), now=profile.now(), calendar_name=program.name,
        calendar_uid=calendar_uid(profile), program_name=program.name,
        timezone=profile.tz().key, excused=excused_at(profile),
        discreet=profile.settings.discreet if discreet is None else discreet,
        last_modified={**repo_schedule.series_updated(conn), **repo_notes.notes_updated(conn)},
        notes=repo_notes.list_notes(conn), no_links=no_links,
    )  # fmt: skip


def excused_at(profile: Profile) -> dict[tuple[str, datetime], datetime]:
    """Each excused occurrence and when the notice was given (the outbox notice's
    created_at; the mark's time for one the program recorded)."""
    conn = profile.store.conn
    given: dict[tuple[str, datetime], datetime] = {}
    for entry in repo_outbox.list_entries(conn):  # oldest first: the first notice counts
        given.setdefault((entry.notice.series_uid, entry.notice.original_start),
                         entry.notice.created_at)  # fmt: skip
    marked = repo_schedule.marked_at(conn, Status.EXCUSED)
    return {key: given.get(key, at) for key, at in marked.items()}


def import_file(profile: Profile, path: Path) -> ImportSummary:
    """Create or update series and day notes from ``path``, keyed by UID, in one
    transaction; apply its cancellations.

    Re-importing the same file changes nothing. An update keeps the attendance recorded
    for past occurrences: one the new schedule no longer has stays, pinned at its time.
    """
    try:
        if path.stat().st_size > MAX_FILE:
            raise UserError(f"{path}: larger than {MAX_FILE // 2**20} MB; not a schedule")
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        result = import_calendar(data, default_tz=profile.tz().key)
    except IcsError as exc:
        raise UserError(f"{path.name}: {exc}") from exc
    summary = ImportSummary(skipped=list(result.skipped))
    now = profile.now()
    with profile.store.transaction() as conn:
        marked = repo_schedule.marks(conn)
        for incoming in result.series:
            merge_series(conn, incoming, marked, now, summary)
        for note in result.notes:
            merge_note(conn, note, now, summary)
        for change in result.amendments:
            merge_amendment(conn, change, now, summary)
    return summary


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder that fell due: the occurrence, which offset, and the text to show."""

    occurrence: Occurrence
    offset: timedelta
    due: datetime
    title: str
    message: str

    def as_json(self) -> dict[str, object]:
        occ = self.occurrence
        return {
            "occurrence_id": occ.id, "series_uid": occ.series_uid, "title": self.title,
            "start": occ.start.isoformat(), "due": self.due.isoformat(),
            "minutes_before": int(self.offset.total_seconds() // 60),
            "join_url": occ.join_url, "message": self.message,
        }  # fmt: skip


def due_reminders(profile: Profile, within: timedelta = timedelta(0)) -> list[Reminder]:
    """Reminders due by ``now + within`` for sessions that have not started, each returned
    once ever. When several of one session's reminders are due (the computer was off),
    only the nearest is shown; the others are used up with it."""
    now = profile.now()
    tz = profile.tz()
    out: list[Reminder] = []
    with profile.store.transaction() as conn:
        marked = repo_schedule.marks(conn)
        for series in repo_schedule.list_series(conn):
            if not series.reminders:
                continue
            horizon = now + within + max(series.reminders)
            for occ in expand(series, now, horizon):
                if (
                    occ.cancelled
                    or occ.start <= now
                    or marked.get(occ.key) in (Status.EXCUSED, Status.CANCELLED)
                ):
                    continue
                due = [off for off in series.reminders if occ.start - off <= now + within]
                claimed = [claim_reminder(conn, *occ.key, off, now) for off in due]
                if any(claimed):
                    offset = min(due)
                    out.append(_reminder(profile, occ, offset, now, tz))
    out.sort(key=lambda r: r.occurrence.start)
    return out


def _reminder(
    profile: Profile, occ: Occurrence, offset: timedelta, now: datetime, tz: ZoneInfo
) -> Reminder:
    title = NEUTRAL_TITLE if profile.settings.discreet else occ.title
    minutes = max(0, round((occ.start - now).total_seconds() / 60))
    left = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"
    text = f"{title} starts in {left}, at {occ.start.astimezone(tz):%a %H:%M}"
    if occ.join_url:
        text += f". Join: {occ.join_url}"
        access = access_lines(occ.description)
        if access and not profile.settings.discreet:  # what the join link asks for next
            text += f" ({', '.join(access)})"
    return Reminder(occ, offset, occ.start - offset, title, text)
