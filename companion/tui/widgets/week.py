"""The week view: days as columns, each session a line coloured by its status, one of them
selected, and each day's notes (closures, holidays) under its heading, never among the
sessions. Arrow keys or a click move the selection; the screen acts on ``selected``."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from companion.actions.schedule import OccurrenceView
from companion.domain.attendance import Status
from companion.domain.notes import DayNote

STATUS_MARK = {
    Status.ATTENDED: "[$success]✓[/]",
    Status.MISSED: "[$error]✗[/]",
    Status.EXCUSED: "[$warning]~[/]",
    Status.MADE_UP: "[$success]↺[/]",
    Status.CANCELLED: "[dim]–[/]",
    Status.UPCOMING: "[$accent]·[/]",
    Status.UNRECORDED: "[$warning]?[/]",
}
STATUS_STYLE = {
    Status.ATTENDED: "$success",
    Status.MISSED: "$error",
    Status.EXCUSED: "$warning",
    Status.MADE_UP: "$success",
    Status.CANCELLED: "dim strike",
    Status.UPCOMING: "$foreground",
    Status.UNRECORDED: "$text-muted",
}


def title_lines(title: str, width: int, most: int = 2) -> list[str]:
    """A title in at most ``most`` lines of ``width``, broken between words; a word or a
    last line that does not fit ends in an ellipsis (never a word cut in two lines)."""
    lines = textwrap.wrap(title, width, break_long_words=False) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


class DayColumn(Static):
    """One day's sessions; a click on one selects it (``@click=pick(n)`` in the text)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        # Keep the status colours: no link styling on the clickable lines.
        self.set_reactive(Static.auto_links, False)

    def on_resize(self) -> None:
        week = self.parent
        if isinstance(week, WeekView) and week.is_mounted:
            week.rewrap()

    def action_pick(self, index: int) -> None:
        week = self.parent
        if isinstance(week, WeekView):
            week.focus()
            week.cursor = index

    def action_notes(self, day: int) -> None:
        week = self.parent
        if isinstance(week, WeekView):
            week.post_message(WeekView.NotesPicked(week.week_start.date() + timedelta(days=day)))


class WeekView(Widget, can_focus=True):
    """Seven day columns of one week; ``cursor`` indexes the week's occurrences."""

    DEFAULT_CSS = """
    WeekView { height: auto; min-height: 8; layout: grid; grid-size: 7; grid-gutter: 0 1; }
    """
    BINDINGS = [
        Binding("left", "move(-1, 0)", "Prev day", show=False),
        Binding("right", "move(1, 0)", "Next day", show=False),
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Selected(Message):
        def __init__(self, view: OccurrenceView | None) -> None:
            super().__init__()
            self.view = view

    class NotesPicked(Message):
        """A day's notes were clicked."""

        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.week_start = datetime(2000, 1, 3)
        self.items: list[OccurrenceView] = []
        self.tz = ZoneInfo("UTC")
        self.now = datetime(2000, 1, 1)
        self.notes: Mapping[date, list[DayNote]] = {}
        self._rewrap_pending = False

    def rewrap(self) -> None:
        """Titles wrap to the columns' widths: the seven columns resize together, so a
        burst of resizes redraws the week once, after the layout settles."""
        if not self._rewrap_pending:
            self._rewrap_pending = True
            self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        self._rewrap_pending = False
        if self.is_mounted:
            self.render_days()

    def compose(self) -> ComposeResult:
        for n in range(7):
            yield DayColumn(id=f"day-{n}", classes="day")

    def set_week(
        self,
        week_start: datetime,
        items: list[OccurrenceView],
        tz: ZoneInfo,
        now: datetime,
        keep: str | None = None,
        notes: Mapping[date, list[DayNote]] | None = None,
    ) -> None:
        same = (week_start, items, tz, now.date()) == (
            self.week_start, self.items, self.tz, self.now.date())  # fmt: skip
        self.week_start, self.items, self.tz, self.now = week_start, items, tz, now
        self.notes = notes or {}
        ids = [v.occurrence.id for v in items]
        if keep in ids:
            cursor = ids.index(keep)
        else:  # the first session from now on, else the last one
            later = [n for n, v in enumerate(items) if v.occurrence.end > now]
            cursor = later[0] if later else max(0, len(items) - 1)
        if same and cursor == self.cursor:
            return  # a reload that changed nothing here: nothing to redraw
        self.set_reactive(WeekView.cursor, cursor)  # no watcher: one Selected below
        self.render_days()
        self.post_message(self.Selected(self.selected))

    def select(self, occurrence_id: str | None) -> None:
        """Put the cursor on ``occurrence_id`` when it is in this week."""
        ids = [v.occurrence.id for v in self.items]
        if occurrence_id in ids:
            self.cursor = ids.index(occurrence_id)

    @property
    def selected(self) -> OccurrenceView | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def _day(self, view: OccurrenceView) -> int:
        return (view.occurrence.local_start(self.tz).date() - self.week_start.date()).days

    def watch_cursor(self) -> None:
        if self.is_mounted:
            self.render_days()
            self.post_message(self.Selected(self.selected))

    def render_days(self) -> None:
        today = self.now.astimezone(self.tz).date()
        for n in range(7):
            column = self.query_one(f"#day-{n}", DayColumn)
            width = max(4, (column.content_size.width or 12) - 2)
            day = self.week_start + timedelta(days=n)
            head = f"{day:%a %d}"
            head = f"[reverse $accent] {head} [/]" if day.date() == today else f"[b] {head} [/]"
            lines = [head]
            for note in self.notes.get(day.date(), []):
                text = "\n".join(f"[i $warning]{escape(line)}[/]"
                                 for line in title_lines(f"◆ {note.title}", width))  # fmt: skip
                lines.append(f"[@click=notes({n})]{text}[/]")
            for i, view in enumerate(self.items):
                if self._day(view) != n:
                    continue
                occ = view.occurrence
                text = f"{STATUS_MARK[view.status]} {occ.local_start(self.tz):%H:%M}\n" + "\n".join(
                    f"  [{STATUS_STYLE[view.status]}]{escape(line)}[/]"
                    for line in title_lines(occ.title, width)
                )
                if i == self.cursor and self.has_focus:
                    text = f"[reverse]{text}[/reverse]"
                elif i == self.cursor:
                    text = f"[u]{text}[/u]"
                lines.append(f"[@click=pick({i})]{text}[/]")
            column.update("\n".join(lines))

    def on_focus(self) -> None:
        self.render_days()

    def on_blur(self) -> None:
        self.render_days()

    def action_move(self, days: int, rows: int) -> None:
        if not self.items:
            return
        if rows:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + rows))
            return
        current = self._day(self.items[self.cursor])
        target = current + days
        while 0 <= target <= 6:
            found = [i for i, v in enumerate(self.items) if self._day(v) == target]
            if found:
                self.cursor = found[0]
                return
            target += days
