"""``UnlockDialog(ModalScreen[bytes | None])``: the journal's passphrase, asked in the app.

A wrong passphrase says so under the field and lets the user try again; nothing changes.
The key is derived on the backend thread (about 0.2 s), never on the event loop. The
dialog's result is the key; Escape leaves the journal locked (None)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from companion.actions import journal as journal_actions

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


class UnlockDialog(ModalScreen[bytes | None]):
    """Asks for the journal's passphrase; the result is its key, or None."""

    BINDINGS = [Binding("escape", "cancel", "Not now")]

    def __init__(self, why: str = "") -> None:
        super().__init__()
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="unlock-dialog"):
            yield Static("[b]🔒 Unlock your journal[/b]")
            yield Static(
                self.why
                or "The text of your reflections is encrypted with your passphrase. Dates, "
                "barriers and mood show without it.",
                classes="hint",
            )
            yield Input(password=True, placeholder="passphrase", compact=True, id="passphrase")
            yield Static(id="unlock-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Unlock (enter)", variant="primary", id="unlock")
                yield Button("Not now (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_unlock()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_unlock() if event.button.id == "unlock" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_unlock(self) -> None:
        field = self.query_one("#passphrase", Input)
        if not field.value:
            self.query_one("#unlock-error", Static).update("Type your passphrase, or Escape.")
            return
        passphrase, field.value = field.value, ""
        self.query_one("#unlock-error", Static).update("[dim]unlocking…[/]")
        self._try(passphrase)

    @work(exclusive=True, group="unlock", exit_on_error=False)
    async def _try(self, passphrase: str) -> None:
        app = cast("CompanionApp", self.app)
        try:
            key = await app.backend.call(journal_actions.unlock, passphrase)
        except journal_actions.WrongPassphrase:
            self.query_one("#unlock-error", Static).update(journal_actions.WRONG)
            self.query_one("#passphrase", Input).focus()
            return
        except Exception as exc:  # noqa: BLE001 - a line under the field, never a traceback
            self.query_one("#unlock-error", Static).update(f"Could not unlock: {exc}")
            return
        self.dismiss(key)
