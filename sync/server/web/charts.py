"""Inline SVG pictures of attendance, made on the server (no JavaScript).

Pure: numbers in, an SVG string out. Every chart scales to its container (viewBox and
``width:100%``) so it fits a 390 px phone, and is accessible: ``role="img"``, a
``<title>`` and an ``aria-label`` that give the figures in words. Text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD = 240.0, 60.0, 4.0


@dataclass(frozen=True, slots=True)
class Week:
    """One week's figure: its label (e.g. "14 Sep") and the attended share, or None when
    the week has nothing to count (no sessions, or before the client was added)."""

    label: str
    share: float | None


def _x(i: int, n: int, width: float) -> float:
    return PAD + (width - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)


def y_of(share: float, height: float = HEIGHT) -> float:
    """The height of a share (0..1) in the chart: 1 at the top, 0 at the bottom."""
    return round(PAD + (height - 2 * PAD) * (1 - max(0.0, min(1.0, share))), 2)


def points(
    weeks: Sequence[Week], width: float = WIDTH, height: float = HEIGHT
) -> list[tuple[float, float]]:
    """The (x, y) of each week with a figure, in order."""
    n = len(weeks)
    return [(round(_x(i, n, width), 2), y_of(w.share, height))
            for i, w in enumerate(weeks) if w.share is not None]  # fmt: skip


def describe(name: str, weeks: Sequence[Week], threshold: float) -> str:
    """The figures in words, for screen readers and the title."""
    pct = round(threshold * 100)
    parts = [
        f"{w.label}: {round(w.share * 100)}%" if w.share is not None else f"{w.label}: no sessions"
        for w in weeks
    ]
    return f"{name}, weekly attendance over {len(weeks)} weeks against the {pct}% policy. " + (
        "; ".join(parts) + "."
    )


def line_chart(
    name: str,
    weeks: Sequence[Week],
    threshold: float,
    width: float = WIDTH,
    height: float = HEIGHT,
    css: str = "chart",
) -> str:
    """A weekly attendance line against the policy's threshold (a dashed line)."""
    label = escape(describe(name, weeks, threshold))
    pts = points(weeks, width, height)
    ty = y_of(threshold, height)
    body = [
        f'<line class="threshold" x1="{PAD}" x2="{width - PAD}" y1="{ty}" y2="{ty}" '
        'stroke="#b45309" stroke-dasharray="4 3" stroke-width="1"/>'
    ]
    if len(pts) > 1:
        path = " ".join(f"{x},{y}" for x, y in pts)
        body.append(f'<polyline class="attendance" points="{path}" fill="none" '
                    'stroke="#1d4ed8" stroke-width="2"/>')  # fmt: skip
    body.extend(f'<circle class="week" cx="{x}" cy="{y}" r="2.5" fill="#1d4ed8"/>' for x, y in pts)
    return (
        f'<svg class="{css}" role="img" aria-label="{label}" viewBox="0 0 {width:g} {height:g}" '
        f'style="width:100%;height:auto" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def sparkline(name: str, weeks: Sequence[Week], threshold: float) -> str:
    """A small line for a table cell: the same picture, smaller."""
    return line_chart(name, weeks, threshold, width=96, height=24, css="sparkline")
