"""The "today" view and `companion status`: next session, this week, absences, checklists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from companion.actions.profile import Profile
from companion.domain.attendance import (
    Status,
    UnexcusedCount,
    WeekSummary,
    status_of,
    unexcused_absences,
    week_bounds,
    week_summary,
)
from companion.domain.catchup import CatchUpChecklist
from companion.domain.schedule import Occurrence, expand_all, occurrence_id
from companion.store import repo_catchup, repo_outbox, repo_schedule, repo_sync
from companion.store.repo_schedule import Program
from companion.store.repo_sync import Reply

REPLIES_SHOWN = timedelta(days=30)
BEFORE_SESSION = (
    "test camera and microphone",
    "a quiet, private space",
    "notes from last time",
)


@dataclass(frozen=True, slots=True)
class TodayView:
    """Everything the Today screen and `companion status` show, loaded in one go."""

    now: datetime
    program: Program
    next_occurrence: Occurrence | None
    next_status: Status | None
    week: WeekSummary
    week_occurrences: list[tuple[Occurrence, Status]]
    unexcused: UnexcusedCount
    open_checklists: list[CatchUpChecklist]
    replies: list[Reply] = field(default_factory=list)  # from the coordinator, newest first
    outbox: dict[str, int] = field(default_factory=dict)  # notices by delivery state

    def as_json(self) -> dict[str, object]:
        nxt = self.next_occurrence
        week = self.week
        return {
            "now": self.now.isoformat(),
            "program": {
                "name": self.program.name,
                "timezone": self.program.timezone,
                "threshold": self.program.policy.threshold,
                "unexcused_limit": self.program.policy.unexcused_limit,
            },
            "next": None
            if nxt is None
            else {
                "id": nxt.id,
                "title": nxt.title,
                "kind": nxt.kind.value,
                "start": nxt.start.isoformat(),
                "end": nxt.end.isoformat(),
                "join_url": nxt.join_url,
                "status": self.next_status.value if self.next_status else "upcoming",
            },
            "week": {
                "start": week.week_start.isoformat(),
                "attended": week.attended,
                "missed": week.missed,
                "excused": week.excused,
                "cancelled": week.cancelled,
                "remaining": week.remaining,
                "unrecorded": week.unrecorded,
                "total": week.counted,
                "rate": None if week.rate is None else round(week.rate, 3),
                "threshold": week.threshold,
                "needed_to_stay_above": week.needed_to_stay_above,
                "reachable": week.reachable,
                "forecast": week.forecast(),
            },
            "unexcused": {
                "count": self.unexcused.count,
                "limit": self.unexcused.limit,
                "window_days": self.unexcused.window_days,
            },
            "open_checklists": [
                {
                    "occurrence": occurrence_id_of(c),
                    "title": c.title,
                    "start": c.original_start.isoformat(),
                    "done": c.done_count,
                    "total": len(c.items),
                }
                for c in self.open_checklists
            ],
            "replies": [_reply_json(r) for r in self.replies],
            "outbox": {k: self.outbox.get(k, 0) for k in ("queued", "failed")},
        }


def _reply_json(reply: Reply) -> dict[str, object]:
    # Imported here: the notify layer pulls in pydantic, which the app's start cannot afford.
    from companion.actions.notify import reply_json

    return reply_json(reply)


def occurrence_id_of(checklist: CatchUpChecklist) -> str:
    return occurrence_id(checklist.series_uid, checklist.original_start)


def load_today(profile: Profile) -> TodayView:
    """Load the today view: a bounded window of occurrences, never the whole history."""
    conn = profile.store.conn
    now = profile.now()
    tz = profile.tz()
    program = profile.program()
    policy = program.policy
    series = repo_schedule.list_series(conn)
    week_start, week_end = week_bounds(now, tz)
    window_start = min(week_start, now - timedelta(days=policy.window_days))
    found = expand_all(series, window_start, max(week_end, now + timedelta(days=60)))
    marks = repo_schedule.marks(
        conn, window_start - timedelta(days=7), week_end + timedelta(days=60)
    )
    in_week = [o for o in found if week_start <= o.start < week_end]
    week = week_summary(in_week, marks, policy, now, week_start)
    nxt = next(
        (
            o
            for o in found
            if not o.cancelled and o.end > now and status_of(o, marks, now) is not Status.EXCUSED
        ),
        None,
    )
    return TodayView(
        now=now,
        program=program,
        next_occurrence=nxt,
        next_status=status_of(nxt, marks, now) if nxt else None,
        week=week,
        week_occurrences=[(o, status_of(o, marks, now)) for o in in_week],
        unexcused=unexcused_absences(found, marks, policy, now),
        open_checklists=repo_catchup.list_checklists(conn, open_only=True),
        replies=repo_sync.list_replies(conn, since=now - REPLIES_SHOWN, limit=5),
        outbox=repo_outbox.counts(conn),
    )
