"""Journal actions: write a reflection (ticking "reflect" on its checklist), list, insights."""

from __future__ import annotations

from datetime import timedelta

from companion.actions.profile import Profile, UserError
from companion.actions.schedule import find_occurrence
from companion.domain.catchup import REFLECT
from companion.domain.journal import Barrier, BarrierInsight, JournalError, Reflection, insights
from companion.store import repo_catchup, repo_journal


def add_reflection(
    profile: Profile,
    *,
    barriers: list[str] | tuple[Barrier, ...],
    what_happened: str = "",
    plan: str = "",
    mood: int | None = None,
    occurrence_id: str | None = None,
) -> Reflection:
    """Save a private reflection; when linked to a missed session, tick its "reflect" item."""
    occ = find_occurrence(profile, occurrence_id) if occurrence_id else None
    now = profile.now()
    try:
        parsed = tuple(b if isinstance(b, Barrier) else Barrier.parse(b) for b in barriers)
        reflection = Reflection(
            when=now,
            barriers=parsed,
            what_happened=what_happened.strip(),
            plan=plan.strip(),
            mood=mood,
            occurrence=occ.key if occ else None,
        )
    except JournalError as exc:
        raise UserError(str(exc)) from exc
    with profile.store.transaction() as conn:
        rid = repo_journal.add_reflection(conn, reflection)
        if occ is not None:
            repo_catchup.tick_key(conn, occ.series_uid, occ.original_start, REFLECT, now)
    return repo_journal.get_reflection(profile.store.conn, rid) or reflection


def list_reflections(profile: Profile, limit: int | None = None) -> list[Reflection]:
    return repo_journal.list_reflections(profile.store.conn, limit=limit)


def barrier_insights(profile: Profile, weeks: int = 12) -> list[BarrierInsight]:
    now = profile.now()
    since = now - timedelta(weeks=weeks)
    found = repo_journal.list_reflections(profile.store.conn, since=since)
    return insights(found, since, now + timedelta(seconds=1))


def reflection_json(r: Reflection) -> dict[str, object]:
    from companion.domain.schedule import occurrence_id

    return {
        "id": r.id,
        "when": r.when.isoformat(),
        "occurrence": occurrence_id(*r.occurrence) if r.occurrence else None,
        "barriers": [b.value for b in r.barriers],
        "what_happened": r.what_happened,
        "plan": r.plan,
        "mood": r.mood,
        "shared": r.shared,
    }
