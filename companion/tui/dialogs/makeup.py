"""Pick a make-up slot a coordinator offered, or decline them all: ``MakeupDialog``.

Keys 1-3 pick a slot, x declines, Escape cancels. The dialog returns the slot (1-3),
:data:`DECLINE` for "none suits me", or None when cancelled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from companion.tui.widgets.replies import chosen_slot, slot_words

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from companion.store.repo_sync import MakeupOffer

DECLINE = 0  # the dialog's answer for "none of the slots suits me"


class MakeupDialog(ModalScreen[int | None]):
    """The offered slots as buttons, the current choice marked; returns a slot, DECLINE
    or None."""

    BINDINGS = [
        Binding("1", "pick(1)", "Slot 1"),
        Binding("2", "pick(2)", "Slot 2"),
        Binding("3", "pick(3)", "Slot 3"),
        Binding("x", "pick(0)", "Decline"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, offer: MakeupOffer, about: str, tz: ZoneInfo) -> None:
        super().__init__()
        self.offer, self.about, self.tz = offer, about, tz

    def compose(self) -> ComposeResult:
        slots = self.offer.all_slots()
        current = chosen_slot(self.offer)
        with Vertical(classes="dialog makeup"):
            what = f" for {escape(self.about)}" if self.about else ""
            yield Static(f"[b]Make-up{what}[/b]: which slot suits you?")
            for n, slot in enumerate(slots, 1):
                mark = " (your choice)" if n == current else ""
                yield Button(
                    f"{n}  {escape(slot_words(slot, self.tz))}{mark}",
                    variant="success" if n == current else "default",
                    id=f"slot-{n}",
                    classes="slot",
                )
            if self.offer.declined:
                yield Static("[dim]You declined these slots.[/]", id="declined")
            with Horizontal(classes="buttons"):
                yield Button("None suits me (x)", variant="error", id="decline")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#slot-{chosen_slot(self.offer) or 1}", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        if name == "cancel":
            self.dismiss(None)
        else:
            self.dismiss(DECLINE if name == "decline" else int(name.removeprefix("slot-")))

    def action_pick(self, slot: int) -> None:
        if slot <= len(self.offer.all_slots()):
            self.dismiss(slot)
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)
