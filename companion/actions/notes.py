"""Day notes for the screens and the CLI: which notes fall on which days."""

from __future__ import annotations

from datetime import date

from companion.actions.profile import Profile
from companion.domain.notes import DayNote, notes_by_day
from companion.store import repo_notes


def notes_between(profile: Profile, first: date, last: date) -> dict[date, list[DayNote]]:
    """The day notes on each day of ``[first, last)``."""
    return notes_by_day(repo_notes.list_notes(profile.store.conn), first, last)
