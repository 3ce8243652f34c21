"""Where the app's disk and network work runs: one thread that owns one store connection.

SQLite connections belong to the thread that opened them, and the store's transactions
must not interleave, so every action runs on a single dedicated thread with its own
:class:`~companion.actions.profile.Profile`. Workers ``await`` :meth:`Backend.call`; the
event loop never blocks. Sync gets a second backend so a slow network never holds up a
tick or a mark.

The backend also tells when the store changed underneath it (:meth:`Backend.changed`):
another process, or the sync backend's own connection, committed. Its baseline is read
as the connection opens, before any load reads data, so no change can slip between a
load and the first check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from companion.actions.profile import Profile
from companion.clock import Clock
from companion.config import Settings
from companion.paths import Paths
from companion.store.db import Store
from companion.store.watch import data_version

T = TypeVar("T")


class Backend:
    """Runs ``fn(profile, ...)`` calls one at a time on its own thread."""

    def __init__(self, paths: Paths, settings: Settings, clock: Clock, name: str) -> None:
        self.paths, self.settings, self.clock = paths, settings, clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"companion-{name}")
        self._profile: Profile | None = None
        self._version = 0  # the store's data_version when last looked at
        self._ahead: dict[Callable[..., Any], Future[Any]] = {}

    def _open(self) -> Profile:
        if self._profile is None:
            store = Store(self.paths.database)
            self._version = data_version(store)
            self._profile = Profile(self.paths, store, self.settings, self.clock)
        return self._profile

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        return fn(self._open(), *args, **kwargs)

    def _changed(self) -> bool:
        version = data_version(self._open().store)
        changed, self._version = version != self._version, version
        return changed

    async def changed(self) -> bool:
        """Whether another connection committed since the last look (microseconds)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._changed)

    def ahead(self, fn: Callable[[Profile], Any]) -> None:
        """Start ``fn(profile)`` now, before anyone asks (the first screen's data, while
        Textual starts); the next :meth:`call` of ``fn`` takes that result."""
        self._ahead[fn] = self._executor.submit(self._run, fn, (), {})

    def ready(self, fn: Callable[[Profile], T], wait_s: float) -> T | None:
        """The result of ``fn`` started with :meth:`ahead`, waiting at most ``wait_s`` for
        it (the event loop then leaves the GIL to the backend thread); None when there is
        none, it failed, or it is not done (a later :meth:`call` still takes it)."""
        started = self._ahead.get(fn)
        if started is None:
            return None
        try:
            result = started.result(timeout=wait_s)
        except Exception:  # noqa: BLE001 - not done, or failed: the screen loads as usual
            return None
        del self._ahead[fn]
        return result

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(profile, *args, **kwargs)`` on the backend thread and await its result."""
        started = self._ahead.pop(fn, None) if not (args or kwargs) else None
        if started is not None:
            return await asyncio.wrap_future(started)
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
