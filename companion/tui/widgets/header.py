"""The top line: program name, the online/offline/queued indicator and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from companion.tui.messages import SyncState

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


# "online" is a claim about now; past this age since the last request got through, the
# indicator says when that was instead (a server that stopped since is not known yet).
ONLINE_FOR = timedelta(seconds=60)


def indicator_text(
    state: SyncState, now: datetime | None = None, tz: ZoneInfo | None = None
) -> str:
    """'● online · 1 queued', '● synced 17:10', '○ offline · 2 queued', '○ local only'.

    It follows the outcome of the last real request to the server, never a guess."""
    if not state.enrolled:
        head = "[dim]○ local only[/]"
    elif not state.link:
        head = "[dim]◌ not synced yet[/]"
    elif state.link == "online":
        last = state.last_sync
        if now is not None and last is not None and now - last > ONLINE_FOR:
            head = f"[$success]●[/] synced {last.astimezone(tz):%H:%M}"
        else:
            head = "[$success]●[/] online"
    elif state.link == "offline":
        head = "[$warning]○[/] offline"
    else:
        head = "[$error]✗[/] sync failed"
    if state.queued:
        head += f" · [$warning]{state.queued} queued[/]"
    if state.failed:
        head += f" · [$error]{state.failed} failed[/]"
    return head


class AppHeader(Horizontal):
    """Rendered by every main screen; follows the app's ``sync_state`` and ``program_name``."""

    DEFAULT_CSS = """
    AppHeader { height: 1; dock: top; background: $panel; color: $foreground; }
    AppHeader > #hdr-title { width: 1fr; padding: 0 1; text-style: bold; }
    AppHeader > #hdr-sync { width: auto; padding: 0 2; }
    AppHeader > #hdr-clock { width: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="hdr-title", markup=False)
        yield Static(id="hdr-sync")
        yield Static(id="hdr-clock")

    @property
    def companion(self) -> CompanionApp:
        return cast("CompanionApp", self.app)

    def on_mount(self) -> None:
        self.watch(self.app, "sync_state", self._show_sync)
        self.watch(self.app, "program_name", self._show_title)
        self.set_interval(15, self.tick)
        self.tick()

    _sync_shown = ""

    def _show_sync(self, state: SyncState) -> None:
        text = indicator_text(state, self.companion.now(), self.companion.tz)
        if text != self._sync_shown:
            self._sync_shown = text
            self.query_one("#hdr-sync", Static).update(text)

    def _show_title(self, name: str) -> None:
        self.query_one("#hdr-title", Static).update(f"Companion · {name}" if name else "Companion")

    _clock_shown = ""

    def tick(self) -> None:
        """Show the time; only a new minute on a screen in view is redrawn."""
        if self.screen not in self.app.screen_stack and self._clock_shown:
            return
        now = self.companion.now().astimezone(self.companion.tz)
        text = f"{now:%a %d %b %H:%M}"
        if text != self._clock_shown:
            self._clock_shown = text
            self.query_one("#hdr-clock", Static).update(text)
        self._show_sync(self.companion.sync_state)  # "online" ages into "synced 17:10"
