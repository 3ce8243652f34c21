"""Taking your data with you: the whole profile as documented JSON, or a readable
Markdown journal (`companion export`).

The JSON's shape is versioned (``format`` and ``version``) and documented in
docs/export.md; every time is ISO 8601 with an offset. It holds everything the profile
holds about you: the program, the schedule, your attendance marks, your reflections,
catch-up checklists, the notices you sent and your coordinator's replies, materials and
make-up offers, your settings and the program's crisis contacts. Never the device token
or the calendar feed's secret address: anyone holding those could read your schedule.

Reflections are read through :func:`_reflections` alone, with the journal's key when the
command could unlock it (``companion.actions.journal.readable_reflections``): a protected
journal's text is then exported decrypted, and without the key it is exported as locked
(``locked: true``, its text null), barriers, mood and dates still there.

Nothing is sent anywhere and nothing in the profile changes; writing the file is the
command's job (:func:`companion.actions.files.write_private_file`, 0600).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from companion import __version__
from companion.actions import help_now
from companion.actions.catchup import checklist_json
from companion.actions.journal import readable_reflections, reflection_json
from companion.actions.notify import notice_json, reply_json
from companion.actions.profile import Profile
from companion.actions.schedule import series_json
from companion.domain.journal import Reflection
from companion.domain.notes import DayNote
from companion.domain.schedule import Series, occurrence_id
from companion.store import (
    repo_catchup,
    repo_help,
    repo_notes,
    repo_outbox,
    repo_schedule,
    repo_sync,
)
from companion.store.db import from_db

FORMAT = "companion-export"
VERSION = 1


def _reflections(profile: Profile, key: bytes | None) -> list[Reflection]:
    """Every reflection, oldest first: the one place the export reads journal text."""
    return list(reversed(readable_reflections(profile, key)))


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def series_export(s: Series) -> dict[str, Any]:
    """A series with everything the store keeps of it, its changed sessions included."""
    return {
        **series_json(s),
        "rdates": [d.isoformat() for d in s.rdates],
        "description": s.description,
        "location": s.location,
        "reminders_min": [int(r.total_seconds() // 60) for r in s.reminders],
        "cancelled_from": _iso(s.cancelled_from),
        "changed_sessions": [
            {
                "original_start": o.original_start.isoformat(),
                "start": _iso(o.start),
                "end": _iso(o.end),
                "cancelled": o.cancelled,
                "title": o.title,
                "location": o.location,
                "join_url": o.join_url,
                "description": o.description,
            }
            for o in s.overrides.values()
        ],
    }


def _reflection(r: Reflection, titles: dict[str, str]) -> dict[str, Any]:
    """``journal list --json``'s fields, and the session it is about in full."""
    uid, original = r.occurrence or (None, None)
    return {**reflection_json(r), "series": uid, "session_title": titles.get(uid or "", None),
            "session_start": _iso(original)}  # fmt: skip


def _shared(payload: str) -> str | None:
    """The reflection text a notice carried, from the payload as it was sent."""
    try:
        found = json.loads(payload).get("shared_reflection")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def _note(n: DayNote) -> dict[str, Any]:
    return {"uid": n.uid, "title": n.title, "first_day": n.first_day.isoformat(),
            "days": n.days, "rrule": n.rrule, "exdates": [d.isoformat() for d in n.exdates],
            "description": n.description, "origin": n.origin}  # fmt: skip


def export_data(profile: Profile, key: bytes | None = None) -> dict[str, Any]:
    """The whole profile as one JSON-ready object (see docs/export.md); ``key`` opens a
    protected journal's text."""
    conn = profile.store.conn
    titles = {s.uid: s.title for s in repo_schedule.list_series(conn)}
    program = repo_schedule.get_program(conn)
    state = repo_sync.get_state(conn)
    notices = repo_outbox.list_entries(conn)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": profile.now().isoformat(),
        "app_version": __version__,
        "program": None
        if program is None
        else {
            "name": program.name,
            "timezone": program.timezone,
            "threshold": program.policy.threshold,
            "unexcused_limit": program.policy.unexcused_limit,
            "coordinator": program.coordinator,
        },  # fmt: skip
        "enrolment": None
        if state is None
        else {
            "server_url": state.server_url,
            "client_name": state.client_name,
            "enrolled_at": state.enrolled_at.isoformat(),
            "last_sync": _iso(state.last_sync),
        },  # fmt: skip
        "settings": asdict(profile.settings),
        "series": [series_export(s) for s in repo_schedule.list_series(conn)],
        "day_notes": [_note(n) for n in repo_notes.list_notes(conn)],
        "attendance": [
            {
                "occurrence": occurrence_id(uid, original),
                "series": uid,
                "title": titles.get(uid, ""),
                "original_start": original.isoformat(),
                "status": status.value,
                "source": source,
                "updated": updated.isoformat(),
            }
            for uid, original, status, source, updated in repo_schedule.mark_rows(conn)
        ],  # fmt: skip
        "reflections": [_reflection(r, titles) for r in _reflections(profile, key)],
        "checklists": [checklist_json(c) for c in reversed(repo_catchup.list_checklists(conn))],
        "notices": [{**notice_json(e), "shared_reflection": _shared(e.payload)} for e in notices],
        "replies": [reply_json(r) for r in reversed(repo_sync.list_replies(conn))],
        "materials": [
            {
                "occurrence": occurrence_id(m["series_uid"], from_db(m["original_start"])),
                "title": m["title"],
                "kind": m["kind"],
                "url": m["url"],
                "received": from_db(m["received"]).isoformat(),
            }
            for m in repo_sync.all_materials(conn)
        ],  # fmt: skip
        "crisis_contacts": [asdict(c) for c in repo_help.program_contacts(conn)],
        "help_now": [c.line() for c in help_now.contacts(profile)],
    }
