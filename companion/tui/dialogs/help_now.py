"""Need help now: the crisis panel (``HelpNowDialog``), one key (``!``) away on every
screen, and the gentle offer after a low-mood reflection (``HelpOfferDialog``).

The panel opens at once with what the app already knows (the defaults, or the program's
contacts from the last time), then shows the store's current list: a slow or broken
store can never keep it from opening. Nothing is sent, logged or recorded when it opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from companion.actions.help_now import HEADING, INTRO, OFFER, PRIVATE, Panel, panel
from companion.domain.help_now import CrisisContact

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


def _contact(c: CrisisContact) -> str:
    ways = c.ways()
    text = f"  [b]{escape(c.name)}[/b]"
    if ways:
        text += f" — {escape(ways)}"
    if c.note:
        text += f" [dim]({escape(c.note)})[/]" if ways else f": {escape(c.note)}"
    return text


def panel_markup(found: Panel) -> str:
    """The panel's body: the program's contacts under its name, then everyone's."""
    lines = [escape(INTRO), ""]
    if found.own:
        lines.append(f"[b $accent]{escape(found.program or 'Your program')}[/]")
        lines += [_contact(c) for c in found.own]
        lines.append("")
        lines.append("[b $accent]Any time[/]")
    lines += [_contact(c) for c in found.everyone]
    lines += ["", f"[dim]{escape(PRIVATE)}[/]"]
    return "\n".join(lines)


class HelpNowDialog(ModalScreen[None]):
    """Who you can reach right now. Escape (or Enter on Close) closes it."""

    DEFAULT_CSS = """
    HelpNowDialog #help-now-body { height: auto; max-height: 80vh; }
    """
    BINDINGS = [Binding("escape", "close", "Close")]  # and "!" (the app's key) closes it

    def __init__(self, known: Panel | None = None) -> None:
        super().__init__()
        self.shown = known or Panel()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-now"):
            yield Static(f"[b]{escape(HEADING)}[/b]", id="help-now-title")
            with VerticalScroll(id="help-now-body"):
                yield Static(panel_markup(self.shown), id="help-now-text")
            with Horizontal(classes="buttons"):
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()
        self._load()

    @work(exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        app = cast("CompanionApp", self.app)
        try:
            found = await app.backend.call(panel)
        except Exception:  # noqa: BLE001 - the defaults stay on view
            return
        app.help_panel = found
        if found != self.shown and self.is_mounted:
            self.shown = found
            self.query_one("#help-now-text", Static).update(panel_markup(found))

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class HelpOfferDialog(ModalScreen[bool]):
    """After a low-mood reflection: would it help to see who you can reach? ``!`` (the
    app's key) or y opens the panel; Escape or n is "not now"."""

    BINDINGS = [
        Binding("y", "answer(True)", "Show me"),
        Binding("escape,n", "answer(False)", "Not now", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-offer"):
            yield Static(escape(OFFER))
            with Horizontal(classes="buttons"):
                yield Button("Show me (!)", variant="primary", id="yes")
                yield Button("Not now (esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
