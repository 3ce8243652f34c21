"""Today, the start screen: the next session with a live countdown and its join link,
this week against the policy (and the last twelve weeks in a line: p shows them), open
catch-up checklists, the outbox and coordinator replies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from companion.actions.profile import Profile
from companion.actions.progress import load_attendance_progress
from companion.actions.schedule import list_series
from companion.actions.today import BEFORE_SESSION, TodayView, load_today
from companion.domain.links import REFUSED as LINK_REFUSED
from companion.domain.links import is_web_link
from companion.domain.progress import AttendanceProgress
from companion.tui import optional
from companion.tui.messages import ActionFailed, Loaded
from companion.tui.screens.base import MainScreen
from companion.tui.widgets.checklist import checklist_lines
from companion.tui.widgets.details import access_line
from companion.tui.widgets.fmt import countdown, kind_note, meter, span_label
from companion.tui.widgets.header import AppHeader
from companion.tui.widgets.replies import coordinator_lines
from companion.tui.widgets.week import STATUS_MARK


@dataclass(slots=True)
class TodayData:
    view: TodayView
    empty: bool
    progress: AttendanceProgress | None = None


@dataclass(slots=True)
class CoordinatorData:
    outbox: list[Any] = field(default_factory=list)
    replies: list[Any] = field(default_factory=list)
    enrolled: bool = False


def load_today_data(profile: Profile) -> TodayData:
    """The schedule part of Today, loaded on the backend thread."""
    view = load_today(profile)
    empty = view.next_occurrence is None and not profile.has_program() and not list_series(profile)
    return TodayData(view, empty, None if empty else load_attendance_progress(profile))


def load_coordinator_data(profile: Profile) -> CoordinatorData:
    """The outbox and replies. Loaded after the first paint: the sync layer it imports
    (pydantic, httpx) would otherwise delay start-up."""
    from companion.tui.sync import is_enrolled

    data = CoordinatorData(enrolled=is_enrolled(profile))
    notify = optional.notify()
    if notify is not None:
        data.outbox = list(notify.outbox(profile))
        data.replies = list(notify.replies(profile))
    return data


class TodayScreen(MainScreen):
    """The start screen."""

    # Shown in the next-session panel beside what they act on; the footer keeps the
    # screens (as SCREENS.md sketches it), which then fit at 80 columns.
    BINDINGS = [
        Binding("o", "open_link", "Open link", show=False),
        Binding("y", "copy_link", "Copy link", show=False),
        Binding("n", "cant_make_it", "I can't make it", show=False),
        Binding("p", "progress", "Last 12 weeks", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: TodayData | None = None
        self._next_shown = ""
        self._reload_asked = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="today-columns"):
            with Vertical(id="today-left"):
                yield Static("[dim]Loading…[/]", id="next-session", classes="panel")
                yield VerticalScroll(Static(id="catchup-body"), id="today-catchup", classes="panel")
            with Vertical(id="today-right"):
                yield Static(id="this-week", classes="panel")
                yield VerticalScroll(
                    Static(id="coordinator-body"), id="coordinator", classes="panel"
                )

    def on_mount(self) -> None:
        self.query_one("#next-session").border_title = "Next session"
        self.query_one("#today-catchup").border_title = "Catch up"
        self.query_one("#this-week").border_title = "This week"
        self.query_one("#coordinator").border_title = "From your coordinator"
        self.set_interval(1, self.tick)
        # Started with the app: waiting here (a few ms of work on the backend thread) beats
        # painting "Loading…" and then everything again.
        self.show_ahead(wait_s=0.25)

    def loader(self) -> Callable[..., Any]:
        return load_today_data

    def show(self, data: TodayData) -> None:
        self.data = data
        app = self.companion
        app.program_name = data.view.program.name
        from companion.domain.schedule import zone

        app.tz = zone(app.settings.timezone or data.view.program.timezone)
        self._reload_asked = False
        self.query_one(AppHeader).tick()
        self.tick()
        self.set_text("#this-week", self.week_text(data.view, data.progress))
        self.set_text("#catchup-body", self.catchup_text(data.view))
        # After this frame is out: its sync layer import (pydantic, httpx) on the backend
        # thread would otherwise hold the GIL against the first paint.
        self.call_after_refresh(self.load_coordinator)
        if data.empty and not app.welcome_offered:
            app.welcome_offered = True
            from companion.tui.screens.welcome import WelcomeScreen

            app.push_screen(WelcomeScreen())

    @work(exclusive=True, group="coordinator", exit_on_error=False)
    async def load_coordinator(self) -> None:
        try:
            data = await self.companion.backend.call(load_coordinator_data)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.post_message(ActionFailed(f"Could not load notices: {exc}"))
            return
        self.post_message(Loaded(data))

    def on_loaded(self, message: Loaded) -> None:
        message.stop()
        message.prevent_default()  # handled here, not again by MainScreen
        if isinstance(message.data, CoordinatorData):
            d = message.data
            self.set_text(
                "#coordinator-body",
                "\n".join(coordinator_lines(d.outbox, d.replies, d.enrolled, self.companion.tz)),
            )
            self.companion.first_paint_done()
        else:
            self.show(message.data)

    def on_screen_resume(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Redraw the next-session panel when its countdown moved on (a new text costs a
        layout, so an unchanged one is left alone, and so is a screen not on view).

        When the next session ends, what Today shows moves on (the session after it, the
        week's forecast): load afresh, once."""
        if self.data is None or self not in self.app.screen_stack:
            return
        occ = self.data.view.next_occurrence
        if occ is not None and not self._reload_asked and self.companion.now() >= occ.end:
            self._reload_asked = True
            self.reload()
        text = self.next_text(self.data.view)
        if text != self._next_shown:
            self._next_shown = text
            self.query_one("#next-session", Static).update(text)

    def next_text(self, view: TodayView) -> str:
        occ = view.next_occurrence
        if occ is None:
            return (
                "No upcoming sessions.\n[dim]Add a series on Schedule (s, then +), or load "
                "the demo program from the command palette (ctrl+p).[/]"
            )
        app = self.companion
        now, tz = app.now(), app.tz
        lines = [
            f"[b]{escape(occ.title)}[/b]{kind_note(occ.title, occ.kind)}",
            f"{span_label(occ.start, occ.end, now, tz)} · [b $accent]"
            f"{countdown(occ.start, occ.end, now)}[/]",
        ]
        if occ.join_url:
            lines.append(f"join: [u]{escape(occ.join_url)}[/u]")
            lines.append("[dim]o[/] open  [dim]y[/] copy link")
        if access_line(occ):
            lines.append(escape(access_line(occ)))
        if occ.facilitator:
            lines.append(f"with {escape(occ.facilitator)}")
        lines.append("before: " + " · ".join(BEFORE_SESSION))
        lines.append("[dim]n[/] I can't make it")
        return "\n".join(lines)

    def week_text(self, view: TodayView, progress: AttendanceProgress | None = None) -> str:
        week, tz = view.week, self.companion.tz
        pct = f"{round(week.threshold * 100)}%"
        strip = "  ".join(
            f"{o.local_start(tz):%a} {STATUS_MARK[s]}" for o, s in view.week_occurrences
        )
        forecast = week.forecast()
        colour = "$error" if not week.reachable else "$success" if week.on_track else "$warning"
        unexcused = view.unexcused
        u_colour = "$error" if unexcused.at_limit else "$foreground"
        lines = [
            f"[$accent]{meter(week.attended, week.counted)}[/]  {week.attended} of "
            f"{week.counted} attended · policy {pct}",
            f"[{colour}]{forecast}[/]",
            f"[{u_colour}]unexcused in {unexcused.window_days} days: {unexcused.count} of "
            f"{unexcused.limit}[/]",
        ]
        if strip:
            lines.append(strip)
        if progress is not None:  # one line: the picture itself is on Schedule (p)
            lines.append(f"[dim]p[/] {progress.short_reading()}")
        return "\n".join(lines)

    def catchup_text(self, view: TodayView) -> str:
        if not view.open_checklists:
            return "[dim]Nothing to catch up on. Well done.[/]"
        lines: list[str] = []
        for checklist in view.open_checklists[:3]:
            lines.extend(checklist_lines(checklist, self.companion.tz))
        more = len(view.open_checklists) - 3
        if more > 0:
            lines.append(f"[dim]… {more} more on Catch-up (c)[/]")
        return "\n".join(lines)

    # ---- actions ---------------------------------------------------------------------
    def _next_url(self) -> str:
        occ = self.data.view.next_occurrence if self.data else None
        return occ.join_url if occ else ""

    def action_open_link(self) -> None:
        url = self._next_url()
        if url:
            self.companion.open_link(url)
        else:
            self.notify("The next session has no join link.", severity="warning")

    async def action_cant_make_it(self) -> None:
        occ = self.data.view.next_occurrence if self.data else None
        await self.companion.action_notify_about(occ.id if occ else "")

    async def action_progress(self) -> None:
        """The last twelve weeks against the policy, on Schedule."""
        await self.companion.switch_mode("schedule")
        screen = self.app.screen
        if not getattr(screen, "in_progress", True):
            screen.action_progress()  # type: ignore[attr-defined]

    def action_copy_link(self) -> None:
        url = self._next_url()
        if url and not is_web_link(url):
            self.notify(f"Not copied: {LINK_REFUSED}.", severity="warning")
        elif url:
            self.companion.copy_to_clipboard(url)
            self.notify(f"Copied the join link: {url}")
        else:
            self.notify("The next session has no join link.", severity="warning")
