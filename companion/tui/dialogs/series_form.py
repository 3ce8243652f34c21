"""Add or edit a series: title, kind, start, duration, repeat in plain words, link, reminders.

Every field is checked as you type, with the reason beside it; ctrl+s saves, Escape leaves
without saving. The result is a :class:`SeriesDraft` (or ``None`` when cancelled).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from companion.commands.parse import format_offset, parse_duration, parse_offsets
from companion.domain.schedule import Kind, Series, check_rule, rule_from_words, rule_in_words
from companion.tui.widgets.form import Field, Form, validate_all


@dataclass(frozen=True, slots=True)
class SeriesDraft:
    """What the form collected, ready for ``add_series`` / ``update_series``."""

    title: str
    kind: Kind
    start: datetime  # naive local wall-clock time
    duration: timedelta
    rrule: str | None
    join_url: str
    facilitator: str
    reminders: tuple[timedelta, ...]


def check_title(text: str) -> str:
    if not text.strip():
        raise ValueError("a series needs a title")
    return text.strip()


def check_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("use YYYY-MM-DD, e.g. 2026-12-01") from None


def check_time(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("use HH:MM, e.g. 18:00") from None


def check_duration(text: str) -> timedelta:
    try:
        value = parse_duration(text)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(str(exc)) from None
    if not timedelta(0) < value <= timedelta(hours=24):
        raise ValueError("a session lasts between 1 minute and 24 hours")
    return value


def check_repeat(text: str) -> str | None:
    rule = rule_from_words(text)  # ScheduleError is a ValueError with the reason
    if rule:
        check_rule(rule)  # nothing finer than daily, bounded INTERVAL and COUNT
    return rule


def check_link(text: str) -> str:
    link = text.strip()
    if link and not link.startswith(("https://", "http://")):
        raise ValueError("a join link starts with https://")
    return link


def check_reminders(text: str) -> tuple[timedelta, ...]:
    try:
        return parse_offsets(text)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"{exc}; separate several with commas, e.g. 24h, 30m") from None


def repeat_words(rule: str | None) -> str:
    """Plain words for a rule when they read back to the same rule, else the rule itself."""
    words = rule_in_words(rule)
    try:
        return words if rule_from_words(words) == rule else (rule or "once")
    except ValueError:
        return rule or "once"


class SeriesForm(ModalScreen[SeriesDraft | None]):
    """The add/edit series dialog."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, series: Series | None = None, *, today: date, reminders: list[int]) -> None:
        super().__init__()
        self.series = series
        s = series
        local = s.start.astimezone(s.zone) if s else None
        self.fields = [
            Field(
                "Title",
                check_title,
                value=s.title if s else "",
                id="title",
                placeholder="e.g. Process Group",
            ),
            Field(
                "Date",
                check_date,
                value=f"{local:%Y-%m-%d}" if local else today.isoformat(),
                id="date",
                placeholder="YYYY-MM-DD (first session)",
            ),
            Field("Time", check_time, value=f"{local:%H:%M}" if local else "18:00", id="time"),
            Field(
                "Duration",
                check_duration,
                value=format_offset(s.duration) if s else "1h",
                id="duration",
                placeholder="e.g. 90m or 3h",
            ),
            Field(
                "Repeat",
                check_repeat,
                value=repeat_words(s.rrule) if s else "once",
                id="repeat",
                placeholder="once, daily, Mon, Wed, Fri, fortnightly on Thu",
                hint=lambda rule: f"→ {rule_in_words(rule)}",
            ),
            Field(
                "Join link",
                check_link,
                value=s.join_url if s else "",
                id="link",
                placeholder="https://…",
            ),
            Field(
                "Facilitator",
                lambda t: t.strip(),
                value=s.facilitator if s else "",
                id="facilitator",
            ),
            Field(
                "Reminders",
                check_reminders,
                id="reminders",
                value=", ".join(format_offset(r) for r in s.reminders)
                if s
                else ", ".join(format_offset(timedelta(minutes=m)) for m in reminders),
                placeholder="e.g. 24h, 30m (or none)",
            ),
        ]

    def compose(self) -> ComposeResult:
        with Form(id="dialog", classes="dialog"):
            yield Static("[b]Edit series[/b]" if self.series else "[b]Add a series[/b]")
            yield self.fields[0]
            with Horizontal(classes="field-row"):
                yield Label("Kind", classes="kind-label")
                yield Select(
                    [(k.label, k) for k in Kind],
                    allow_blank=False,
                    compact=True,
                    value=self.series.kind if self.series else Kind.GROUP,
                    id="kind",
                )
            yield from self.fields[1:]
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        # Check what is filled in (the repeat shows its reading); an empty field is
        # judged when the user types in it or saves, not before they had a chance.
        for f in self.fields:
            if f.value.strip():
                f.validate_now()
        self.fields[0].input.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        values = validate_all(self.fields)
        if values is None:
            return
        kind = self.query_one("#kind", Select).value
        self.dismiss(
            SeriesDraft(
                title=values["title"],
                kind=kind if isinstance(kind, Kind) else Kind.OTHER,
                start=datetime.combine(values["date"], values["time"]),
                duration=values["duration"],
                rrule=values["repeat"],
                join_url=values["link"],
                facilitator=values["facilitator"],
                reminders=values["reminders"],
            )
        )
