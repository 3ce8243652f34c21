"""The app's lock on a protected journal: the key in memory while unlocked, the unlock
dialog, and the idle lock that drops the key after ``journal_lock_min`` minutes without a
key press (0: never).

A mixin of :class:`~companion.tui.app.CompanionApp`, kept apart so the app module stays
about its modes, actions and sync. The key is only ever in this object: screens load with
it (``readable_reflections``), and locking reloads them without it, so no decrypted text
stays in their data or on view.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App

from companion.config import Settings
from companion.tui.messages import ActionFailed

if TYPE_CHECKING:
    from companion.tui.backend import Backend

INPUT = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


class JournalLock(App[None]):
    """The journal's key and when it locks again; the app supplies ``backend``,
    ``settings`` and ``reload_screens``."""

    IDLE_CHECK_S = 5.0  # how often the idle lock looks at the time
    backend: Backend
    settings: Settings

    def init_journal_lock(self) -> None:
        self.journal_key: bytes | None = None  # in memory only, while unlocked
        self.journal_asked = False  # the unlock dialog was offered since start or last lock
        self.last_input = time.monotonic()

    def reload_screens(self) -> None:
        raise NotImplementedError

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, INPUT) and not event.is_forwarded:
            self.last_input = time.monotonic()  # the idle lock counts from here
        await super().on_event(event)

    def journal_unlocked(self, key: bytes) -> None:
        """Keep ``key`` in memory until the idle lock (or ``l``) drops it; show the text."""
        self.journal_key, self.journal_asked = key, True
        self.last_input = time.monotonic()
        self.reload_screens()

    def lock_journal(self, why: str = "Locked your journal.") -> None:
        """Forget the key; every screen reloads without it, so no decrypted text stays on
        view or in the screens' data. The next visit to the Journal asks again."""
        if self.journal_key is None:
            return
        self.journal_key, self.journal_asked = None, False
        self.reload_screens()
        self.notify(why)

    def check_journal_idle(self) -> None:
        minutes = self.settings.journal_lock_min
        if self.journal_key is not None and minutes:
            idle = time.monotonic() - self.last_input
            if idle >= minutes * 60:
                self.lock_journal(
                    f"Locked your journal after {minutes} minute{'s' if minutes > 1 else ''} "
                    "without a key press."
                )

    def ask_unlock(
        self,
        then: Callable[[bytes], Any] | None = None,
        why: str = "",
        otherwise: Callable[[], Any] | None = None,
    ) -> None:
        """Show the unlock dialog; on success keep the key and call ``then(key)``, else
        say ``why`` it was asked (when given) and call ``otherwise()``."""
        from companion.tui.dialogs.unlock import UnlockDialog

        self.journal_asked = True

        def answered(key: bytes | None) -> None:
            if key is not None:
                self.journal_unlocked(key)
                if then is not None:
                    then(key)
                return
            if why:
                self.notify(why, severity="warning")
            if otherwise is not None:
                otherwise()

        self.push_screen(UnlockDialog(why), answered)

    def with_journal_key(
        self,
        then: Callable[[bytes | None], Any],
        why: str,
        otherwise: Callable[[], Any] | None = None,
    ) -> None:
        """Call ``then(key)``: None when the journal is not protected, the key when it is
        unlocked; when it is locked, ask first (``why`` says what for), and if the user
        declines call ``otherwise()`` instead."""
        self._with_journal_key(then, why, otherwise)

    @work(group="journal-key", exit_on_error=False)
    async def _with_journal_key(
        self,
        then: Callable[[bytes | None], Any],
        why: str,
        otherwise: Callable[[], Any] | None,
    ) -> None:
        if self.journal_key is None:
            from companion.actions.journal import is_protected

            try:
                protected = await self.backend.call(is_protected)
            except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
                self.post_message(ActionFailed(str(exc)))
                return
            if protected:
                self.ask_unlock(then, why, otherwise)
                return
        then(self.journal_key)
