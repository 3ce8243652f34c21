"""Journal: your reflections, the guided form, and insights (barriers week by week over the
last 12 weeks, then barrier counts over the last 4 and 12 weeks as bars, with strategies
for the top barriers).

A protected journal asks for its passphrase on the first visit of each start (and again
after the idle lock), not when the app starts: most starts are for the next session, and a
dialog before Today would stand in their way. Escape leaves it locked: the list still shows
dates, barriers and mood, insights still count, and ``u`` unlocks; ``l`` locks at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from companion.actions import journal as journal_actions
from companion.actions.profile import Profile
from companion.actions.progress import BarrierWeeks, load_barrier_weeks
from companion.actions.schedule import list_series
from companion.domain.journal import BarrierInsight, Reflection
from companion.tui.messages import ReflectionSaved
from companion.tui.screens.base import MainScreen
from companion.tui.widgets.bars import insight_rows
from companion.tui.widgets.progress import barrier_grid, to_content

LOCKED = "🔒 locked — press u to unlock"
WRITE_LOCKED = "Your journal is locked: unlock it to write (your words are encrypted)."


@dataclass(frozen=True, slots=True)
class JournalData:
    reflections: list[Reflection]
    insights_4: list[BarrierInsight]
    insights_12: list[BarrierInsight]
    titles: dict[str, str]
    by_week: BarrierWeeks | None = None
    protected: bool = False
    stale_key: bool = False  # the passphrase changed elsewhere since the app unlocked


def load_journal(profile: Profile, key: bytes | None = None) -> JournalData:
    stale = key is not None and not journal_actions.key_is_current(profile, key)
    reflections = journal_actions.readable_reflections(profile, None if stale else key)
    return JournalData(
        reflections=reflections,
        insights_4=journal_actions.barrier_insights(profile, weeks=4),
        insights_12=journal_actions.barrier_insights(profile, weeks=12),
        titles={s.uid: s.title for s in list_series(profile)},
        by_week=load_barrier_weeks(profile, reflections),
        protected=journal_actions.is_protected(profile),
        stale_key=stale,
    )


def barriers_cell(r: Reflection) -> str:
    """The list's Barriers column: the first one and how many more ("technical +1"), so
    the Mood column fits beside it at 80 columns; the detail pane names them all."""
    if not r.barriers:
        return "–"
    more = len(r.barriers) - 1
    return r.barriers[0].label + (f" +{more}" if more else "")


@dataclass(frozen=True, slots=True)
class SavedReflection:
    """A reflection just saved, and whether to offer the "Need help now?" panel."""

    reflection: Reflection
    offer_help: bool = False


def save_reflection(profile: Profile, draft: Any, key: bytes | None = None) -> SavedReflection:
    from companion.actions.help_now import offer_after

    saved = journal_actions.add_reflection(
        profile,
        barriers=draft.barriers,
        what_happened=draft.what_happened,
        plan=draft.plan,
        mood=draft.mood,
        occurrence_id=draft.occurrence_id,
        key=key,
    )
    return SavedReflection(saved, offer_after(profile, saved))


class JournalScreen(MainScreen):
    """Reflections on the left, the selected one on the right; insights on a second tab."""

    BINDINGS = [
        Binding("w", "write", "Write a reflection"),
        Binding("i", "toggle_tab", "Entries/insights"),
        Binding("u", "unlock", "Unlock the journal", show=False),
        Binding("l", "lock", "Lock the journal", show=False),
    ]
    AUTO_FOCUS = "#journal-list"  # up/down move through the reflections from the start

    def __init__(self) -> None:
        super().__init__()
        self.data: JournalData | None = None
        self.shown_tz: object = None
        self.shown_key: bytes | None = None
        self._insights_stale = True

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="journal-tabs"):
            with TabPane("Reflections", id="entries"), Horizontal():
                yield DataTable(id="journal-list", cursor_type="row")
                yield VerticalScroll(Static(id="journal-detail-body"), id="journal-detail")
            with TabPane("Insights", id="insights-tab"):
                yield VerticalScroll(id="insights")

    def on_mount(self) -> None:
        self.query_one("#journal-list", DataTable).add_columns("Date", "Barriers", "Mood")

    def loader(self) -> Any:
        key = self.companion.journal_key
        return lambda profile: load_journal(profile, key)

    def on_screen_resume(self) -> None:  # a visit: MainScreen reloads, this offers to unlock
        if self.data is not None:
            self._offer_unlock(self.data)

    def _offer_unlock(self, data: JournalData) -> None:
        """On a visit, a locked journal asks once (until the next idle lock); never while
        the screen is built ahead out of sight."""
        app = self.companion
        if not self.is_active:
            return
        if data.protected and app.journal_key is None and not app.journal_asked:
            app.ask_unlock()

    def show(self, data: JournalData) -> None:
        if data.stale_key:
            self.companion.lock_journal("The journal's passphrase was changed: unlock it again.")
        if self.data is None:  # the first visit
            self._offer_unlock(data)
        tz = self.companion.tz
        if data == self.data and tz == self.shown_tz:
            return  # a reload that found nothing new: keep the table (years of rows)
        self.data, self.shown_tz = data, tz
        table = self.query_one("#journal-list", DataTable)
        table.clear()
        # Text cells: a plain string would be parsed as markup, row by row.
        for r in data.reflections:
            table.add_row(
                Text(f"{r.when.astimezone(tz):%a %d %b}"),
                Text(barriers_cell(r)),
                Text("" if r.mood is None else f"{r.mood}/5"),
                key=str(r.id),
            )
        if not data.reflections:
            self.query_one("#journal-detail-body", Static).update(
                "[dim]No reflections yet. Press w to write one: what happened, what got in "
                "the way, and a plan for next time.[/]"
            )
        else:  # the text shown follows the lock both ways (a reload after locking drops it)
            self._show_detail(table)
        self._insights_stale = True
        if self.query_one(TabbedContent).active == "insights-tab":
            self._show_insights()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "insights-tab":
            self._show_insights()

    def _show_insights(self) -> None:
        """Build the insights rows when their tab is on view (a widget per row: built for
        nothing while the list is shown, they would slow the first visit down)."""
        if self.data is None or not self._insights_stale:
            return
        self._insights_stale = False
        insights = self.query_one("#insights")
        insights.remove_children()
        insights.mount_all(self.insight_widgets(self.data))

    def insight_widgets(self, data: JournalData) -> list[Widget]:
        rows: list[Widget] = []
        if data.by_week is not None and data.by_week.rows:
            grid = to_content(barrier_grid(data.by_week.mondays, data.by_week.rows))
            rows.append(Static("[b]Week by week[/b] · last 12 weeks", classes="section"))
            rows.append(Static(grid, id="barrier-weeks"))
        for weeks, found in ((4, data.insights_4), (12, data.insights_12)):
            n = sum(1 for r in data.reflections if self._within(r, weeks))
            head = f"[b]Last {weeks} weeks[/b] · {n} reflection{'s' if n != 1 else ''}"
            rows.append(Static(head, classes="section"))
            rows += insight_rows(found) or [Static("[dim]nothing recorded[/]")]
        return rows

    def _within(self, r: Reflection, weeks: int) -> bool:
        from datetime import timedelta

        return r.when >= self.companion.now() - timedelta(weeks=weeks)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.data_table)

    def _show_detail(self, table: DataTable) -> None:
        if self.data is None or not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        found = [r for r in self.data.reflections if str(r.id) == row_key]
        if found:
            self.query_one("#journal-detail-body", Static).update(self.detail(found[0]))

    def detail(self, r: Reflection) -> str:
        tz = self.companion.tz
        lines = [f"[b]{r.when.astimezone(tz):%a %d %b %Y, %H:%M}[/b]"]
        if r.occurrence and self.data:
            uid, start = r.occurrence
            title = self.data.titles.get(uid, "a session")
            lines.append(f"about {escape(title)} on {start.astimezone(tz):%a %d %b}")
        if r.barriers:
            lines.append("[b]in the way:[/b] " + ", ".join(b.label for b in r.barriers))
        if r.locked:
            unlocked = self.companion.journal_key is not None
            lines += ["", "[dim]this text could not be decrypted[/]" if unlocked else LOCKED]
        if r.what_happened:
            lines += ["", "[b]what happened[/b]", escape(r.what_happened)]
        if r.plan:
            lines += ["", "[b]plan for next time[/b]", escape(r.plan)]
        if r.mood is not None:
            lines += ["", f"mood {r.mood} of 5"]
        lines += ["", "[dim]shared with your coordinator[/]" if r.shared else "[dim]private[/]"]
        return "\n".join(lines)

    def action_toggle_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "insights-tab" if tabs.active == "entries" else "entries"
        # Focus follows, or the tabs would switch back to the pane holding the focus.
        self.query_one("#insights" if tabs.active == "insights-tab" else "#journal-list").focus()

    def action_unlock(self) -> None:
        if self.data is not None and self.data.protected and self.companion.journal_key is None:
            self.companion.ask_unlock()

    def action_lock(self) -> None:
        self.companion.lock_journal()

    async def action_write(self, occurrence_id: str | None = None) -> None:
        await open_reflection_form(self.companion, occurrence_id)


async def open_reflection_form(app: Any, occurrence_id: str | None = None) -> None:
    """Load the sessions a reflection can be about, then show the form; save on success.
    A locked journal asks to unlock first, and again at saving if the idle lock came."""
    from companion.tui.dialogs.reflection_form import ReflectionForm, reflection_candidates

    candidates = await app.backend.call(reflection_candidates)

    def save(draft: Any, key: bytes | None) -> None:
        app.perform(save_reflection, draft, key, done=ReflectionSaved)

    def saved(draft: Any) -> None:
        if draft is not None:
            app.with_journal_key(lambda key: save(draft, key), WRITE_LOCKED)

    def show_form(_key: bytes | None) -> None:
        app.push_screen(ReflectionForm(candidates, occurrence_id), saved)

    app.with_journal_key(show_form, WRITE_LOCKED)
