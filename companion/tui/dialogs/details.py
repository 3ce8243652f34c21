"""A session's details, all of them: ``DetailsDialog(ModalScreen[None])``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class DetailsDialog(ModalScreen[None]):
    """``heading`` and the markup ``lines`` under it, scrollable; Escape closes."""

    DEFAULT_CSS = """
    DetailsDialog #details-body { height: auto; max-height: 70vh; }
    """
    BINDINGS = [Binding("escape,d", "close", "Close")]

    def __init__(self, heading: str, lines: list[str]) -> None:
        super().__init__()
        self.heading, self.lines = heading, lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading)
            with VerticalScroll(id="details-body"):
                yield Static("\n".join(self.lines), id="details-text")
            with Horizontal(classes="buttons"):
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#details-body").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
