"""Ask for a file: where to export the calendar (and how discreetly), which .ics to import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

from companion.tui.widgets.form import Field, validate_all


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path
    discreet: bool


def check_export_path(text: str) -> Path:
    if not text.strip():
        raise ValueError("give a file name, e.g. ~/companion.ics")
    path = Path(text.strip()).expanduser()
    if path.is_dir():
        raise ValueError("that is a folder; add a file name, e.g. companion.ics")
    if not path.parent.is_dir():
        raise ValueError(f"the folder {path.parent} does not exist")
    return path


def check_import_path(text: str) -> Path:
    if not text.strip():
        raise ValueError("give the path of an .ics file")
    path = Path(text.strip()).expanduser()
    if not path.is_file():
        raise ValueError("no such file")
    return path


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Export .ics: the file to write and the discreet-titles option."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Export")]

    def __init__(self, default_path: str, discreet: bool) -> None:
        super().__init__()
        self.path_field = Field("File", check_export_path, value=default_path, id="path")
        self.discreet = discreet

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "[b]Export your schedule as an .ics file[/b]\n[dim]Import it into "
                "Google, Apple, Outlook or Thunderbird calendars.[/]"
            )
            yield self.path_field
            yield Checkbox(
                'Discreet titles ("Appointment" instead of the session name)',
                self.discreet,
                id="discreet",
            )
            with Horizontal(classes="buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.path_field.input.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        values = validate_all([self.path_field])
        if values is not None:
            discreet = self.query_one("#discreet", Checkbox).value
            self.dismiss(ExportRequest(values["path"], discreet))


class ImportDialog(ModalScreen[str | None]):
    """Import .ics: the file to read."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Import")]

    def __init__(self) -> None:
        super().__init__()
        self.path_field = Field(
            "File", check_import_path, id="path", placeholder="e.g. ~/Downloads/program.ics"
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "[b]Import a calendar file (.ics)[/b]\n[dim]Sessions from your program's "
                "calendar; importing the same file again updates them.[/]"
            )
            yield self.path_field
            with Horizontal(classes="buttons"):
                yield Button("Import (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.path_field.input.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        values = validate_all([self.path_field])
        if values is not None:
            self.dismiss(str(values["path"]))
