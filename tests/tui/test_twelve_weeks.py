"""Progress you can see (issue 16): the last twelve weeks against the policy on Schedule (p,
also from Today), its line on Today, and barriers week by week in the journal's insights.

A seeded profile in real SQLite at the frozen clock (Thu 26 Nov 2026 17:12, New York):
Process Group Mon/Wed/Fri since August; two sessions missed in the week of 14 Sep, one made
up in the week of 5 Oct, one excused in the week of 12 Oct, the week of 19 Oct called off by
the program; this week Monday attended, Wednesday missed, Friday to come.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.actions.profile import Profile
from companion.actions.schedule import apply_status
from companion.domain.attendance import Policy, Status
from companion.domain.journal import Barrier, Reflection
from companion.domain.schedule import Kind, Override, Series, expand_all
from companion.store import repo_journal, repo_schedule
from companion.store.repo_schedule import Program
from companion.tui.app import CompanionApp
from companion.tui.widgets.progress import AttendancePicture, picture_lines
from tests.tui.conftest import SIZES, press_settled, settle, text_of

pytestmark = pytest.mark.anyio
NY = ZoneInfo("America/New_York")
OFF_WEEK = [datetime(2026, 10, d, 18, tzinfo=NY) for d in (19, 21, 23)]
NOT_ATTENDED = {
    (9, 14): Status.MISSED,
    (9, 16): Status.MISSED,
    (10, 7): Status.MADE_UP,
    (10, 14): Status.EXCUSED,
    (11, 25): Status.MISSED,
}
READING = "8 of 10 weeks met the policy; last 4 in a row"


@pytest.fixture
def seeded(profile: Profile, now: datetime) -> Profile:
    series = Series(
        uid="group@evening",
        title="Process Group",
        kind=Kind.GROUP,
        start=datetime(2026, 8, 3, 18, tzinfo=NY),
        duration=timedelta(hours=3),
        tzid="America/New_York",
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        overrides={c: Override(c, cancelled=True) for c in OFF_WEEK},
        origin="program",
    )
    with profile.store.transaction() as conn:
        repo_schedule.save_program(conn, Program("Evening IOP", "America/New_York", Policy(0.8)))
        repo_schedule.save_series(conn, series, now)
        for occ in expand_all([series], series.start, now):
            if occ.end <= now and not occ.cancelled:
                day = occ.local_start(NY)
                status = NOT_ATTENDED.get((day.month, day.day), Status.ATTENDED)
                apply_status(profile, occ, status, occ.end)
    return profile


def picture_text(app: CompanionApp) -> list[str]:
    picture = app.screen.query_one(AttendancePicture)
    return [picture.render_line(y).text for y in range(picture.size.height)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_picture_shows_the_weeks_that_met_the_policy(
    seeded: Profile, app_for, size: tuple[int, int]
) -> None:
    app: CompanionApp = app_for(seeded)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert "p 12 weeks: 8 of 10 met" in text_of(app, "#this-week")
        await press_settled(pilot, "p")  # from Today: Schedule, on the twelve weeks
        assert app.screen.__class__.__name__ == "ScheduleScreen"
        lines = picture_text(app)
        marks = next(line for line in lines if "○" in line or "✗…" in line)
        # Eight met, two not (14 Sep, 12 Oct), a week off, and this week still going.
        assert (marks.count("✓"), marks.count("✗"), marks.count("·")) == (8, 3, 1)
        assert "✗…" in marks  # this week: 3 of 3 needed, one missed: out of reach already
        assert any(" 07   14 " in line or " 07    14 " in line for line in lines)
        assert any(line.strip().startswith("Sep") and "Oct" in line for line in lines)
        assert lines[-1].strip() == READING
        assert any("80%─" in line and line.rstrip().endswith("policy") for line in lines)
        # No line wrapped, and the whole picture is on screen: nothing to scroll to.
        picture, view = app.screen.query_one(AttendancePicture), app.screen.query_one("#progress")
        progress = picture.progress
        assert progress is not None and progress.reading() == READING
        assert len(lines) == len(picture_lines(progress, picture.content_size.width))
        assert picture.region.bottom <= view.region.bottom
        selection = text_of(app, "#selection")
        assert "Week of Mon 23 Nov so far · not met · 1 of 3, policy 80%" in selection
        assert "3 scheduled · 1 attended · 0 made up · 0 excused · 1 unexcused" in selection


async def test_picking_a_week_tells_its_counts_and_enter_opens_it(seeded: Profile, app_for) -> None:
    app: CompanionApp = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_settled(pilot, "s", "p")
        assert text_of(app, "#week-label") == "Last 12 weeks against the policy"
        await press_settled(pilot, *["left"] * 6)  # 12 Oct
        selection = text_of(app, "#selection")
        assert "Week of Mon 12 Oct · not met · 2 of 3, policy 80%" in selection
        assert "3 scheduled · 2 attended · 0 made up · 1 excused · 0 unexcused" in selection
        await press_settled(pilot, "right")  # the week the program called off
        assert "Week of Mon 19 Oct · no sessions" in text_of(app, "#selection")
        await press_settled(pilot, "right", "right", "right", "right", "enter")
        assert text_of(app, "#week-label").startswith("Week of Mon 16 Nov – Sun 22 Nov 2026")
        await press_settled(pilot, "p", "p")  # there and back: the week view again
        assert text_of(app, "#week-label").startswith("Week of Mon 16 Nov")


async def test_marking_a_session_redraws_the_picture(seeded: Profile, app_for) -> None:
    """Attending Friday's session would not save this week; marking Wednesday attended
    (the client's own correction) makes it within reach: the picture follows the store."""
    from companion.actions.schedule import mark
    from companion.domain.schedule import occurrence_id
    from companion.tui.messages import OccurrenceMarked

    app: CompanionApp = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_settled(pilot, "s", "p")
        wednesday = datetime(2026, 11, 25, 18, tzinfo=NY).astimezone(ZoneInfo("UTC"))
        wednesday_id = occurrence_id("group@evening", wednesday)
        app.perform(mark, wednesday_id, Status.ATTENDED, done=OccurrenceMarked)
        await settle(pilot)
        marks = next(line for line in picture_text(app) if "✓" in line)
        assert "○…" in marks and "✗…" not in marks
        assert "still within reach · 2 of 3" in text_of(app, "#selection")


async def test_insights_show_barriers_week_by_week(seeded: Profile, app_for) -> None:
    def reflection(month: int, day: int, *barriers: Barrier) -> Reflection:
        return Reflection(when=datetime(2026, month, day, 21, tzinfo=NY), barriers=barriers)

    with seeded.store.transaction() as conn:
        for r in (
            reflection(9, 14, Barrier.WORK_SCHOOL),
            reflection(9, 16, Barrier.WORK_SCHOOL, Barrier.TECHNICAL),
            reflection(11, 25, Barrier.WORK_SCHOOL),
            reflection(7, 1, Barrier.HEALTH),  # before the twelve weeks: not in the grid
        ):
            repo_journal.add_reflection(conn, r)
    app: CompanionApp = app_for(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_settled(pilot, "j", "i")
        grid = text_of(app, "#barrier-weeks").splitlines()
        assert grid[0].split() == "07 14 21 28 05 12 19 26 02 09 16 23".split()
        rows = {line[:20].strip(): line[20:] for line in grid[2:-1]}
        assert list(rows) == ["work/school", "technical"]
        # Two reflections naming work/school in the week of 14 Sep, one this week.
        cells = rows["work/school"].split()
        assert cells[:12] == ["·", "▒▒", *["·"] * 9, "░░"]
        assert rows["work/school"].rstrip().endswith("steady")  # 1 in 4 weeks, 2 in the 8 before
        assert rows["technical"].split()[:12] == ["·", "░░", *["·"] * 10]
        assert rows["technical"].rstrip().endswith("less lately")
        assert "reflections naming it that week" in grid[-1]
        counts = [str(w.render()) for w in app.screen.query("#insights Static")]
        assert "Last 12 weeks · 3 reflections" in counts  # the counts are still there
