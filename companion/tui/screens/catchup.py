"""Catch-up: each missed session's checklist with its progress; tick with space, Enter or
a click; add an item; open the coordinator's materials; reflect; book a make-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from companion.actions import catchup as catchup_actions
from companion.actions.profile import Profile
from companion.actions.today import occurrence_id_of
from companion.domain.catchup import CatchUpChecklist, ChecklistItem
from companion.tui.messages import ChecklistChanged
from companion.tui.screens.base import MainScreen
from companion.tui.widgets.checklist import heading, item_line

COMPLETED_SHOWN = 10


@dataclass(frozen=True, slots=True)
class CatchUpData:
    checklists: list[CatchUpChecklist]
    older_completed: int = 0


def load_catchup(profile: Profile) -> CatchUpData:
    """Open checklists first (newest first), then the latest completed ones."""
    found = catchup_actions.checklists(profile)
    done = [c for c in found if c.complete]
    return CatchUpData(
        [c for c in found if not c.complete] + done[:COMPLETED_SHOWN],
        max(0, len(done) - COMPLETED_SHOWN),
    )


class CatchUpScreen(MainScreen):
    """One row per checklist item, under its session's heading."""

    BINDINGS = [
        Binding("space", "tick", "Tick"),
        Binding("plus", "add_item", "Add item", key_display="+"),
        Binding("o", "open_link", "Open link"),
        Binding("r", "reflect", "Reflect"),
        Binding("b", "book_makeup", "Book a make-up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: CatchUpData | None = None
        self.shown_tz: object = None
        self.rows: dict[str, tuple[CatchUpChecklist, int]] = {}  # option id -> (list, item no.)

    def compose_body(self) -> ComposeResult:
        yield OptionList(id="checklists")
        yield Static(
            "[dim]space/enter/click tick · + add · o open material · r reflect · b make-up[/]",
            id="catchup-hint",
        )

    def loader(self) -> Any:
        return load_catchup

    def show(self, data: CatchUpData) -> None:
        if (data, self.companion.tz) == (self.data, self.shown_tz):
            return  # a reload that found nothing new: keep the list as it is
        self.data, self.shown_tz = data, self.companion.tz
        options = self.query_one(OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        self.rows.clear()
        tz = self.companion.tz
        if not data.checklists:
            options.add_option(
                Option(
                    "Nothing to catch up on. A session you mark missed gets a checklist here.",
                    disabled=True,
                )
            )
            return
        rows: list[Option | None] = []  # added at once: one by one re-measures each time
        for checklist in data.checklists:
            occ_id = occurrence_id_of(checklist)
            rows.append(Option(heading(checklist, tz), id=f"head:{occ_id}", disabled=True))
            for n, item in enumerate(checklist.items, 1):
                oid = f"item:{occ_id}:{n}"
                self.rows[oid] = (checklist, n)
                rows.append(Option("  " + item_line(item, tz), id=oid))
            rows.append(None)
        if data.older_completed:
            rows.append(
                Option(
                    f"[dim]… and {data.older_completed} older checklists, all done[/]",
                    disabled=True,
                )
            )
        options.add_options(rows)
        ids = list(self.rows)
        target = keep if keep in self.rows else (ids[0] if ids else None)
        if target is not None:
            options.highlighted = options.get_option_index(target)

    def _current(self) -> tuple[CatchUpChecklist, int, ChecklistItem] | None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id not in self.rows:
            return None
        checklist, n = self.rows[option.id]
        return checklist, n, checklist.items[n - 1]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_tick()  # Enter or a click ticks

    def action_tick(self) -> None:
        current = self._current()
        if current is None:
            return
        checklist, n, item = current
        self.companion.perform(
            catchup_actions.set_item,
            occurrence_id_of(checklist),
            n,
            not item.done,
            done=ChecklistChanged,
        )

    def action_add_item(self) -> None:
        current = self._current()
        if current is None:
            self.notify("Pick a checklist first.", severity="warning")
            return
        checklist = current[0]
        from companion.tui.dialogs.add_item import AddItemDialog

        def added(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.companion.perform(
                    catchup_actions.add_item,
                    occurrence_id_of(checklist),
                    result[0],
                    result[1],
                    done=ChecklistChanged,
                )

        self.app.push_screen(AddItemDialog(checklist.title), added)

    def action_open_link(self) -> None:
        current = self._current()
        if current is None or not current[2].link:
            self.notify("This item has no link.", severity="warning")
            return
        self.companion.open_link(current[2].link)

    async def action_reflect(self) -> None:
        from companion.tui.screens.journal import open_reflection_form

        current = self._current()
        await open_reflection_form(
            self.companion, occurrence_id_of(current[0]) if current else None
        )

    async def action_book_makeup(self) -> None:
        current = self._current()
        await self.companion.action_notify_about(
            occurrence_id_of(current[0]) if current else "", makeup=True
        )
