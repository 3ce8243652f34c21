"""Where the app's disk and network work runs: one thread that owns one store connection.

SQLite connections belong to the thread that opened them, and the store's transactions
must not interleave, so every action runs on a single dedicated thread with its own
:class:`~companion.actions.profile.Profile`. Workers ``await`` :meth:`Backend.call`; the
event loop never blocks. Sync gets a second backend so a slow network never holds up a
tick or a mark.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from companion.actions.profile import Profile
from companion.clock import Clock
from companion.config import Settings
from companion.paths import Paths
from companion.store.db import Store

T = TypeVar("T")


class Backend:
    """Runs ``fn(profile, ...)`` calls one at a time on its own thread."""

    def __init__(self, paths: Paths, settings: Settings, clock: Clock, name: str) -> None:
        self.paths, self.settings, self.clock = paths, settings, clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"companion-{name}")
        self._profile: Profile | None = None

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        if self._profile is None:
            self._profile = Profile(
                self.paths, Store(self.paths.database), self.settings, self.clock
            )
        return fn(self._profile, *args, **kwargs)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(profile, *args, **kwargs)`` on the backend thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(self._run, fn, args, kwargs))

    def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Blocking form, for start-up before the event loop runs."""
        return self._executor.submit(self._run, fn, args, kwargs).result()

    def close(self) -> None:
        def _close() -> None:
            if self._profile is not None:
                self._profile.close()
                self._profile = None

        self._executor.submit(_close)
        self._executor.shutdown(wait=True)
