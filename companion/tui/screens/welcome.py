"""First run with an empty profile: enrol with a program, import an .ics, or load the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from companion.tui.widgets.keys import KeysBar

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


class WelcomeScreen(Screen[None]):
    """Shown over Today when the profile has no program and no sessions."""

    BINDINGS = [
        Binding("e", "choose('enrol')", "Enrol"),
        Binding("i", "choose('import')", "Import .ics"),
        Binding("d", "choose('demo')", "Load demo"),
        Binding("escape", "choose('skip')", "Start empty"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome", can_focus=False):
            yield Static(
                "[b]Welcome to Companion[/b]\n\nYour sessions, attendance, a private "
                "journal and catch-up lists, on this computer. How would you like to "
                "start?"
            )
            yield Button("Enrol with my program  (e)", id="enrol", variant="primary", compact=True)
            yield Button("Import a calendar file (.ics)  (i)", id="import", compact=True)
            yield Button("Load the demo program  (d)", id="demo", compact=True)
            yield Button("Start with an empty schedule  (esc)", id="skip", compact=True)
        yield KeysBar()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "skip")

    def action_choose(self, choice: str) -> None:
        app = cast("CompanionApp", self.app)
        self.dismiss()
        if choice == "demo":
            from companion.actions.demo import load_demo
            from companion.tui.messages import DemoLoaded

            app.perform(load_demo, done=DemoLoaded)
        elif choice == "enrol":
            app.call_later(app.switch_mode, "settings")
        elif choice == "import":
            app.call_later(app.ask_import)
