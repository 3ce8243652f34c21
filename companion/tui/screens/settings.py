"""Settings: enrol with a program's server, sync now, your name, default reminders,
timezone, the journal's idle lock, discreet calendar titles and theme. ctrl+s saves;
Escape leaves unsaved."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Label, Select, Static

from companion.actions.profile import Profile, UserError
from companion.commands.parse import format_offset
from companion.config import JOURNAL_LOCK_MIN, Settings
from companion.domain.schedule import zone
from companion.tui import optional
from companion.tui.dialogs.series_form import check_reminders
from companion.tui.messages import (
    NO_SYNC_LAYER,
    ActionFailed,
    Enrolled,
    SettingsSaved,
    Unenrolled,
)
from companion.tui.screens.base import MainScreen
from companion.tui.widgets.form import Field, Form, validate_all
from companion.tui.widgets.tick import TickBox


@dataclass(frozen=True, slots=True)
class SettingsData:
    enrolled: bool
    client_name: str
    program: str
    sync_available: bool


def load_settings_data(profile: Profile) -> SettingsData:
    client, notify = optional.sync_client(), optional.notify()
    enrolled = bool(client and client.is_enrolled(profile))
    name = notify.client_name(profile) if (notify and enrolled) else ""
    return SettingsData(enrolled, name, profile.program().name, client is not None)


def check_timezone(text: str) -> str:
    name = text.strip()
    if name:
        zone(name)  # ScheduleError (a ValueError) names the unknown zone
    return name


def check_lock_minutes(text: str) -> int:
    """Minutes, as "10", "10m" or "10 min"; empty is 0 (never)."""
    low, high = JOURNAL_LOCK_MIN
    value = text.strip().lower().removesuffix("min").removesuffix("m").strip() or "0"
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"a whole number of minutes from {low} to {high} (0: never)")
    return int(value)


def lock_hint(minutes: int) -> str:
    """Said only for 0: a number of minutes says itself (and a line less fits 80x24)."""
    return "" if minutes else "a protected journal stays unlocked until you quit"


def check_url(text: str) -> str:
    url = text.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValueError("the server address starts with https:// (your coordinator gives it)")
    return url


def save_settings(profile: Profile, changes: dict[str, Any]) -> Settings:
    for name, value in changes.items():
        setattr(profile.settings, name, value)
    profile.save_settings()
    return profile.settings


def enrol(profile: Profile, url: str, code: str, device: str, replace_demo: bool = False) -> Any:
    client = optional.sync_client()
    if client is None:
        raise UserError(NO_SYNC_LAYER)
    if not url or not code.strip():
        raise UserError(ENROL_NEEDS)
    return client.enroll(profile, url, code, device, replace_demo=replace_demo)


ENROL_NEEDS = "enter the server address and the code from your coordinator"


def demo_in_the_way(profile: Profile) -> str:
    """What enrolling would remove of the demo, as the confirmation asks it; '' for none."""
    from companion.actions.demo import demo_summary, describe_demo

    held = demo_summary(profile)
    return describe_demo(held) if held is not None else ""


def unenrol(profile: Profile) -> Any:
    client = optional.sync_client()
    if client is None:
        raise UserError(NO_SYNC_LAYER)
    return client.unenroll(profile)


class SettingsScreen(MainScreen):
    """Program enrolment and sync on top; preferences below."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "back", "Cancel")]
    AUTO_FOCUS = "Form Input"  # the server address, or your name once enrolled (see show)

    def __init__(self) -> None:
        super().__init__()
        self.data: SettingsData | None = None
        s = self.companion_settings()
        self.url = Field(
            "Server", check_url, id="url", placeholder="https://… from your coordinator"
        )
        self.code = Field("Code", lambda t: t.strip(), id="code", placeholder="one-time code")
        self.device = Field(
            "Device name",
            lambda t: t.strip(),
            id="device",
            placeholder="default: this computer's name",
        )
        self.prefs = [
            Field(
                "Your name",
                lambda t: t.strip(),
                id="client_name",
                value=s.client_name,
                placeholder="as notice previews show it",
            ),
            Field(
                "Reminders",
                check_reminders,
                id="reminders",
                placeholder="e.g. 24h, 30m",
                value=", ".join(
                    format_offset(timedelta(minutes=m)) for m in s.default_reminders_min
                ),
            ),
            Field(
                "Timezone",
                check_timezone,
                id="timezone",
                value=s.timezone,
                placeholder="empty: the program's, e.g. America/New_York",
            ),
            Field(
                "Journal lock",
                check_lock_minutes,
                id="journal_lock_min",
                value=f"{s.journal_lock_min} min",
                placeholder="minutes without a key press before it locks; 0 never",
                hint=lock_hint,
            ),
        ]

    def companion_settings(self) -> Settings:
        return self.companion.settings

    def compose_body(self) -> ComposeResult:
        with Form():
            yield Static("[b]Program[/b]", classes="section")
            yield Static(id="enrol-state")
            yield self.url
            yield self.code
            yield self.device
            with Horizontal(classes="buttons"):
                yield Button("Enrol", id="enrol", variant="primary")
                yield Button("Sync now (ctrl+r)", id="sync-now")
                yield Button("Leave program", id="unenrol", variant="error")
            yield Static("[b]Preferences[/b]", classes="section")
            yield from self.prefs
            yield TickBox(
                'Discreet calendar titles ("Appointment") in exported .ics files',
                self.companion_settings().discreet,
                id="discreet",
                compact=True,
            )
            with Horizontal(classes="field-row"):
                yield Label("Theme", classes="kind-label")
                yield Select(
                    [(t, t) for t in sorted(self.app.available_themes)],
                    value=self.app.theme,
                    allow_blank=False,
                    compact=True,
                    id="theme",
                )
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def loader(self) -> Any:
        return load_settings_data

    def show(self, data: SettingsData) -> None:
        self.data = data
        state = self.query_one("#enrol-state", Static)
        sync = self.companion.sync_state
        if not data.sync_available:
            state.update(f"[$warning]{NO_SYNC_LAYER}[/]")
        elif data.enrolled:
            last = (
                f"last sync {sync.last_sync.astimezone(self.companion.tz):%a %H:%M}"
                if sync.last_sync
                else "not synced yet"
            )
            extra = f" · {sync.message}" if sync.message else ""
            state.update(
                f"[$success]Enrolled[/] with {data.program} as "
                f"{data.client_name or 'you'} · {last}{extra}"
            )
        else:
            state.update(
                "Not enrolled. Enter the server address and the one-time code your "
                "coordinator gave you."
            )
        for widget in (self.url, self.code, self.device):
            widget.display = not data.enrolled
        self.query_one("#enrol").display = not data.enrolled
        self.query_one("#unenrol").display = data.enrolled
        self.query_one("#sync-now").display = data.enrolled
        focused = self.focused
        if focused is None or not all(n.display for n in focused.ancestors_with_self):
            self._focus_first_field()

    def _focus_first_field(self) -> None:
        """The first field on view: the server address, or your name once enrolled."""
        first = next((f for f in (self.url, *self.prefs) if f.display), self.prefs[0])
        first.input.focus()

    def on_mount(self) -> None:  # MainScreen's on_mount runs too (Textual calls each)
        # A theme chosen elsewhere (the command palette, light/dark) shows here too, so
        # saving never writes the old one back.
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self, theme: str) -> None:
        select = self.query_one("#theme", Select)
        if select.value != theme:
            select.value = theme

    def on_button_pressed(self, event: Button.Pressed) -> None:
        handler = {
            "enrol": self.action_enrol,
            "sync-now": self.companion.action_sync_now,
            "unenrol": self.action_unenrol,
            "save": self.action_save,
            "cancel": self.action_back,
        }.get(event.button.id or "")
        if handler:
            handler()

    def action_enrol(self) -> None:
        values = validate_all([self.url, self.code, self.device])
        if values is None:
            return
        device = values["device"] or socket.gethostname()[:100]
        self._enrol(values["url"], values["code"], device)

    @work(exclusive=True, group="enrol", exit_on_error=False)
    async def _enrol(self, url: str, code: str, device: str) -> None:
        """Enrol; when the profile holds the demo, first ask to remove it (issue 11)."""
        from companion.tui.dialogs.confirm import ConfirmDialog

        if not url or not code.strip():  # before asking anything
            self.app.post_message(ActionFailed(ENROL_NEEDS))
            return
        try:
            held = await self.companion.backend.call(demo_in_the_way)
        except (UserError, OSError, ValueError) as exc:
            self.app.post_message(ActionFailed(str(exc)))
            return
        if held and not await self.app.push_screen_wait(
            ConfirmDialog(f"{held}\n\nRemove the demo and enrol?", yes="Remove demo, enrol")
        ):
            self.app.notify("Nothing changed; the code is still unused.")
            return
        self.companion.perform(enrol, url, code, device, bool(held), done=Enrolled)
        self.code.input.value = ""

    def action_unenrol(self) -> None:
        from companion.tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.companion.perform(unenrol, done=Unenrolled)

        self.app.push_screen(
            ConfirmDialog(
                "Leave the program on this device? Your schedule, journal and notices stay here.",
                yes="Leave",
            ),
            answered,
        )

    def action_save(self) -> None:
        values = validate_all(self.prefs)
        if values is None:
            return
        theme = self.query_one("#theme", Select).value
        changes = {
            "client_name": values["client_name"],
            "default_reminders_min": [int(r.total_seconds() // 60) for r in values["reminders"]],
            "timezone": values["timezone"],
            "journal_lock_min": values["journal_lock_min"],
            "discreet": self.query_one("#discreet", Checkbox).value,
            "theme": theme if isinstance(theme, str) else self.app.theme,
        }
        self.app.theme = changes["theme"]
        self.companion.perform(save_settings, changes, done=SettingsSaved)

    def action_back(self) -> None:
        """Escape: drop unsaved edits and go back to Today."""
        s = self.companion_settings()
        self.prefs[0].input.value = s.client_name
        self.prefs[1].input.value = ", ".join(
            format_offset(timedelta(minutes=m)) for m in s.default_reminders_min
        )
        self.prefs[2].input.value = s.timezone
        self.prefs[3].input.value = f"{s.journal_lock_min} min"
        self.query_one("#discreet", Checkbox).value = s.discreet
        self.query_one("#theme", Select).value = self.app.theme
        self.app.switch_mode("today")
