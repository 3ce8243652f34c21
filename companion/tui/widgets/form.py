"""Forms: a labelled field with its validation message beside it (shown only when wrong),
and the container every form's fields live in, which keeps typed characters in the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

Check = Callable[[str], Any]  # returns the parsed value or raises ValueError(reason)


class Form(VerticalScroll, can_focus=False):
    """A form's fields, scrolled when they do not fit.

    While the focus is anywhere inside, a printable key belongs to the form: the screen's
    and the app's one-letter shortcuts (s Schedule, x Export, t Today…) never fire from a
    typed character, even when the focus is on a checkbox, a drop-down or a button, where
    the character would otherwise fall through to them. Keys with ctrl, Escape, Tab and
    the arrows still work. Textual asks each node up the focus chain whether it consumes
    a key before it looks at the bindings above that node, so this one method covers
    every field a form holds, now and later.

    One exception: ``!`` ("Need help now?") works from a checkbox, a drop-down or a
    button of a form too; only in a field being typed into is it a character.
    """

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        if character == "!":  # a character only where the focused field takes it as one
            focused = self.screen.focused
            return focused is not None and focused.check_consume_key(key, character)
        return character is not None and character.isprintable()


class Field(Horizontal):
    """``Label  [input]`` with the reason underneath when ``check`` rejects the text."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > Label { width: 13; color: $text-muted; }
    Field > Vertical { height: auto; width: 1fr; }
    Field .field-error { color: $text-error; height: auto; display: none; }
    Field .field-hint { color: $text-muted; height: auto; display: none; }
    Field.-invalid .field-error { display: block; }
    Field.-hinted .field-hint { display: block; }
    """

    def __init__(
        self,
        label: str,
        check: Check,
        *,
        value: str = "",
        placeholder: str = "",
        hint: Callable[[Any], str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label, self.check, self.hint = label, check, hint
        self.input = Input(
            value=value, placeholder=placeholder, compact=True, id=f"{id}-input" if id else None
        )

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        with Vertical():
            yield self.input
            yield Static(classes="field-hint", markup=False)
            yield Static(classes="field-error", markup=False)

    @property
    def value(self) -> str:
        return self.input.value

    def validate_now(self) -> tuple[bool, Any]:
        """Check the text; show the reason (or the hint) beside the field."""
        try:
            parsed = self.check(self.input.value)
        except ValueError as exc:
            self.query_one(".field-error", Static).update(str(exc))
            self.add_class("-invalid")
            self.remove_class("-hinted")
            return False, None
        self.remove_class("-invalid")
        hint = self.hint(parsed) if self.hint else ""
        self.query_one(".field-hint", Static).update(hint)
        self.set_class(bool(hint), "-hinted")
        return True, parsed

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.is_mounted:
            self.validate_now()


def validate_all(fields: list[Field]) -> dict[str, Any] | None:
    """Check every field; focus the first wrong one. Returns {field id: value} or None."""
    values: dict[str, Any] = {}
    first_bad: Field | None = None
    for f in fields:
        ok, parsed = f.validate_now()
        if not ok and first_bad is None:
            first_bad = f
        values[f.id or f.label] = parsed
    if first_bad is not None:
        first_bad.input.focus()
        return None
    return values
