"""Barrier counts as a bar chart, each bar with the strategies that address its barrier.

A strategy is a row of its own, "→ try:" beside its text, so a long one wraps under its
own words rather than back to the left edge."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from companion.domain.journal import BarrierInsight
from companion.tui.widgets.fmt import bar


class Strategy(Horizontal):
    """'   → try: block session times first, then plan work…' with a hanging indent."""

    DEFAULT_CSS = """
    Strategy { height: auto; }
    Strategy > .try { width: 10; padding-left: 3; color: $text-muted; }
    Strategy > .text { width: 1fr; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static("→ try:", classes="try", markup=False)
        yield Static(self.text, classes="text", markup=False)


def bar_line(insight: BarrierInsight, most: int) -> str:
    """' work/school        ▮▮▮▮▮▮▮▮  3'."""
    label = f"{insight.barrier.label:<19}"
    return f" {label}[$accent]{bar(insight.count, most):<16}[/] {insight.count:>2}"


def insight_rows(
    insights: list[BarrierInsight], strategies: bool = True, top: int = 2
) -> list[Widget]:
    """A bar for each barrier, most frequent first, with strategies for the ``top`` ones
    (each strategy once, under the first barrier it helps)."""
    if not insights:
        return []
    most = max(i.count for i in insights)
    rows: list[Widget] = []
    seen: set[str] = set()
    for n, insight in enumerate(insights):
        rows.append(Static(bar_line(insight, most), classes="bar"))
        if strategies and n < top:
            fresh = [s for s in insight.strategies if s not in seen][:2]
            seen.update(fresh)
            rows.extend(Strategy(s) for s in fresh)
    return rows
