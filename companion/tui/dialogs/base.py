"""``FieldsDialog``: a small modal form. Fields validate inline, Enter or ctrl+s saves,
Escape (or Cancel) leaves without saving. Subclasses compose their fields and save."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button

from companion.tui.widgets.form import Field, validate_all

ResultT = TypeVar("ResultT")


class FieldsDialog(ModalScreen[ResultT | None]):
    """A modal form over ``fields``; the first one has the focus."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]
    fields: list[Field]

    def buttons(self, save: str) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(f"{save} (ctrl+s)", variant="primary", id="save")
            yield Button("Cancel (esc)", id="cancel")

    def values(self) -> dict[str, Any] | None:
        """The fields' parsed values, or None after showing each problem beside its field."""
        return validate_all(self.fields)

    def on_mount(self) -> None:
        self.fields[0].input.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        raise NotImplementedError
