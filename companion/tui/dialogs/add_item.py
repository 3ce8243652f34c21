"""Add your own item to a catch-up checklist: ``AddItemDialog(ModalScreen[tuple | None])``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from companion.tui.dialogs.series_form import check_link
from companion.tui.widgets.form import Field, validate_all


def check_text(text: str) -> str:
    if not text.strip():
        raise ValueError("an item needs some text, e.g. ask Sam for the group notes")
    return text.strip()


class AddItemDialog(ModalScreen[tuple[str, str] | None]):
    """Returns (text, link) or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Add")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.heading = title
        self.fields = [
            Field("Item", check_text, id="text", placeholder="what you will do"),
            Field("Link", check_link, id="link", placeholder="optional https://…"),
        ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]Add to the checklist of {self.heading}[/b]")
            yield from self.fields
            with Horizontal(classes="buttons"):
                yield Button("Add (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.fields[0].input.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        values = validate_all(self.fields)
        if values is not None:
            self.dismiss((values["text"], values["link"]))
