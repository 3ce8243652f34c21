"""The reminders ``companion remind`` and the app show: each one once, remembered in the
store. No calendar library here: `remind` runs every few minutes from cron and starts fast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from companion.actions.profile import Profile
from companion.domain.attendance import Status
from companion.domain.meeting import access_lines
from companion.domain.schedule import Occurrence, expand
from companion.store import repo_schedule
from companion.store.repo_reminders import claim_reminder


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
    discreet = profile.discreet()
    title = occ.title
    if discreet:  # the title discreet calendar files show
        from companion.ics.text import NEUTRAL_TITLE

        title = NEUTRAL_TITLE
    minutes = max(0, round((occ.start - now).total_seconds() / 60))
    left = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"
    text = f"{title} starts in {left}, at {occ.start.astimezone(tz):%a %H:%M}"
    if occ.join_url:
        text += f". Join: {occ.join_url}"
        access = access_lines(occ.description)
        if access and not discreet:  # what the join link asks for next
            text += f" ({', '.join(access)})"
    return Reminder(occ, offset, occ.start - offset, title, text)
