"""Check boxes whose state shows in the glyph, not only in its colour: ``[✓]`` ticked,
``[ ]`` not (Textual draws an X in both states and tells them apart by colour alone,
which is lost on a monochrome terminal, to colour blindness and in a screenshot)."""

from __future__ import annotations

from typing import Any

from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList

TICKED, UNTICKED = "✓", " "


class TickBox(Checkbox):
    """A ``Checkbox`` drawn ``✓`` when ticked and blank when not."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.BUTTON_INNER = TICKED if self.value else UNTICKED

    def watch_value(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        super().watch_value()


class TickList(SelectionList[Any]):
    """A ``SelectionList`` whose boxes read ``✓`` when selected and blank when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        value = self.get_option_at_index(index).value
        glyph = TICKED if value in self.selected else UNTICKED
        segments[1] = segments[1]._replace(text=glyph)
        return Strip(segments, strip.cell_length)
