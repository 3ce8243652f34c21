"""The Companion app: modes for each feature, a backend thread for every action, background
sync and reminders, and a screen that follows the store when something else writes to it.
Build it with :func:`make_app`; ``companion`` calls :func:`run`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from companion.actions.profile import Profile, UserError
from companion.clock import Clock
from companion.config import ConfigError
from companion.domain.links import REFUSED as LINK_REFUSED
from companion.domain.links import is_web_link
from companion.store.db import StoreError
from companion.tui import optional
from companion.tui.backend import Backend
from companion.tui.journal_lock import JournalLock
from companion.tui.messages import (
    NOT_ENROLLED,
    ActionDone,
    ActionFailed,
    Enrolled,
    MakeupAccepted,
    MakeupDeclined,
    NoticeQueued,
    ReflectionSaved,
    ReminderDue,
    SyncFinished,
    SyncState,
)

T = TypeVar("T")
PREBUILT = ("schedule", "journal", "catchup", "notify", "settings")  # built once Today shows
BUILD_GAP_S = 0.05
EXPECTED = (UserError, StoreError, ConfigError, ValueError, OSError)


def _screen(module: str, name: str) -> Callable[[], Screen]:
    """A mode factory that imports its screen on first use (keeps start-up fast)."""

    def make() -> Screen:
        import importlib

        return getattr(importlib.import_module(f"companion.tui.screens.{module}"), name)()

    return make


class CompanionApp(JournalLock):
    """Today, Schedule, Journal, Catch-up, Notify and Settings over one profile."""

    TITLE = "Companion"
    CSS_PATH = "app.tcss"
    MODES = {
        "today": _screen("today", "TodayScreen"),
        "schedule": _screen("schedule", "ScheduleScreen"),
        "journal": _screen("journal", "JournalScreen"),
        "catchup": _screen("catchup", "CatchUpScreen"),
        "notify": _screen("notify", "NotifyScreen"),
        "settings": _screen("settings", "SettingsScreen"),
    }
    DEFAULT_MODE = "today"
    BINDINGS = [
        Binding("t", "switch_mode('today')", "Today"),
        Binding("s", "switch_mode('schedule')", "Schedule"),
        Binding("j", "switch_mode('journal')", "Journal"),
        Binding("c", "switch_mode('catchup')", "Catch-up"),
        Binding("n", "notify_about", "Notify"),
        Binding("comma", "switch_mode('settings')", "Settings", key_display=","),
        # Priority: it works over dialogs too (other app keys stop at a modal). A field being
        # typed into still gets "!" as a character: Textual drops a binding for a key the
        # focused widget (an Input, a TextArea) consumes.
        Binding(
            "exclamation_mark",
            "help_now",
            "Help now",
            key_display="!",
            priority=True,
            tooltip="Need help now? Who you can reach right now: your program's crisis "
            "contacts, 988 (US) and your local emergency number",
        ),
        Binding("question_mark", "toggle_help", "Help", key_display="?"),
        Binding("ctrl+r", "sync_now", "Sync now", show=False),
        Binding("q", "quit", "Quit", show=False),
    ]

    REMINDER_CHECK_S = 30.0  # how often reminders are looked for while the app is open
    STORE_CHECK_S = 1.0  # how often the store is asked whether another process wrote to it

    sync_state: reactive[SyncState] = reactive(SyncState, init=False)
    program_name: reactive[str] = reactive("", init=False)

    def __init__(self, profile: Profile, clock: Clock | None = None) -> None:
        super().__init__()
        self.clock = clock or profile.clock
        self.settings = profile.settings
        self.paths = profile.paths
        self.tz: ZoneInfo = ZoneInfo("UTC")
        self.backend = Backend(profile.paths, profile.settings, self.clock, "store")
        self.sync_backend = Backend(profile.paths, profile.settings, self.clock, "sync")
        self.welcome_offered = False
        self.help_panel: Any = None  # the "Need help now?" contacts as last loaded
        self.data_version = 0  # bumped by every change; screens reload when behind
        self._background_started = False
        self._store_check_running = False
        self._reminder_check_running = False
        self._mask_switch = True
        self.init_journal_lock()
        if profile.settings.theme in self.available_themes:
            self.theme = profile.settings.theme
        from companion.tui.screens.today import load_today_data

        self.backend.ahead(load_today_data)  # Today's data loads while Textual starts

    def now(self) -> datetime:
        return self.clock()

    # ---- lifecycle -------------------------------------------------------------------
    def on_mount(self) -> None:
        interval = max(30, int(self.settings.sync_interval_s or 300))
        self.set_interval(interval, self.action_sync_now)
        self.set_interval(self.REMINDER_CHECK_S, self.check_reminders)
        self.set_interval(self.STORE_CHECK_S, self.check_store)
        self.set_interval(self.IDLE_CHECK_S, self.check_journal_idle)

    def first_paint_done(self) -> None:
        """Today is on screen: now start the first sync and reminder check (they import
        the network and calendar layers, which would slow the first paint)."""
        if not self._background_started:
            self._background_started = True
            self.action_sync_now()
            self.check_reminders()
            self._preload_screens()

    @work(thread=True, exclusive=True, group="preload", exit_on_error=False)
    def _preload_screens(self) -> None:
        """Import the other screens' code while the user reads Today, so a first switch
        only builds the screen."""
        import importlib

        for module in PREBUILT:
            importlib.import_module(f"companion.tui.screens.{module}")
        self.call_from_thread(self._build_ahead, list(PREBUILT))

    def _build_ahead(self, modes: list[str]) -> None:
        """Build the other screens one at a time, a moment apart, so a first visit only
        shows its screen and a key pressed meanwhile waits for at most one build."""
        from companion.tui import internals

        while modes and not internals.build_mode(self, modes[0]):
            modes.pop(0)  # the user went there first
        if modes:
            self.set_timer(BUILD_GAP_S, lambda: self._build_ahead(modes[1:]))
            return
        # What start-up built lives as long as the app: keep it out of the collector's
        # full passes, which otherwise stall a keypress now and then for 40-80 ms.
        import gc

        gc.freeze()

    async def on_unmount(self) -> None:
        import gc

        gc.unfreeze()  # what start-up froze can be collected again (tests run many apps)
        self.backend.close()
        self.sync_backend.close()

    def watch_theme(self, theme: str) -> None:
        if self.is_running and self.settings.theme != theme:
            self.settings.theme = theme
            self.perform(lambda p: p.save_settings())

    # ---- actions ---------------------------------------------------------------------
    def perform(
        self,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], ActionDone] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run an action on the backend; on success post ``done(result)``, else a failure."""
        self._perform(fn, args, kwargs, done)

    # Writes are not exclusive: a second tick must never cancel the first. Loads are.
    @work(group="write", exit_on_error=False)
    async def _perform(
        self, fn: Callable[..., Any], args: tuple, kwargs: dict, done: Callable | None
    ) -> None:
        try:
            result = await self.backend.call(fn, *args, **kwargs)
        except EXPECTED as exc:
            self.post_message(ActionFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - the user sees a line, never a traceback
            self.post_message(ActionFailed(f"That did not work: {type(exc).__name__}: {exc}"))
            return
        if done is not None:
            self.post_message(done(result))
        self.refresh_sync_state()

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text)
        self.reload_screens()
        if isinstance(message, NoticeQueued | Enrolled | MakeupAccepted | MakeupDeclined):
            self.action_sync_now()  # deliver it (a notice, a make-up choice) now when online
        if isinstance(message, ReflectionSaved) and getattr(message.result, "offer_help", False):
            self.offer_help()

    # ---- need help now ---------------------------------------------------------------
    def action_help_now(self) -> None:
        """The "Need help now?" panel, over whatever is on screen. In the panel ``!``
        closes it; in the offer after a low-mood reflection it answers yes."""
        from companion.tui.dialogs.help_now import HelpNowDialog, HelpOfferDialog

        screen = self.screen
        if isinstance(screen, HelpNowDialog):
            screen.dismiss(None)
        elif isinstance(screen, HelpOfferDialog):
            screen.dismiss(True)
        else:
            self.push_screen(HelpNowDialog(self.help_panel))

    def offer_help(self) -> None:
        """After a low-mood reflection (at most once a day, decided and remembered by
        ``companion.actions.help_now.offer_after``): ask, gently, whether to show the panel."""
        from companion.tui.dialogs.help_now import HelpOfferDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_help_now()

        self.push_screen(HelpOfferDialog(), answered)

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        self.notify(message.text, severity="error", timeout=8)

    @on(ReminderDue)
    def _reminder(self, message: ReminderDue) -> None:
        self.notify(message.text, title="Reminder", timeout=30)

    def check_store(self) -> None:
        """Did another process (the CLI in another shell) or the sync's own connection
        write to the store? One ``PRAGMA data_version`` on the backend thread; a check
        still waiting (behind a long import, say) is not doubled."""
        if not self._store_check_running:
            self._store_check_running = True
            self._check_store()

    @work(group="store-check", exit_on_error=False)
    async def _check_store(self) -> None:
        try:
            changed = await self.backend.changed()
        except Exception:  # noqa: BLE001 - a failed check is retried next tick
            return
        finally:
            self._store_check_running = False
        if changed:
            self.reload_screens()
            self.refresh_sync_state()  # a notice queued from the CLI counts in the header

    def reload_screens(self) -> None:
        """Data changed: reload the screens on view now, the others when next shown."""
        self.data_version += 1
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    # ---- navigation ------------------------------------------------------------------
    def switch_mode(self, mode: str) -> Any:
        """Switch screens. Textual holds every paint for 50 ms after a switch, to hide a
        screen still being built; that delay alone was over the 50 ms budget. Without it
        the old screen stays on view until the new one paints, so nothing flashes."""
        self._mask_switch = False
        try:
            return super().switch_mode(mode)
        finally:
            self._mask_switch = True

    def delay_update(self, delay: float = 0.05) -> None:
        if self._mask_switch:  # still used where Textual masks other transitions
            super().delay_update(delay)

    async def action_notify_about(self, occurrence_id: str = "", makeup: bool = False) -> None:
        """Open the notify form, on ``occurrence_id`` when given."""
        await self.switch_mode("notify")
        prefill = getattr(self.screen, "prefill", None)
        if callable(prefill):
            prefill(occurrence_id, makeup)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # First, so ctrl+p then Enter reaches it from anywhere, a form's text field included.
        yield SystemCommand(
            "Need help now?",
            "Who you can reach right now: crisis contacts, 988 (US), your local emergency number",
            self.action_help_now,
        )
        yield from super().get_system_commands(screen)
        for mode, title, help_text in (
            ("today", "Today", "The next session, this week, catch-up and replies"),
            ("schedule", "Schedule", "Week and list views; mark attendance; edit series"),
            ("journal", "Journal", "Your reflections and barrier insights"),
            ("catchup", "Catch-up", "Checklists for missed sessions"),
            ("notify", "Notify", "Tell your coordinator; the outbox and replies"),
            ("settings", "Settings", "Enrol, sync, reminders, timezone, theme"),
        ):
            yield SystemCommand(title, help_text, lambda m=mode: self.switch_mode(m))
        yield SystemCommand(
            "Sync now", "Send queued notices and fetch changes", self.action_sync_now
        )
        yield SystemCommand(
            "Light / dark", "Switch between the light and dark theme", self.action_toggle_dark
        )
        if self.journal_key is not None:
            yield SystemCommand(
                "Lock the journal", "Forget its key now (it asks again)", self.lock_journal
            )

    # ---- sync and reminders ----------------------------------------------------------
    def action_sync_now(self) -> None:
        self.run_sync()

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def run_sync(self) -> None:
        """Drain the outbox and pull changes; never raises, never blocks input."""
        from companion.tui.sync import sync_round

        try:
            done = await self.sync_backend.call(sync_round)
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            self.post_message(ActionFailed(f"Sync did not work: {exc}"))
            return
        self.post_message(SyncFinished(done))

    def refresh_sync_state(self) -> None:
        self._refresh_sync_state()

    @work(exclusive=True, group="sync-state", exit_on_error=False)
    async def _refresh_sync_state(self) -> None:
        from companion.tui.sync import outbox_status, with_status

        try:
            status = await self.backend.call(outbox_status)
        except Exception:  # noqa: BLE001 - the indicator keeps its last state
            return
        # Merged into the state as it is now: a sync that finished meanwhile keeps its link.
        self.sync_state = with_status(self.sync_state, status)

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        from companion.tui.sync import merged

        done = message.result
        self.sync_state = merged(self.sync_state, done)
        if done.delivered:
            from companion.domain.notices import delivered_words

            sent = delivered_words(done.delivered - done.choices, done.choices)
            self.notify(f"Delivered {sent} to {self.program_name}.")
        if done.replies:
            self.notify("Your coordinator replied: see Today or Notify.", title="New reply")
        for line in done.set_aside:  # the rest of the changes were applied
            self.notify(f"{line[:1].upper()}{line[1:]}.", severity="warning")
        if done.delivered or done.changed:
            self.reload_screens()

    def check_reminders(self) -> None:
        """Look for due reminders, unless a check is still running: a new one would cancel
        it (a busy machine could then never finish one)."""
        if not self._reminder_check_running:
            self._reminder_check_running = True
            self._check_reminders()

    @work(group="reminders", exit_on_error=False)
    async def _check_reminders(self) -> None:
        try:
            ics = optional.ics()
            if ics is None:
                return
            due = await self.backend.call(ics.due_reminders)
        except Exception:  # noqa: BLE001 - a failed reminder check is retried next tick
            return
        finally:
            self._reminder_check_running = False
        for reminder in due:
            self.post_message(ReminderDue(reminder.message))

    def explain_not_enrolled(self) -> None:
        self.notify(NOT_ENROLLED, severity="warning")

    # ---- links and files -------------------------------------------------------------
    def open_link(self, url: str) -> None:
        """Open ``url`` in a graphical browser where there is one; copy it otherwise. Only
        https/http links: anything else (``javascript:``, ``file:``) is refused."""
        if not is_web_link(url):
            self.notify(f"Not opened: {LINK_REFUSED}.", severity="warning")
            return
        self._open_link(url)

    @work(thread=True, exclusive=True, group="browser", exit_on_error=False)
    def _open_link(self, url: str) -> None:
        import os
        import webbrowser

        # Without a display, webbrowser would start a text browser inside this terminal.
        graphical = sys.platform in ("darwin", "win32") or bool(
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        )
        try:
            opened = graphical and webbrowser.open(url)
        except Exception:  # noqa: BLE001 - fall back to copying
            opened = False
        if opened:
            self.call_from_thread(self.notify, f"Opened {url} in your browser.")
        else:
            self.call_from_thread(self.copy_to_clipboard, url)
            self.call_from_thread(
                self.notify, f"No browser to open here; copied the link instead: {url}"
            )

    def ask_import(self) -> None:
        """Ask for an .ics file and import it."""
        from companion.tui.dialogs.files import ImportDialog

        self.push_screen(ImportDialog(), self._import_chosen)

    def _import_chosen(self, path: str | None) -> None:
        if not path:
            return
        from companion.tui.screens.schedule import import_calendar

        import_calendar(self, path)


def make_app(profile: Profile, clock: Clock | None = None) -> CompanionApp:
    """Build the app over ``profile`` (tests pass a temp profile and a frozen clock)."""
    return CompanionApp(profile, clock=clock)


def run() -> int:
    """Open the user's profile and run the app; a broken profile is one line, exit 2."""
    try:
        profile = Profile.open()
    except (StoreError, ConfigError) as exc:
        print(f"companion: {exc}", file=sys.stderr)
        return 2
    try:
        make_app(profile).run()
    finally:
        profile.close()
    return 0
