"""How an imported calendar meets the stored schedule: a series updated in place keeps its
past, a cancellation calls off what is to come and keeps every mark, a session changed
by an invite of its own changes that one session, and a day note replaces the 24-hour
"session" an earlier import made of the same all-day event.

Everything here runs inside the import's one transaction and records what it did in the
:class:`ImportSummary` the CLI and the app word for the user.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from companion.domain.attendance import Status
from companion.domain.notes import DayNote
from companion.domain.schedule import Override, ScheduleError, Series, expand, original_starts
from companion.ics import Skipped
from companion.ics.events import Amendment
from companion.ics.imports import NO_MASTER, same_content
from companion.store import repo_notes, repo_schedule

_SAME_DAY = timedelta(hours=12)
Marks = dict[tuple[str, datetime], Status]


@dataclass(slots=True)
class ImportSummary:
    """What an import did, by title (``--json`` prints it as it is). Day notes are counted
    with the series; ``cancelled`` holds what the program called off."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: int = 0  # how many of ``added`` and ``updated`` are day notes

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated)

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "cancelled": self.cancelled,
            "skipped": [{"uid": s.uid, "title": s.title, "reason": s.reason}
                        for s in self.skipped],
        }  # fmt: skip


def _older(incoming: int, stored: int, strict: bool = False) -> str | None:
    """The reason to skip a version older than the stored one (a file that versions its
    events); None when it is not older. SEQUENCE 0 counts as unversioned (many files
    never raise it) unless ``strict``: once the program cancelled a series, only a
    version at least as new as the cancellation brings it back."""
    if (strict or 0 < incoming) and incoming < stored:
        return f"older than the stored version (SEQUENCE {incoming} < {stored})"
    return None


def merge_series(conn: sqlite3.Connection, incoming: Series, marked: Marks, now: datetime,
                 summary: ImportSummary) -> None:  # fmt: skip
    stored = repo_schedule.get_series(conn, incoming.uid)
    if stored is None:
        repo_notes.remove_note(conn, incoming.uid)  # an all-day event that now has a time
        repo_schedule.save_series(conn, incoming, now)
        summary.added.append(incoming.title)
        return
    merged = keep_marked_past(stored, incoming, marked, now)
    older = _older(incoming.sequence, stored.sequence, strict=stored.cancelled_from is not None)
    if same_content(stored, merged):
        summary.unchanged.append(incoming.title)
    elif older:
        summary.skipped.append(Skipped(incoming.uid, incoming.title, older))
    else:
        merged = replace(merged, origin=stored.origin,
                         sequence=max(incoming.sequence, stored.sequence + 1))  # fmt: skip
        repo_schedule.save_series(conn, merged, now)
        summary.updated.append(incoming.title)


def merge_note(conn: sqlite3.Connection, note: DayNote, now: datetime,
               summary: ImportSummary) -> None:  # fmt: skip
    stored = repo_notes.get_note(conn, note.uid)
    session = repo_schedule.get_series(conn, note.uid)
    if session is not None:
        if session.origin != "import":
            summary.skipped.append(Skipped(note.uid, note.title,
                "an all-day event with the UID of a session of yours"))  # fmt: skip
            return
        repo_schedule.remove_series(conn, note.uid)  # an earlier import made it a session
    older = _older(note.sequence, stored.sequence) if stored else None
    if stored is not None and stored.same_content(note):
        summary.unchanged.append(note.title)
    elif older:
        summary.skipped.append(Skipped(note.uid, note.title, older))
    else:
        if stored is not None:
            note = replace(note, sequence=max(note.sequence, stored.sequence + 1))
        repo_notes.save_note(conn, note, now)
        (summary.added if stored is None and session is None else summary.updated).append(
            note.title
        )
        summary.notes += 1


def merge_amendment(conn: sqlite3.Connection, change: Amendment, now: datetime,
                    summary: ImportSummary) -> None:  # fmt: skip
    """A cancellation, or single sessions changed by their own invites."""
    stored = repo_schedule.get_series(conn, change.uid)
    note = repo_notes.get_note(conn, change.uid) if stored is None else None
    if note is not None and (change.cancel_all or change.days):
        _cancel_days(conn, note, change, now, summary)
        return
    if stored is None:
        reason = ("the event is cancelled" if change.cancel_all else NO_MASTER[0]
                  if not all(o.cancelled for o in change.overrides)
                  else "it cancels sessions that are not in your schedule")  # fmt: skip
        summary.skipped.append(Skipped(change.uid, change.title, reason))
        return
    older = _older(change.sequence, stored.sequence)
    if older:
        summary.skipped.append(Skipped(change.uid, change.title, older))
        return
    if change.cancel_all:
        updated = stored if stored.cancelled_from is not None else replace(
            stored, cancelled_from=now)  # fmt: skip
    else:
        overrides = dict(stored.overrides)
        for override in change.overrides:
            kept = against(stored, override)
            if kept is None:
                overrides.pop(override.original_start, None)
            else:
                overrides[override.original_start] = kept
        try:
            updated = replace(stored, overrides=overrides)
        except ScheduleError as exc:
            summary.skipped.append(Skipped(change.uid, change.title, str(exc)))
            return
    if updated == stored:
        summary.unchanged.append(stored.title)
        return
    sequence = max(change.sequence, stored.sequence + 1)
    repo_schedule.save_series(conn, replace(updated, sequence=sequence), now)
    cancels = change.cancel_all or all(o.cancelled for o in change.overrides)
    (summary.cancelled if cancels else summary.updated).append(stored.title)


def _cancel_days(conn: sqlite3.Connection, note: DayNote, change: Amendment, now: datetime,
                 summary: ImportSummary) -> None:  # fmt: skip
    """A day note called off: all of it, or some of its days."""
    if change.cancel_all:
        repo_notes.remove_note(conn, note.uid)
    else:
        days = set(note.exdates) | set(change.days)
        if days == set(note.exdates):
            summary.unchanged.append(note.title)
            return
        sequence = max(change.sequence, note.sequence + 1)
        repo_notes.save_note(conn, replace(note, exdates=tuple(sorted(days)), sequence=sequence),
                             now)  # fmt: skip
    summary.cancelled.append(note.title)


def against(series: Series, o: Override) -> Override | None:
    """``o`` with what equals the series left unset; None when nothing differs."""
    if o.cancelled:
        return Override(o.original_start, cancelled=True)
    start = None if o.start == o.original_start else o.start
    begin = start or o.original_start
    end = None if o.end is None or o.end == begin + series.duration or o.end <= begin else o.end

    def differs(value: str | None, of: str) -> str | None:
        return None if value is None or value == of else value

    kept = Override(
        o.original_start, start, end, title=differs(o.title, series.title),
        location=differs(o.location, series.location),
        join_url=differs(o.join_url or None, series.join_url),
        description=differs(o.description, series.description),
    )  # fmt: skip
    return None if kept == Override(o.original_start) else kept


def keep_marked_past(stored: Series, incoming: Series, marked: Marks, now: datetime) -> Series:
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
