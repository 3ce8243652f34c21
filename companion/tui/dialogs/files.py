"""Ask for a file: where to export the calendar (and how discreetly), which .ics to import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from companion.actions.files import check_import_file
from companion.actions.profile import UserError
from companion.tui.dialogs.base import FieldsDialog
from companion.tui.widgets.form import Field
from companion.tui.widgets.tick import TickBox


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path
    discreet: bool
    no_links: bool = False


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
    try:  # a folder, a device, a pipe or a huge file is named as what it is
        return check_import_file(Path(text.strip()).expanduser())
    except UserError as exc:
        raise ValueError(str(exc)) from None


class ExportDialog(FieldsDialog[ExportRequest]):
    """Export .ics: the file to write, discreet titles, and whether to leave join links out
    (for a calendar others can see)."""

    def __init__(self, default_path: str, discreet: bool) -> None:
        super().__init__()
        self.path_field = Field("File", check_export_path, value=default_path, id="path")
        self.fields = [self.path_field]
        self.discreet = discreet

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "[b]Export your schedule as an .ics file[/b]\n[dim]Import it into "
                "Google, Apple, Outlook or Thunderbird calendars.[/]"
            )
            yield self.path_field
            yield TickBox(
                'Discreet titles ("Appointment" instead of the session name)',
                self.discreet,
                id="discreet",
            )
            yield TickBox(
                "Leave out join links and passcodes (for a calendar others can see)",
                False,
                id="no-links",
            )
            yield from self.buttons("Export")

    def action_save(self) -> None:
        values = self.values()
        if values is not None:
            discreet = self.query_one("#discreet", TickBox).value
            no_links = self.query_one("#no-links", TickBox).value
            self.dismiss(ExportRequest(values["path"], discreet, no_links))


class ImportDialog(FieldsDialog[str]):
    """Import .ics: the file to read."""

    def __init__(self) -> None:
        super().__init__()
        self.path_field = Field(
            "File", check_import_path, id="path", placeholder="e.g. ~/Downloads/program.ics"
        )
        self.fields = [self.path_field]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "[b]Import a calendar file (.ics)[/b]\n[dim]Sessions from your program's "
                "calendar; importing the same file again updates them.[/]"
            )
            yield self.path_field
            yield from self.buttons("Import")

    def action_save(self) -> None:
        values = self.values()
        if values is not None:
            self.dismiss(str(values["path"]))
