"""What every main screen shares: the header, the footer and reloading in a worker.

A screen reloads whenever the store changed (its own actions, a sync, another process),
so ``show`` must be cheap and quiet when little changed: widgets whose text is the same
are left alone (:meth:`MainScreen.set_text`) and selections stay where they were."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual import events, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from companion.tui import internals
from companion.tui.messages import ActionFailed, Loaded
from companion.tui.widgets.header import AppHeader
from companion.tui.widgets.keys import KeysBar

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


class MainScreen(Screen[None]):
    """A main area. Subclasses compose ``compose_body``, load in ``load`` (run on the
    backend thread) and show the result in ``show``."""

    def __init__(self) -> None:
        super().__init__()
        self._texts: dict[str, str] = {}
        # A new screen is styled as its widgets mount. Textual also re-parses and re-applies
        # the whole stylesheet (twice) on the first switch to a screen whose CSS count lags
        # the app's, for screens that bring CSS of their own; these bring none (app.tcss is
        # loaded at start). Once a screen is on view the stylesheet is set up (the first
        # screen waits for that: its restyle also gives the focused panel its focus style).
        # A later theme change still lags and is applied then.
        try:
            if self.app.screen.is_mounted:
                internals.styled_as_app(self)
        except Exception:  # noqa: BLE001 - the first screen, or no app: Textual's way
            pass

    def on_mount(self) -> None:
        # The first screen mounts after the app's first styling pass, which could not
        # record it yet: record it now, or the first switch back to it restyles the app.
        if internals.css_unrecorded(self):
            internals.styled_as_app(self)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield from self.compose_body()
        yield KeysBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def companion(self) -> CompanionApp:
        return cast("CompanionApp", self.app)

    loaded_version = -1
    loaded_at: float = 0.0
    STALE_AFTER_S = 60.0  # times ("starts in …") move on even when no data changed

    _suspended_focus: bool | None = None

    def _on_screen_suspend(self) -> None:
        self._suspended_focus = self.app.app_focus

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """A switch back to this screen: repaint it, and reload only when data changed.

        Textual restyles every widget of a screen each time ``switch_mode`` resumes it,
        about half the work of a switch. Theme and CSS changes already reach suspended
        screens (``App.refresh_css``); only a change of terminal focus while suspended
        (the ``:focus``/``:blur`` pseudo-classes) needs it. Textual calls each class's
        handler, this subclass's first, so ``Screen``'s own one sees the flag.
        """
        event.refresh_styles = (
            self._suspended_focus is not None and self._suspended_focus != self.app.app_focus
        )
        for header in self.query(AppHeader):  # the clock moved on while away
            header.tick()
        import time

        fresh = time.monotonic() - self.loaded_at < self.STALE_AFTER_S
        if self.loaded_version == self.companion.data_version and fresh:
            return  # switching screens only repaints; nothing to load
        # Repaint what is cached first; the reload's thread would slow that frame down.
        self.call_after_refresh(self.reload)

    def reload(self) -> None:
        """Load fresh data in a worker; the newest load wins."""
        self._mark_loaded()
        self._reload()

    def show_ahead(self, wait_s: float) -> bool:
        """Show the data the backend loaded ahead for this screen, if it is there within
        ``wait_s``: the first frame then has it, and the resume does not load it again."""
        data = self.companion.backend.ready(self.loader(), wait_s)
        if data is None:
            return False
        self._mark_loaded()
        self.show(data)
        return True

    def _mark_loaded(self) -> None:
        import time

        self.loaded_version = self.companion.data_version
        self.loaded_at = time.monotonic()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _reload(self) -> None:
        try:
            data = await self.companion.backend.call(self.loader())
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.post_message(ActionFailed(f"Could not load: {exc}"))
            return
        self.post_message(Loaded(data))

    def on_loaded(self, message: Loaded) -> None:
        message.stop()
        self.show(message.data)

    def loader(self) -> Callable[..., Any]:
        """A function ``(profile) -> data`` run on the backend thread."""
        return lambda profile: None

    def show(self, data: Any) -> None:
        """Display ``data`` (on the event loop)."""

    def set_text(self, selector: str, text: str) -> None:
        """Update the Static at ``selector`` only when its text changed: a reload that
        found nothing new costs no layout and repaints nothing."""
        if self._texts.get(selector) != text:
            self._texts[selector] = text
            self.query_one(selector, Static).update(text)
