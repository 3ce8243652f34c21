"""Twelve weeks at a glance, drawn with block characters (no images): attendance bars
against the policy line, and barriers as a grid of weeks.

Characters carry the meaning and colour only helps: a bar's height is the attended share,
the mark under it says met (✓), not met (✗), not marked (?), within reach (○) or no
sessions (·), and "…" follows the current week's mark, which is still going.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from companion.domain.journal import BarrierTrend
from companion.domain.progress import AttendanceProgress, WeekProgress, WeekState

BLOCKS = " ▁▂▃▄▅▆▇█"
SHADES = ("·", "░", "▒", "▓", "█")  # a barrier named 0, 1, 2, 3, 4+ times in a week
AXIS = 5  # "100% "
ROWS = 4  # bar rows, the policy line's own row apart
MARK = {
    WeekState.MET: "✓",
    WeekState.NOT_MET: "✗",
    WeekState.NOT_MARKED: "?",
    WeekState.OPEN: "○",
    WeekState.NO_SESSIONS: "·",
    WeekState.BEFORE_START: " ",
}
STYLE = {
    WeekState.MET: "$success",
    WeekState.NOT_MET: "$error",
    WeekState.NOT_MARKED: "$text-muted",
    WeekState.OPEN: "$accent",
    WeekState.NO_SESSIONS: "$text-muted",
    WeekState.BEFORE_START: "$text-muted",
}
LEGEND = {
    WeekState.MET: "✓ met",
    WeekState.NOT_MET: "✗ not met",
    WeekState.NOT_MARKED: "? sessions not marked",
    WeekState.OPEN: "○ within reach",
    WeekState.NO_SESSIONS: "· no sessions",
    WeekState.BEFORE_START: "blank: before you started",
}
LINE = "$primary"


class Row:
    """One line built from styled pieces (neighbours of one style merged). The pictures
    are assembled as Content, not markup: parsing ~200 tags cost 15-25 ms a frame."""

    def __init__(self, text: str = "", style: str = "") -> None:
        self.spans: list[tuple[str, str]] = []
        self.add(text, style)

    def add(self, text: str, style: str = "") -> Row:
        if not text:
            return self
        if self.spans and self.spans[-1][1] == style:
            self.spans[-1] = (self.spans[-1][0] + text, style)
        else:
            self.spans.append((text, style))
        return self

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.spans)


def to_content(rows: Sequence[Row]) -> Content:
    """The rows as one Content, a line each."""
    parts: list[str | tuple[str, str]] = []
    for n, row in enumerate(rows):
        if n:
            parts.append("\n")
        parts += [(text, style) if style else text for text, style in row.spans]
    return Content.assemble(*parts)


def week_axis(mondays: Sequence[datetime], col: int, offset: int, selected: int | None = None
              ) -> tuple[Row, Row]:  # fmt: skip
    """Two label rows: each Monday's day of the month under its column, and the month's
    name where a month begins (and at the start); the ``selected`` day reversed."""
    days, months = Row(), Row()
    for n, monday in enumerate(mondays):
        days.add(" " * offset).add(f"{monday:%d}", "reverse" if n == selected else "")
        days.add(" " * (col - offset - 2))
        new_month = n == 0 or monday.month != mondays[n - 1].month
        months.add((" " * offset + (f"{monday:%b}" if new_month else "")).ljust(col))
    return days, Row(months.plain.rstrip())


def _levels(week: WeekProgress, threshold: float, low: int) -> tuple[int, int, int, int]:
    """Eighths of a cell filled below and above the policy line: (solid below, solid
    above, possible below, possible above). A week short of the policy stays short of it."""
    high = ROWS - low

    def split(share: float, short: bool) -> tuple[int, int]:
        below = int(min(share / threshold, 1.0) * low * 8)
        if short:
            below = min(below, low * 8 - 1)
        above = 0
        if threshold < 1:
            above = round(max(0.0, share - threshold) / (1 - threshold) * high * 8)
        return below, above

    met = week.state is WeekState.MET
    solid = split(week.share, not met)
    possible = split(week.possible, week.possible < threshold)
    return (*solid, *possible)


def _cell(solid: int, possible: int, base: int) -> str:
    """The character of one bar cell whose bottom is at ``base`` eighths."""
    filled = max(0, min(8, solid - base))
    if filled:
        return BLOCKS[filled]
    return "░" if possible > base else " "


def picture_rows(progress: AttendanceProgress, width: int, selected: int | None = None
                 ) -> list[Row]:  # fmt: skip
    """The attendance picture, fitted to ``width`` columns: bars above and below the
    policy line, the marks, the Mondays, the legend and the plain reading."""
    weeks, t = progress.weeks, progress.threshold
    col = max(4, min(6, (width - AXIS - 8) // max(1, len(weeks))))
    bar = col - 2
    low = max(1, min(ROWS - 1, round(ROWS * t)))
    levels = [_levels(w, t, low) for w in weeks]

    def bars(axis: str, base: int, solid: int, possible: int) -> Row:
        row = Row(axis)
        for w, lv in zip(weeks, levels, strict=True):
            row.add(" ").add(_cell(lv[solid], lv[possible], base) * bar, STYLE[w.state]).add(" ")
        return row

    rows = [
        bars("100% " if r == 0 else " " * AXIS, (ROWS - low - 1 - r) * 8, 1, 3)
        for r in range(ROWS - low)  # above the line, top first
    ]
    line = Row(f"{round(t * 100)}%".rjust(4) + "─", LINE)
    for w, lv in zip(weeks, levels, strict=True):
        line.add("─", LINE)
        if w.state is WeekState.MET:
            line.add("█" * bar, STYLE[w.state])
        elif lv[2] >= low * 8:  # this week can still reach it
            line.add("░" * bar, STYLE[w.state])
        else:
            line.add("─" * bar, LINE)
        line.add("─", LINE)
    rows.append(line.add(" policy", LINE))
    rows += [
        bars("  0% " if r == low - 1 else " " * AXIS, (low - 1 - r) * 8, 0, 2)
        for r in range(low)  # below the line, top first
    ]
    marks = Row(" " * AXIS)
    for w in weeks:
        mark = MARK[w.state] + ("…" if w.partial else "")
        marks.add(" ").add(mark, STYLE[w.state]).add(" " * (col - 1 - cell_len(mark)))
    rows.append(marks)
    days, months = week_axis([w.start for w in weeks], col, 1, selected)
    rows += [_indent(days), _indent(months)]
    rows += [Row(line, "$text-muted") for line in legend_lines(progress, width)]
    rows.append(Row(progress.reading()))
    return rows


def _indent(row: Row) -> Row:
    out = Row(" " * AXIS)
    for text, style in row.spans:
        out.add(text, style)
    return out


def picture_lines(progress: AttendanceProgress, width: int, selected: int | None = None
                  ) -> list[str]:  # fmt: skip
    """The picture as plain text, a string a line (what a screen reader is given)."""
    return [row.plain for row in picture_rows(progress, width, selected)]


def legend_lines(progress: AttendanceProgress, width: int) -> list[str]:
    """The key to the picture: what a bar and the line are, then the marks on view."""
    pct = f"{round(progress.threshold * 100)}%"
    items = ["█ attended share", f"─ policy {pct} a week"]
    states = {w.state for w in progress.weeks}
    items += [text for state, text in LEGEND.items() if state in states]
    if any(w.partial for w in progress.weeks):
        items.append("… this week so far")
    if any(w.possible > w.share for w in progress.weeks):
        items.append("░ still to come")
    lines, current = [], ""
    for item in items:
        joined = f"{current}  {item}" if current else item
        if current and cell_len(joined) > width:
            lines.append(current)
            joined = item
        current = joined
    lines.append(current)
    return lines


def week_breakdown(week: WeekProgress, threshold: float) -> str:
    """One week in words: "Week of Mon 16 Nov · met · 3 of 3, policy 80%", then its counts."""
    pct = f"{round(threshold * 100)}%"
    state = {
        WeekState.MET: "met",
        WeekState.NOT_MET: "not met",
        WeekState.NOT_MARKED: "not met yet: sessions not marked",
        WeekState.OPEN: "still within reach",
        WeekState.NO_SESSIONS: "no sessions",
        WeekState.BEFORE_START: "before you started",
    }[week.state]
    head = f"[b]Week of {week.start:%a %d %b}[/b]" + (" so far" if week.partial else "")
    if week.scheduled == 0:
        return f"{head} · {state}"
    counts = [
        f"{week.scheduled} scheduled",
        f"{week.attended} attended",
        f"{week.made_up} made up",
        f"{week.excused} excused",
        f"{week.unexcused} unexcused",
    ]
    counts += [f"{n} {what}" for n, what in ((week.not_marked, "not marked"),
               (week.to_come, "to come"), (week.cancelled, "cancelled")) if n]  # fmt: skip
    return (
        f"{head} · [{STYLE[week.state]}]{state}[/] · {week.present} of {week.scheduled}, "
        f"policy {pct}\n" + " · ".join(counts)
    )


class AttendancePicture(Widget, can_focus=True):
    """The last twelve weeks against the policy; ←/→ pick a week, Enter opens it."""

    DEFAULT_CSS = """
    AttendancePicture { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "Earlier week", show=False),
        Binding("right", "move(1)", "Later week", show=False),
        Binding("enter", "open", "Open week", show=False),
    ]

    selected: reactive[int] = reactive(-1, layout=False)
    progress: reactive[AttendanceProgress | None] = reactive(None, layout=True)

    class Picked(Message):
        """A week was picked (``index`` into the progress' weeks)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Opened(Message):
        """Enter on a week: show it in the week view."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def show(self, progress: AttendanceProgress) -> None:
        """Draw ``progress``; the pick stays on its week, else goes to the current one."""
        if self.progress is None or not 0 <= self.selected < len(progress.weeks):
            self.selected = len(progress.weeks) - 1
        self.progress = progress
        self.post_message(self.Picked(self.selected))

    def render(self) -> Content:
        if self.progress is None:
            return Content.from_markup("[dim]Loading…[/]")
        width = self.content_size.width or 78
        return to_content(picture_rows(self.progress, width, self.selected))

    def action_move(self, step: int) -> None:
        if self.progress is not None:
            self.selected = max(0, min(len(self.progress.weeks) - 1, self.selected + step))
            self.post_message(self.Picked(self.selected))

    def action_open(self) -> None:
        if self.progress is not None:
            self.post_message(self.Opened(self.selected))


def barrier_grid(mondays: Sequence[datetime], rows: Sequence[BarrierTrend]) -> list[Row]:
    """Barriers × weeks, each cell shaded by how many reflections named the barrier that
    week, with the trend of the last four weeks at the end of its row."""
    col, label = 3, 20
    days, months = week_axis(mondays, col, 0)
    lines = [Row(" " * label + days.plain), Row(" " * label + months.plain)]
    for trend in rows:
        row = Row(f" {trend.barrier.label:<{label - 1}}")
        for n in trend.per_week:
            if n:
                row.add(SHADES[min(n, 4)] * 2, "$accent").add(" ")
            else:
                row.add(SHADES[0], "$text-muted").add("  ")
        lines.append(row.add(f" {trend.trend()}"))
    key = " · none  ░░ 1  ▒▒ 2  ▓▓ 3  ██ 4 or more reflections naming it that week"
    return [*lines, Row(key, "$text-muted")]
