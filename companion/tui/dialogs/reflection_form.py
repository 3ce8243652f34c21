"""The guided reflection: which session, what happened, what got in the way, a plan (with
strategies for the chosen barriers, Enter on one adds it), and mood. Escape leaves
without saving; ctrl+s saves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from companion.actions.profile import Profile
from companion.actions.schedule import occurrences
from companion.domain.attendance import Status
from companion.domain.journal import Barrier, suggested_strategies
from companion.tui.widgets.form import Form
from companion.tui.widgets.tick import TickList

MOODS = [
    ("1 · very low", 1),
    ("2 · low", 2),
    ("3 · okay", 3),
    ("4 · good", 4),
    ("5 · very good", 5),
]


@dataclass(frozen=True, slots=True)
class ReflectionDraft:
    barriers: tuple[Barrier, ...]
    what_happened: str
    plan: str
    mood: int | None
    occurrence_id: str | None


def reflection_candidates(profile: Profile) -> list[tuple[str, str]]:
    """(label, occurrence id) of sessions missed, excused or unrecorded in the last 8 weeks."""
    now, tz = profile.now(), profile.tz()
    found = occurrences(profile, now - timedelta(weeks=8), now)
    wanted = (Status.MISSED, Status.EXCUSED, Status.UNRECORDED)
    return [
        (
            f"{v.occurrence.local_start(tz):%a %d %b %H:%M} · {v.occurrence.title} "
            f"({v.status.label})",
            v.occurrence.id,
        )
        for v in reversed(found)
        if v.status in wanted and v.occurrence.start < now
    ]


class ReflectionForm(ModalScreen[ReflectionDraft | None]):
    """Write a private reflection."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, candidates: list[tuple[str, str]], occurrence_id: str | None = None) -> None:
        super().__init__()
        self.candidates, self.occurrence_id = candidates, occurrence_id

    def compose(self) -> ComposeResult:
        with Form(classes="dialog", id="reflection-form"):
            yield Static(
                "[b]Reflect[/b] [dim]· private: it stays on this device unless you "
                "attach it to a notice[/]"
            )
            with Horizontal(classes="field-row"):
                yield Label("Session", classes="kind-label")
                ids = [i for _, i in self.candidates]
                yield Select(
                    self.candidates,
                    prompt="not about one session",
                    compact=True,
                    value=self.occurrence_id if self.occurrence_id in ids else Select.NULL,
                    id="session",
                )
            yield Label("What happened?", classes="hint")
            yield TextArea(id="what", compact=True)
            yield Label("What got in the way? (space to tick)", classes="hint")
            yield TickList(*[(b.label, b) for b in Barrier], id="barriers", compact=True)
            yield Label(
                "Ideas for the barriers you ticked (Enter adds one to your plan)", classes="hint"
            )
            yield OptionList(id="strategies", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Plan", classes="kind-label")
                yield Input(placeholder="what you will try next time", compact=True, id="plan")
            with Horizontal(classes="field-row"):
                yield Label("Mood", classes="kind-label")
                yield Select(MOODS, prompt="how do you feel? (optional)", compact=True, id="mood")
            yield Static(id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#what", TextArea).focus()
        self._show_strategies()

    def on_selection_list_selected_changed(self) -> None:
        self._show_strategies()

    def _show_strategies(self) -> None:
        chosen = self.query_one("#barriers", TickList).selected
        strategies = suggested_strategies(chosen)
        options = self.query_one("#strategies", OptionList)
        options.clear_options()
        options.add_options(
            [Option(s) for s in strategies]
            or [Option("tick a barrier to see ideas that help", disabled=True)]
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        plan = self.query_one("#plan", Input)
        idea = str(event.option.prompt)
        if idea not in plan.value:
            plan.value = f"{plan.value.rstrip('. ')}; {idea}" if plan.value.strip() else idea

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        barriers = tuple(self.query_one("#barriers", TickList).selected)
        what = self.query_one("#what", TextArea).text.strip()
        plan = self.query_one("#plan", Input).value.strip()
        if not (barriers or what or plan):
            self.query_one("#form-error", Static).update(
                "Write what happened, tick a barrier or make a plan before saving."
            )
            self.query_one("#what", TextArea).focus()
            return
        mood = self.query_one("#mood", Select).value
        session = self.query_one("#session", Select).value
        self.dismiss(
            ReflectionDraft(
                barriers=barriers,
                what_happened=what,
                plan=plan,
                mood=mood if isinstance(mood, int) else None,
                occurrence_id=session if isinstance(session, str) else None,
            )
        )
