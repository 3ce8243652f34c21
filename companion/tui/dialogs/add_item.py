"""Add your own item to a catch-up checklist: ``AddItemDialog(FieldsDialog[tuple])``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from companion.tui.dialogs.base import FieldsDialog
from companion.tui.dialogs.series_form import check_link
from companion.tui.widgets.form import Field


def check_text(text: str) -> str:
    if not text.strip():
        raise ValueError("an item needs some text, e.g. ask Sam for the group notes")
    return text.strip()


class AddItemDialog(FieldsDialog[tuple[str, str]]):
    """Returns (text, link) or None when cancelled."""

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
            yield from self.buttons("Add")

    def action_save(self) -> None:
        values = self.values()
        if values is not None:
            self.dismiss((values["text"], values["link"]))
