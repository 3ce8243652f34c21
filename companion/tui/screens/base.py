"""What every main screen shares: the header, the footer and reloading in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from companion.tui.messages import ActionFailed, Loaded
from companion.tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


class MainScreen(Screen[None]):
    """A main area. Subclasses compose ``compose_body``, load in ``load`` (run on the
    backend thread) and show the result in ``show``."""

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def companion(self) -> CompanionApp:
        return cast("CompanionApp", self.app)

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Load fresh data in a worker; the newest load wins."""
        self._reload()

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
