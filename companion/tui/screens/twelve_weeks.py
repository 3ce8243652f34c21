"""The Schedule screen's third view: the last twelve weeks against the policy (p).

A mixin of :class:`~companion.tui.screens.schedule.ScheduleScreen`, kept apart so the
screen stays about its weeks: the picture loads on the backend thread when it is shown
(and again whenever the screen's data changes while it is), ←/→ pick a week whose counts
fill the selection panel, and Enter opens that week in the week view.
"""

from __future__ import annotations

from textual import work
from textual.widgets import ContentSwitcher

from companion.actions import progress as progress_actions
from companion.domain.progress import AttendanceProgress
from companion.tui.messages import ActionFailed, Loaded
from companion.tui.screens.base import MainScreen
from companion.tui.widgets.progress import AttendancePicture, week_breakdown

PROGRESS_LABEL = "Last 12 weeks against the policy"
PROGRESS_HINT = "[dim]p back to the week · ? all keys[/]"
PROGRESS_KEYS = "←/→ pick a week · enter show it in the week view · p back"


class TwelveWeeks(MainScreen):
    """The twelve-week view of a screen with a ``#views`` switcher holding ``#progress``,
    a ``#week-label``, a ``#week-hint`` and a ``#selection`` panel."""

    week_offset = 0
    progress: AttendanceProgress | None = None

    def action_toggle_view(self) -> None:
        raise NotImplementedError  # back to the screen's own views

    def action_week(self, step: int) -> None:
        raise NotImplementedError  # ``step`` weeks from the one on view

    @property
    def in_progress(self) -> bool:
        return self.query_one(ContentSwitcher).current == "progress"

    def action_progress(self) -> None:
        """Show the last twelve weeks against the policy; again, back to the week."""
        if self.in_progress:
            self.action_toggle_view()
            return
        self.query_one(ContentSwitcher).current = "progress"
        self.set_text("#week-label", PROGRESS_LABEL)
        self.set_text("#week-hint", PROGRESS_HINT)
        self.query_one(AttendancePicture).focus()
        if self.progress is not None:
            self._pick(self.query_one(AttendancePicture).selected)
        self.load_progress()

    @work(exclusive=True, group="progress", exit_on_error=False)
    async def load_progress(self) -> None:
        try:
            found = await self.companion.backend.call(progress_actions.load_attendance_progress)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.post_message(ActionFailed(f"Could not load the last 12 weeks: {exc}"))
            return
        self.post_message(Loaded(found))

    def on_loaded(self, message: Loaded) -> None:
        message.stop()
        message.prevent_default()  # handled here, not again by MainScreen
        if isinstance(message.data, AttendanceProgress):
            self.progress = message.data
            self.query_one(AttendancePicture).show(message.data)
        else:
            self.show(message.data)

    def on_attendance_picture_picked(self, event: AttendancePicture.Picked) -> None:
        if self.in_progress:
            self._pick(event.index)

    def on_attendance_picture_opened(self, event: AttendancePicture.Opened) -> None:
        self._open_week(event.index)

    def _pick(self, index: int) -> None:
        if self.progress is not None and 0 <= index < len(self.progress.weeks):
            week = self.progress.weeks[index]
            text = week_breakdown(week, self.progress.threshold)
            self.set_text("#selection", f"{text}\n[dim]{PROGRESS_KEYS}[/]")

    def _open_week(self, index: int) -> None:
        """Enter on a week of the picture: that week in the week view."""
        if self.progress is None:
            return
        self.query_one(ContentSwitcher).current = "week"
        self.query_one("#week").focus()
        self.action_week(index - (len(self.progress.weeks) - 1) - self.week_offset)
