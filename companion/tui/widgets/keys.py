"""The bottom line: the keys of this screen and the app, each clickable, fitted to the width.

One Static instead of Textual's Footer: the Footer rebuilds a widget per key every time a
screen is shown, which alone cost more than the 50 ms budget for switching screens.

The screen's keys come first, then the app's; when they do not all fit, they move closer
together, then the last ones are left out (``?`` lists every key); "! Help now",
"? Help" and "^p palette" always end the line, so at 80 columns the way to the crisis
contacts and to the rest is on screen.

While the focus is inside a form, a typed character belongs to the form (see ``Form``),
so the one-letter keys would not work: the bar then shows the keys that do (ctrl+s,
Escape, Tab), never a key that would type a letter instead; "! Help now" too, except in a
field being typed into (where ``!`` is a character).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.keys import key_to_character
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Static

from companion.tui.widgets.form import Form

ALWAYS = ("exclamation_mark", "question_mark")  # shown at the end whatever the width
GAP = "  "


def _label(binding: Binding) -> str:
    key = binding.key_display or binding.key.split(",")[0]
    return {"ctrl+s": "^s", "escape": "esc", "delete": "del", "space": "space"}.get(key, key)


def _part(binding: Binding, owner: str) -> tuple[int, str]:
    """(width on screen, markup) of one clickable key."""
    action = binding.action if "." in binding.action else f"{owner}.{binding.action}"
    action = action.replace('"', "'")
    label = _label(binding)
    # A key is one word or sign; escape() would leave a lone "[" as it is, which then
    # swallows the closing tag after it.
    shown = label.replace("[", "\\[")
    markup = f"[@click={action}][b $accent]{shown}[/] {escape(binding.description)}[/]"
    return len(label) + 1 + len(binding.description), markup


def fit(parts: list[tuple[int, str]], tail: list[tuple[int, str]], width: int) -> str:
    """Every part and the tail when they fit in ``width`` (closer together if need be);
    else the parts that fit, in order, then the tail."""
    every = parts + tail
    for gap in (GAP, " "):
        if sum(w for w, _ in every) + len(gap) * (len(every) - 1) <= width:
            return gap.join(m for _, m in every)
    room = width - sum(w for w, _ in tail) - len(GAP) * len(tail)
    shown: list[str] = []
    for w, markup in parts:
        needed = w + (len(GAP) if shown else 0)
        if needed > room:
            break
        shown.append(markup)
        room -= needed
    return GAP.join(shown + [m for _, m in tail])


class KeysBar(Static):
    """``t Today  s Schedule …  ? Help  ^p palette``; click a key to run it."""

    DEFAULT_CSS = """
    KeysBar { dock: bottom; height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def on_mount(self) -> None:
        screen_keys = [b for b in getattr(self.screen, "BINDINGS", []) if isinstance(b, Binding)]
        app_keys = [b for b in self.app.BINDINGS if isinstance(b, Binding)]
        # The screen's own key hides the app's one in the footer, unless the screen keeps
        # it out of the footer (Today's n is "I can't make it", shown in its panel).
        taken = {b.key for b in screen_keys if b.show}
        palette = (len("^p palette"), "[b $accent]^p[/] palette")
        self._parts: list[tuple[int, str]] = []
        self._tail: list[tuple[int, str]] = []
        self._form_parts: list[tuple[int, str]] = []
        for owner, bindings in (("screen", screen_keys), ("app", app_keys)):
            for b in bindings:
                if not b.show or (owner == "app" and b.key in taken):
                    continue
                (self._tail if b.key in ALWAYS else self._parts).append(_part(b, owner))
                char = key_to_character(b.key)
                if owner == "screen" and (char is None or not char.isprintable()):
                    self._form_parts.append(_part(b, owner))
        self._form_parts.append((len("tab next field"), "[b $accent]tab[/] next field"))
        self._tail.append(palette)
        self._form_tail = [palette]
        # In a form, "!" still opens the crisis panel unless a text field has the focus.
        help_now = [_part(b, "app") for b in app_keys if b.key == "exclamation_mark"]
        self._form_help_tail = [*help_now, palette]
        self._shown: tuple[int, str] = (0, "")
        self._fit(self.app.size.width - 2)  # the padding; resized below once laid out
        self.watch(self.screen, "focused", self._focus_moved, init=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(self.content_size.width)

    def _focus_moved(self, focused: Widget | None) -> None:
        self._fit(self._shown[0])

    def _where(self) -> str:
        """``keys`` outside a form; in one, ``typing`` in a text field, else ``form``."""
        focused = self.screen.focused
        if focused is None or not any(isinstance(n, Form) for n in focused.ancestors):
            return "keys"
        return "typing" if focused.check_consume_key("exclamation_mark", "!") else "form"

    def _fit(self, width: int) -> None:
        where = self._where()
        if width > 0 and (width, where) != self._shown:
            self._shown = (width, where)
            if where == "typing":
                self.update(fit(self._form_parts, self._form_tail, width))
            elif where == "form":
                self.update(fit(self._form_parts, self._form_help_tail, width))
            else:
                self.update(fit(self._parts, self._tail, width))
