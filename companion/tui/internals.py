"""The few Textual internals the app leans on for speed, in one place.

``tests/tui/test_internals.py`` checks each against the installed Textual, so an upgrade
that renames or changes one fails there, loudly, instead of slowing the app in silence.
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen


def mode_is_built(app: App, mode: str) -> bool:
    """Whether ``mode``'s screen exists (shown before, or built ahead)."""
    return bool(app._screen_stacks.get(mode))


def build_mode(app: App, mode: str) -> bool:
    """Compose and mount ``mode``'s screen now, without showing it, so the first switch to
    it only shows it (Textual otherwise builds a mode's screen on that first switch). False
    when it was built already."""
    if mode_is_built(app, mode):
        return False
    app._init_mode(mode)
    return True


def styled_as_app(screen: Screen) -> None:
    """Mark ``screen`` as styled with the app's current stylesheet, so its first switch
    does not re-parse and re-apply the whole stylesheet (twice). Only for screens that
    bring no CSS of their own."""
    screen._css_update_count = screen.app._css_update_count


def css_unrecorded(screen: Screen) -> bool:
    """Whether ``screen`` mounted before the app's first styling pass could record it."""
    return screen._css_update_count == -1
