"""Calendar actions for a profile: export its schedule and import a program's. The
reminders ``companion remind`` shows are in :mod:`companion.actions.reminders` (re-exported
here for the app)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from companion.actions.files import read_import_file
from companion.actions.ics_merge import ImportSummary, merge_amendment, merge_note, merge_series
from companion.actions.profile import Profile, UserError
from companion.actions.reminders import Reminder, due_reminders
from companion.domain.attendance import Status
from companion.ics import IcsError, export_calendar, import_calendar
from companion.store import repo_notes, repo_outbox, repo_schedule

__all__ = ["ImportSummary", "Reminder", "due_reminders", "export_profile", "import_file"]


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
        discreet=profile.discreet() if discreet is None else discreet,
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
    data = read_import_file(path)  # a regular file of at most 10 MB, or a UserError
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
