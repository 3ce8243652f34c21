"""Schedule: a week view (days as columns), a list view and the last twelve weeks against
the policy; mark attendance, "I can't make it", add/edit/remove series, and export or
import .ics files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import ContentSwitcher, DataTable, Static

from companion.actions import schedule as schedule_actions
from companion.actions.notes import notes_between
from companion.actions.profile import Profile, UserError
from companion.actions.schedule import OccurrenceView
from companion.domain.attendance import Status, week_bounds
from companion.domain.notes import DayNote
from companion.domain.schedule import Series, rule_in_words
from companion.tui import optional
from companion.tui.messages import (
    NO_ICS_LAYER,
    ActionFailed,
    CalendarExported,
    CalendarImported,
    OccurrenceMarked,
    SeriesAdded,
    SeriesRemoved,
    SeriesUpdated,
)
from companion.tui.screens.twelve_weeks import TwelveWeeks
from companion.tui.widgets.details import note_lines, panel_lines, session_details
from companion.tui.widgets.fmt import offsets_words
from companion.tui.widgets.progress import AttendancePicture
from companion.tui.widgets.tables import fill_table, is_current
from companion.tui.widgets.week import STATUS_STYLE, WeekView

# "? Help" ends the footer; p is said here, where the footer has no room at 80 columns.
WEEK_HINT = "[dim]\\[ ] weeks · v week/list · p 12 weeks[/]"

TABLE_STYLE = {
    Status.ATTENDED: "green",
    Status.MISSED: "bold red",
    Status.EXCUSED: "yellow",
    Status.MADE_UP: "green",
    Status.CANCELLED: "dim strike",
    Status.UPCOMING: "",
    Status.UNRECORDED: "italic",
}

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp
    from companion.tui.dialogs.files import ExportRequest
    from companion.tui.dialogs.series_form import SeriesDraft


@dataclass(frozen=True, slots=True)
class WeekData:
    week_start: datetime
    items: list[OccurrenceView]
    series: dict[str, Series]
    tz: ZoneInfo
    now: datetime
    notes: dict[date, list[DayNote]] = field(default_factory=dict)


def load_week(profile: Profile, offset: int) -> WeekData:
    """The occurrences of the week ``offset`` weeks from this one, with their series."""
    tz, now = profile.tz(), profile.now()
    start, _ = week_bounds(now + timedelta(weeks=offset), tz)
    end = (start + timedelta(days=7, hours=12)).replace(hour=0)  # DST-safe next Monday
    items = [
        v
        for v in schedule_actions.occurrences(profile, start, end)
        if start <= v.occurrence.start.astimezone(tz) < end
    ]
    series = {s.uid: s for s in schedule_actions.list_series(profile)}
    notes = notes_between(profile, start.date(), (start + timedelta(days=7)).date())
    return WeekData(start, items, series, tz, now, notes)


def export_calendar_file(profile: Profile, path: Any, discreet: bool, no_links: bool) -> Any:
    ics = optional.ics()
    if ics is None:
        raise UserError(NO_ICS_LAYER)
    data = ics.export_profile(profile, discreet=discreet, no_links=no_links)
    from companion.actions.files import write_private_file

    write_private_file(Path(path), data)  # the user's folder (their home): never tightened
    return path


def import_calendar_file(profile: Profile, path: str) -> Any:
    ics = optional.ics()
    if ics is None:
        raise UserError(NO_ICS_LAYER)
    from pathlib import Path

    return ics.import_file(profile, Path(path))


def import_calendar(app: CompanionApp, path: str) -> None:
    app.perform(import_calendar_file, path, done=CalendarImported)


class ScheduleScreen(TwelveWeeks):
    """Weeks of sessions, one selected; keys act on the selection."""

    # In the footer's order: what acts on the selection first, so it stays at 80 columns.
    BINDINGS = [
        Binding("a", "mark('attended')", "Attended"),
        Binding("m", "mark('missed')", "Missed"),
        Binding("n", "cant_make_it", "Can't make it"),
        Binding("v", "toggle_view", "Week/list"),
        Binding("p", "progress", "12 weeks"),
        Binding("left_square_bracket", "prev_week", "Prev week", key_display="["),
        Binding("right_square_bracket", "next_week", "Next week", key_display="]"),
        Binding("w", "this_week", "This week", show=False),
        Binding("u", "mark('made_up')", "Made up", show=False),
        Binding("z", "mark('upcoming')", "Clear mark", show=False),
        Binding("plus", "add_series", "Add", key_display="+"),
        Binding("e", "edit_series", "Edit", show=False),
        Binding("delete", "remove_series", "Remove", show=False),
        Binding("x", "export", "Export .ics"),
        Binding("i", "import", "Import .ics", show=False),
        Binding("d", "details", "Details", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.week_offset = 0
        self.data: WeekData | None = None
        self.selected_id: str | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="schedule-head"):
            yield Static("Week", id="week-label")
            yield Static(WEEK_HINT, id="week-hint")
        with ContentSwitcher(initial="week", id="views"):
            yield WeekView(id="week")
            table: DataTable[str] = DataTable(id="schedule-table", cursor_type="row")
            yield table
            yield VerticalScroll(AttendancePicture(), id="progress", can_focus=False)
        yield Static(id="selection")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Day", "Time", "Session", "Kind", "Status")
        self.query_one(WeekView).focus()

    def loader(self) -> Any:
        return partial(load_week, offset=self.week_offset)

    def show(self, data: WeekData) -> None:
        self.data = data
        if self.in_progress:
            self.load_progress()  # the data changed: the twelve weeks too
        else:
            self._week_head()
        week = self.query_one(WeekView)
        week.set_week(data.week_start, data.items, data.tz, data.now, keep=self.selected_id,
                      notes=data.notes)  # fmt: skip
        # Both views keep the selected session: marking it, or a change from elsewhere,
        # never moves the selection to another row.
        fill_table(self.query_one(DataTable), [self._row(v, data.tz) for v in data.items],
                   keep=week.selected.occurrence.id if week.selected else None)  # fmt: skip
        if not self.in_progress:
            self._select(week.selected)

    def _week_head(self) -> None:
        if self.data is None:
            return
        start = self.data.week_start
        label = f"Week of {start:%a %d %b} – {start + timedelta(days=6):%a %d %b %Y}"
        if self.week_offset == 0:
            label += "  [dim](this week)[/]"
        self.set_text("#week-label", label)
        self.set_text("#week-hint", WEEK_HINT)

    @staticmethod
    def _row(view: OccurrenceView, tz: ZoneInfo) -> tuple[str, tuple[Any, ...]]:
        occ = view.occurrence
        local = occ.local_start(tz)
        return occ.id, (
            f"{local:%a %d}",
            f"{local:%H:%M}-{occ.local_end(tz):%H:%M}",
            Text(occ.title),
            occ.kind.value,
            Text(view.status.label, style=TABLE_STYLE[view.status]),
        )

    # ---- selection -------------------------------------------------------------------
    def on_week_view_selected(self, event: WeekView.Selected) -> None:
        if not self.in_progress:
            self._select(event.view)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.query_one(ContentSwitcher).current != "schedule-table" or not is_current(event):
            return  # the hidden table's cursor is not the selection, nor is a stale row
        if self.data and event.row_key.value:
            found = [v for v in self.data.items if v.occurrence.id == event.row_key.value]
            self._select(found[0] if found else None)

    def _select(self, view: OccurrenceView | None) -> None:
        self.selected_id = view.occurrence.id if view else None
        if view is None or self.data is None:
            notes = self._week_notes()
            self.set_text(
                "#selection", "\n".join(["[dim]No sessions this week. + adds a series.[/]", *notes])
            )
            return
        occ, tz = view.occurrence, self.data.tz
        series = self.data.series.get(occ.series_uid)
        style = STATUS_STYLE[view.status]
        lines = [
            f"[b]{escape(occ.title)}[/b] · {occ.local_start(tz):%a %d %b %H:%M}-"
            f"{occ.local_end(tz):%H:%M} · [{style}]{view.status.label}[/]"
            + (" [dim](moved)[/]" if occ.moved else "")
            + f" [dim]· id {occ.id}[/]",
        ]
        if series is not None:
            origin = "from your program" if series.origin == "program" else series.origin
            lines.append(
                f"[dim]repeats {escape(rule_in_words(series.rrule))} · reminders "
                f"{offsets_words(series.reminders)} · {origin}[/]"
            )
        on_the_day = self.data.notes.get(occ.local_start(tz).date(), [])
        lines += panel_lines(occ, on_the_day, self.app.size)
        self.set_text("#selection", "\n".join(lines))

    def _week_notes(self) -> list[str]:
        notes = self.data.notes if self.data else {}
        return [line for day in sorted(notes) for line in note_lines(notes[day], day)]

    def on_week_view_notes_picked(self, event: WeekView.NotesPicked) -> None:
        notes = self.data.notes.get(event.day, []) if self.data else []
        if notes:
            self.set_text("#selection", "\n".join(note_lines(notes, event.day, full=True)))

    def action_details(self) -> None:
        view = self.selected
        if view is None or self.data is None:
            self.notify("Pick a session first.", severity="warning")
            return
        from companion.tui.dialogs.details import DetailsDialog

        occ, tz = view.occurrence, self.data.tz
        heading = (
            f"[b]{escape(occ.title)}[/b] · {occ.local_start(tz):%a %d %b %H:%M}-"
            f"{occ.local_end(tz):%H:%M}"
        )
        notes = self.data.notes.get(occ.local_start(tz).date(), [])
        self.app.push_screen(DetailsDialog(heading, session_details(occ, notes)))

    @property
    def selected(self) -> OccurrenceView | None:
        if self.data is None or self.in_progress:  # no session is on view to act on
            return None
        return next((v for v in self.data.items if v.occurrence.id == self.selected_id), None)

    # ---- navigation ------------------------------------------------------------------
    def action_week(self, step: int) -> None:
        self.week_offset += step
        self.selected_id = None
        self.reload()

    def action_prev_week(self) -> None:
        self.action_week(-1)

    def action_next_week(self) -> None:
        self.action_week(1)

    def action_this_week(self) -> None:
        self.week_offset = 0
        self.selected_id = None
        self.reload()

    def action_toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "schedule-table" if switcher.current == "week" else "week"
        self._week_head()
        if switcher.current == "week":
            week = self.query_one(WeekView)
            week.select(self.selected_id)  # where the list's cursor was
            week.focus()
        else:
            table = self.query_one(DataTable)
            ids = [v.occurrence.id for v in self.data.items] if self.data else []
            if self.selected_id in ids:
                table.move_cursor(row=ids.index(self.selected_id))
            table.focus()
        self._select(self.selected)

    # ---- attendance --------------------------------------------------------------------
    def action_mark(self, status: str) -> None:
        view = self.selected
        if view is None:
            self.notify("Pick a session first.", severity="warning")
            return
        self.companion.perform(
            schedule_actions.mark, view.occurrence.id, Status(status), done=OccurrenceMarked
        )

    async def action_cant_make_it(self) -> None:
        view = self.selected
        if view is None:
            await self.companion.action_notify_about()
            return
        await self.companion.action_notify_about(view.occurrence.id)

    # ---- series ----------------------------------------------------------------------
    def _form(self, series: Series | None) -> Any:
        from companion.tui.dialogs.series_form import SeriesForm

        app = self.companion
        return SeriesForm(
            series,
            today=app.now().astimezone(app.tz).date(),
            reminders=app.settings.default_reminders_min,
        )

    def action_add_series(self) -> None:
        self.app.push_screen(self._form(None), self._added)

    def _added(self, draft: SeriesDraft | None) -> None:
        if draft is None:
            return
        self.companion.perform(
            schedule_actions.add_series,
            title=draft.title,
            kind=draft.kind.value,
            start=draft.start,
            duration=draft.duration,
            rrule=draft.rrule,
            join_url=draft.join_url,
            facilitator=draft.facilitator,
            reminders=draft.reminders,
            done=SeriesAdded,
        )
        self._go_to(draft.start)

    def _go_to(self, start: datetime) -> None:
        """Show the week holding ``start`` (local, naive) so a new series is in view."""
        app = self.companion
        now = app.now().astimezone(app.tz)
        this_monday = now.date() - timedelta(days=now.weekday())
        self.week_offset = (start.date() - this_monday).days // 7
        self.selected_id = None

    def _selected_series(self) -> Series | None:
        view = self.selected
        series = self.data.series.get(view.occurrence.series_uid) if view and self.data else None
        if series is None:
            self.notify("Pick a session of the series first.", severity="warning")
        elif series.origin == "program":
            self.notify(
                "This series comes from your program; your coordinator changes it.",
                severity="warning",
            )
            return None
        return series

    def action_edit_series(self) -> None:
        series = self._selected_series()
        if series is not None:
            self.app.push_screen(self._form(series), partial(self._edited, series))

    def _edited(self, series: Series, draft: SeriesDraft | None) -> None:
        if draft is None:
            return
        self.companion.perform(
            schedule_actions.update_series,
            series.uid,
            title=draft.title,
            kind=draft.kind,
            start=draft.start.replace(tzinfo=series.zone),
            duration=draft.duration,
            rrule=draft.rrule,
            join_url=draft.join_url,
            facilitator=draft.facilitator,
            reminders=draft.reminders,
            done=SeriesUpdated,
        )

    def action_remove_series(self) -> None:
        series = self._selected_series()
        if series is None:
            return
        from companion.tui.dialogs.confirm import ConfirmDialog

        question = (
            f"Remove {series.title} ({rule_in_words(series.rrule)}) and all its "
            "sessions from your schedule?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.companion.perform(
                    schedule_actions.remove_series, series.uid, done=SeriesRemoved
                )

        self.app.push_screen(ConfirmDialog(question, yes="Remove"), answered)

    # ---- files -----------------------------------------------------------------------
    @work(group="export-dialog", exclusive=True, exit_on_error=False)
    async def action_export(self) -> None:
        """The export dialog, ticked for discreet titles when the client or the program
        chose them (the program's default comes from the store)."""
        from pathlib import Path

        from companion.tui.dialogs.files import ExportDialog

        default = str(Path.home() / "companion.ics")
        try:
            discreet = await self.companion.backend.call(lambda profile: profile.discreet())
        except Exception:  # noqa: BLE001 - the dialog still opens, on the client's own setting
            discreet = self.companion.settings.discreet
        self.app.push_screen(ExportDialog(default, discreet), self._export)

    def _export(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        if optional.ics() is None:
            self.app.post_message(ActionFailed(NO_ICS_LAYER))
            return
        self.companion.perform(
            export_calendar_file,
            request.path,
            request.discreet,
            request.no_links,
            done=CalendarExported,
        )

    def action_import(self) -> None:
        self.companion.ask_import()
