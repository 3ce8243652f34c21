"""The bottom line: the keys of this screen and the app, each clickable.

One Static instead of Textual's Footer: the Footer rebuilds a widget per key every time a
screen is shown, which alone cost more than the 50 ms budget for switching screens.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Static


def _label(binding: Binding) -> str:
    key = binding.key_display or binding.key.split(",")[0]
    return {"ctrl+s": "^s", "escape": "esc", "delete": "del", "space": "space"}.get(key, key)


class KeysBar(Static):
    """``t Today  s Schedule …  ? Help  ^p palette``; click a key to run it."""

    DEFAULT_CSS = """
    KeysBar { dock: bottom; height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def on_mount(self) -> None:
        screen_keys = [b for b in getattr(self.screen, "BINDINGS", []) if isinstance(b, Binding)]
        app_keys = [b for b in self.app.BINDINGS if isinstance(b, Binding)]
        taken = {b.key for b in screen_keys}
        parts = []
        for owner, bindings in (("screen", screen_keys), ("app", app_keys)):
            for b in bindings:
                if not b.show or (owner == "app" and b.key in taken):
                    continue
                action = b.action if "." in b.action else f"{owner}.{b.action}"
                action = action.replace('"', "'")
                # A key is one word or sign; escape() would leave a lone "[" as it is,
                # which then swallows the closing tag after it.
                label = _label(b).replace("[", "\\[")
                parts.append(f"[@click={action}][b $accent]{label}[/] {escape(b.description)}[/]")
        parts.append("[b $accent]^p[/] palette")
        self.update("  ".join(parts))
