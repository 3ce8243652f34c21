"""Barrier counts as a bar chart, each bar with the strategies that address its barrier."""

from __future__ import annotations

from textual.markup import escape

from companion.domain.journal import BarrierInsight
from companion.tui.widgets.fmt import bar


def insight_lines(
    insights: list[BarrierInsight], strategies: bool = True, top: int = 2
) -> list[str]:
    """' work/school        ▮▮▮▮▮▮▮▮  3   → try: …' for each barrier, most frequent first.

    Strategies are shown for the ``top`` most frequent barriers."""
    if not insights:
        return []
    most = max(i.count for i in insights)
    lines: list[str] = []
    seen: set[str] = set()
    for n, insight in enumerate(insights):
        label = f"{insight.barrier.label:<19}"
        lines.append(f" {label}[$accent]{bar(insight.count, most):<16}[/] {insight.count:>2}")
        if strategies and n < top:
            fresh = [s for s in insight.strategies if s not in seen][:2]
            seen.update(fresh)
            lines.extend(f"   [dim]→ try:[/] {escape(s)}" for s in fresh)
    return lines
