"""Schedule actions: list occurrences, find one by id, mark attendance, manage series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.actions.materials import attach_materials, has_materials
from companion.actions.profile import Profile, UserError
from companion.domain.attendance import MARKABLE, Status, status_of
from companion.domain.catchup import REFLECT, TELL
from companion.domain.links import is_web_link
from companion.domain.schedule import (
    DEFAULT_REMINDERS,
    Kind,
    Occurrence,
    ScheduleError,
    Series,
    expand_all,
    zone,
)
from companion.store import repo_catchup, repo_outbox, repo_schedule
from companion.store.repo_schedule import SetAside

LOOKAHEAD = timedelta(days=400)
SEARCH_WINDOW = timedelta(days=5 * 365)


@dataclass(frozen=True, slots=True)
class OccurrenceView:
    """An occurrence with its effective status, as lists and forms show it."""

    occurrence: Occurrence
    status: Status

    def as_json(self) -> dict[str, object]:
        occ = self.occurrence
        return {
            "id": occ.id,
            "series": occ.series_uid,
            "title": occ.title,
            "kind": occ.kind.value,
            "start": occ.start.isoformat(),
            "end": occ.end.isoformat(),
            "status": self.status.value,
            "join_url": occ.join_url,
        }


def occurrences(profile: Profile, start: datetime, end: datetime) -> list[OccurrenceView]:
    """Occurrences in ``[start, end)`` with their statuses."""
    conn = profile.store.conn
    series = repo_schedule.list_series(conn)
    found = expand_all(series, start, end)
    marks = repo_schedule.marks(conn, start - timedelta(days=7), end + timedelta(days=7))
    now = profile.now()
    return [OccurrenceView(o, status_of(o, marks, now)) for o in found]


def find_occurrence(profile: Profile, occurrence_id: str) -> Occurrence:
    """The occurrence whose short id is ``occurrence_id``, or a :class:`UserError`.

    Searched newest first, five years at a time: one expansion returns at most
    ``MAX_OCCURRENCES`` starts, which a daily series reaches in 27 years."""
    wanted = occurrence_id.strip().lower()
    now = profile.now()
    for series in repo_schedule.list_series(profile.store.conn):
        first = min(
            [series.start, *series.rdates, *(o.start for o in series.overrides.values() if o.start)]
        ) - timedelta(days=1)
        high = now + LOOKAHEAD
        while high > first:
            low = max(first, high - SEARCH_WINDOW)
            for occ in expand_all([series], low, high):
                if occ.id == wanted:
                    return occ
            high = low
    raise UserError(f"no session with id {occurrence_id!r} (see `companion sessions`)")


def mark(profile: Profile, occurrence_id: str, status: Status) -> OccurrenceView:
    """Record the client's own (provisional) attendance for one occurrence.

    Marking it missed creates its catch-up checklist; marking it attended removes it, and
    any other mark removes a checklist nobody has started.
    """
    if status not in MARKABLE:
        raise UserError(
            f"cannot mark a session {status.value}; use attended, missed, made_up or upcoming"
        )
    occ = find_occurrence(profile, occurrence_id)
    now = profile.now()
    if occ.cancelled:
        raise UserError(
            f"{occ.title} on {occ.local_start(profile.tz()):%a %d %b} was cancelled by the program"
        )
    if status in (Status.ATTENDED, Status.MADE_UP, Status.MISSED) and occ.start > now:
        raise UserError(
            f"{occ.title} on {occ.local_start(profile.tz()):%a %d %b %H:%M} has not started yet"
        )
    with profile.store.transaction() as conn:
        if repo_schedule.mark_source(conn, *occ.key) == "program":
            raise UserError(
                "the program has recorded attendance for this session; "
                "ask your coordinator to change it"
            )
        apply_status(profile, occ, status, now)
    # Cleared: "upcoming" before the start, "not marked" (unrecorded) after it.
    return OccurrenceView(occ, status_of(occ, {occ.key: status}, now))


def apply_status(
    profile: Profile, occ: Occurrence, status: Status, now: datetime, source: str = "client"
) -> None:
    """Store a status and keep the catch-up checklist in step (inside a transaction)."""
    conn = profile.store.conn
    repo_schedule.set_mark(conn, occ.series_uid, occ.original_start, status, now, source)
    # Missed, or excused with something from the program to catch up on (a material).
    if status is Status.MISSED or (status is Status.EXCUSED and has_materials(conn, *occ.key)):
        created = repo_catchup.ensure_checklist(
            conn, occ.series_uid, occ.original_start, occ.title, occ.kind.value, now
        )
        if created:
            _tick_known(profile, occ, now)
    else:
        # Attended after all: nothing to catch up on. Otherwise a checklist the client
        # has started is kept (made up, excused or cleared, the work done still counts).
        checklist = repo_catchup.get_checklist(conn, *occ.key)
        if checklist is not None and (status is Status.ATTENDED or checklist.done_count == 0):
            repo_catchup.remove_checklist(conn, *occ.key)


def _tick_known(profile: Profile, occ: Occurrence, now: datetime) -> None:
    """A new checklist starts with what is already known: a reflection written, a notice
    delivered, materials the coordinator attached."""
    from companion.store import repo_journal  # only marking needs it: status stays light

    conn = profile.store.conn
    if repo_journal.has_reflection_for(conn, *occ.key):
        repo_catchup.tick_key(conn, *occ.key, REFLECT, now)
    if repo_outbox.delivered_for(conn, *occ.key):
        repo_catchup.tick_key(conn, *occ.key, TELL, now)
    attach_materials(conn, *occ.key)


def series_json(s: Series) -> dict[str, object]:
    """A series as ``series list --json`` and the data export show it (reminders apart:
    each shows them its own way)."""
    from companion.domain.schedule import rule_in_words

    return {
        "uid": s.uid,
        "title": s.title,
        "kind": s.kind.value,
        "start": s.start.isoformat(),
        "tzid": s.tzid,
        "duration_min": int(s.duration.total_seconds() // 60),
        "rrule": s.rrule,
        "repeat": rule_in_words(s.rrule),
        "join_url": s.join_url,
        "facilitator": s.facilitator,
        "sequence": s.sequence,
        "origin": s.origin,
    }


def add_series(
    profile: Profile,
    *,
    title: str,
    kind: str,
    start: datetime,
    duration: timedelta,
    rrule: str | None = None,
    tzid: str | None = None,
    join_url: str = "",
    facilitator: str = "",
    reminders: tuple[timedelta, ...] | None = None,
) -> Series:
    """Validate and save a new series of the client's own."""
    from uuid import uuid4  # here: uuid loads platform, which the other commands never need

    _check_link(join_url)
    try:
        tz = zone(tzid) if tzid else profile.tz()
        series = Series(
            uid=f"{uuid4()}@companion",
            title=title.strip(),
            kind=Kind(kind),
            start=start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz),
            duration=duration,
            tzid=tz.key,
            rrule=rrule,
            join_url=join_url.strip(),
            facilitator=facilitator.strip(),
            reminders=reminders if reminders is not None else _default_reminders(profile),
        )
    except (ScheduleError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    with profile.store.transaction() as conn:
        repo_schedule.save_series(conn, series, profile.now())
    return series


def update_series(profile: Profile, uid: str, **changes: object) -> Series:
    """Apply ``changes`` to a series (SEQUENCE goes up when calendars would see a change)."""
    with profile.store.transaction() as conn:
        current = repo_schedule.get_series(conn, uid)
        if current is None:
            raise UserError(f"no series {uid!r} (see `companion series list`)")
        _check_link(changes.get("join_url", ""))
        try:
            updated = current.with_changes(**changes)
        except (ScheduleError, ValueError, TypeError) as exc:
            raise UserError(str(exc)) from exc
        repo_schedule.save_series(conn, updated, profile.now())
    return updated


def _check_link(url: object) -> None:
    """A join link is https/http or nothing: the app opens it and calendars show it."""
    if isinstance(url, str) and url.strip() and not is_web_link(url.strip()):
        raise UserError(f"the join link must be an https:// or http:// link, not {url!r}")


def _default_reminders(profile: Profile) -> tuple[timedelta, ...]:
    minutes = profile.settings.default_reminders_min
    return tuple(timedelta(minutes=m) for m in minutes) if minutes else DEFAULT_REMINDERS


def list_series(profile: Profile) -> list[Series]:
    return repo_schedule.list_series(profile.store.conn)


def set_aside(profile: Profile) -> list[SetAside]:
    """Stored series this version cannot use, with the reason (see ``SetAside``)."""
    return repo_schedule.set_aside(profile.store.conn)


def resolve_series(profile: Profile, ref: str, *, unusable: bool = False) -> Series | SetAside:
    """A series by uid, uid prefix or exact title (``unusable``: set-aside ones too)."""
    candidates: list[Series | SetAside] = [*list_series(profile)]
    if unusable:
        candidates += set_aside(profile)
    wanted = ref.strip()
    matches = [
        s
        for s in candidates
        if s.uid == wanted or s.uid.startswith(wanted) or s.title.lower() == wanted.lower()
    ]
    if len(matches) != 1 or not wanted:
        what = "no series" if not matches else "more than one series"
        raise UserError(f"{what} matches {ref!r} (see `companion series list`)")
    return matches[0]


def remove_series(profile: Profile, ref: str) -> Series | SetAside:
    """Remove a series (a set-aside one too) with its marks and catch-up checklists."""
    series = resolve_series(profile, ref, unusable=True)
    with profile.store.transaction() as conn:
        repo_schedule.remove_series(conn, series.uid)
    return series
