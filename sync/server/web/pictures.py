"""Twelve weeks of attendance per client, as the charts draw them.

The weeks are the client app's (:func:`companion.domain.progress.attendance_progress`):
the policy's Monday-to-Monday weeks, a client's weeks counted from the day they were
added, so the server's picture and the app's agree.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from companion.domain.progress import AttendanceProgress, WeekState, attendance_progress, window
from sync.server.attendance import program_marks
from sync.server.storage.repo import Tx
from sync.server.storage.repo_program import ClientRow
from sync.server.storage.tables import unstamp
from sync.server.web import charts
from sync.server.web.attendance import program_occurrences
from sync.server.web.deps import Coordinator


def weeks_of(progress: AttendanceProgress) -> list[charts.Week]:
    """Each week's label and attended share; None for a week with nothing to count."""
    return [
        charts.Week(
            w.start.strftime("%d %b"),
            None if w.state in (WeekState.BEFORE_START, WeekState.NO_SESSIONS) else w.share,
        )
        for w in progress.weeks
    ]


def client_weeks(
    tx: Tx, who: Coordinator, at: datetime, rows: list[ClientRow]
) -> dict[int, list[charts.Week]]:
    """The last twelve weeks of each client in ``rows``."""
    mondays, end = window(at, who.tz)
    occs = program_occurrences(tx, who, mondays[0], end)
    marks = program_marks(tx, who.program.id, [r.id for r in rows], mondays[0])
    return {
        r.id: weeks_of(
            attendance_progress(occs, marks[r.id], who.policy, at, who.tz, unstamp(r.created_at))
        )
        for r in rows
    }


def program_weeks(per_client: dict[int, list[charts.Week]]) -> list[charts.Week]:
    """The program's weekly attendance: the mean share of the clients with a figure."""
    if not per_client:
        return []
    out = []
    for week in zip(*per_client.values(), strict=True):
        shares = [w.share for w in week if w.share is not None]
        out.append(charts.Week(week[0].label, sum(shares) / len(shares) if shares else None))
    return out


def line(name: str, weeks: list[charts.Week], threshold: float) -> Markup:
    """The chart as markup the template can place (the module escapes its text)."""
    return Markup(charts.line_chart(name, weeks, threshold))


def spark(name: str, weeks: list[charts.Week], threshold: float) -> Markup:
    return Markup(charts.sparkline(name, weeks, threshold))
