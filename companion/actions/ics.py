"""Calendar actions for a profile: export its schedule and import a program's. The
reminders ``companion remind`` shows are in :mod:`companion.actions.reminders` (re-exported
here for the app)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from companion.actions.files import read_import_file
from companion.actions.profile import Profile, UserError
from companion.actions.reminders import Reminder, due_reminders
from companion.domain.attendance import Status
from companion.domain.schedule import Override, Series, expand, original_starts
from companion.ics import IcsError, Skipped, export_calendar, import_calendar
from companion.ics.imports import same_content
from companion.store import repo_schedule

__all__ = ["Reminder", "due_reminders", "export_profile", "import_file"]

_SAME_DAY = timedelta(hours=12)


def calendar_uid(profile: Profile) -> str:
    """The calendar's RFC 7986 UID: stable for a program, never random per export."""
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, 'companion:' + profile.program().name)}"


def export_profile(profile: Profile, *, discreet: bool | None = None) -> bytes:
    """The profile's whole schedule as .ics; excused occurrences show as such.
    ``discreet`` None means the saved preference."""
    conn = profile.store.conn
    program = profile.program()
    excused = [key for key, status in repo_schedule.marks(conn).items()
               if status is Status.EXCUSED]  # fmt: skip
    return export_calendar(
        repo_schedule.list_series(conn), now=profile.now(), calendar_name=program.name,
        calendar_uid=calendar_uid(profile), program_name=program.name,
        timezone=profile.tz().key, excused=excused,
        discreet=profile.settings.discreet if discreet is None else discreet,
        last_modified=repo_schedule.series_updated(conn),
    )  # fmt: skip


@dataclass(slots=True)
class ImportSummary:
    """What an import did, by series title (``--json`` prints it as it is)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": [{"uid": s.uid, "title": s.title, "reason": s.reason}
                        for s in self.skipped],
        }  # fmt: skip


def import_file(profile: Profile, path: Path) -> ImportSummary:
    """Create or update series from ``path``, keyed by UID, in one transaction.

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
            stored = repo_schedule.get_series(conn, incoming.uid)
            if stored is None:
                repo_schedule.save_series(conn, incoming, now)
                summary.added.append(incoming.title)
                continue
            merged = keep_marked_past(stored, incoming, marked, now)
            if same_content(stored, merged):
                summary.unchanged.append(incoming.title)
            elif 0 < incoming.sequence < stored.sequence:  # a file that versions events
                summary.skipped.append(Skipped(incoming.uid, incoming.title,
                    f"older than the stored version (SEQUENCE {incoming.sequence} < "
                    f"{stored.sequence})"))  # fmt: skip
            else:
                merged = replace(merged, origin=stored.origin,
                                 sequence=max(incoming.sequence, stored.sequence + 1))  # fmt: skip
                repo_schedule.save_series(conn, merged, now)
                summary.updated.append(incoming.title)
    return summary


def keep_marked_past(
    stored: Series, incoming: Series, marked: dict[tuple[str, datetime], Status], now: datetime
) -> Series:
    """``incoming`` with the past kept as it happened: each past occurrence of ``stored``
    that has attendance recorded and that ``incoming`` no longer has is pinned at its time,
    and the new schedule's session that replaces it that day (within 12 hours, in the
    past, not in ``stored``) is cancelled, so history shows one session, with its mark."""
    pins = dict(incoming.overrides)
    for (uid, original), _status in marked.items():
        if uid != stored.uid or original >= now or original in pins:
            continue
        tick = original + timedelta(seconds=1)
        if original in original_starts(incoming, original, tick):
            continue
        old = next((o for o in expand(stored, original - stored.duration, tick)
                    if o.original_start == original and not o.cancelled), None)  # fmt: skip
        if old is None:
            continue
        end = None if old.end - old.start == incoming.duration else old.end
        pins[original] = Override(original, old.start, end)
        near = (original - _SAME_DAY, original + _SAME_DAY)
        before = {o.original_start for o in expand(stored, *near) if not o.cancelled}
        for ghost in original_starts(incoming, *near):
            if ghost < now and ghost not in pins and ghost not in before:
                pins[ghost] = Override(ghost, cancelled=True)
    return replace(incoming, overrides=pins) if pins != incoming.overrides else incoming
