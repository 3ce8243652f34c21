"""The layers other issues build (sync, notices, iCalendar), imported only when present.

The app must start even when one of them has not landed: each accessor returns the module
or ``None``, and the screens say plainly what is unavailable.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def notify() -> ModuleType | None:
    """``companion.actions.notify``: notify, outbox, discard, replies, accept_makeup."""
    return _load("companion.actions.notify")


def sync_client() -> ModuleType | None:
    """``sync.client``: enroll, unenroll, sync_now, is_enrolled."""
    return _load("sync.client")


def ics() -> ModuleType | None:
    """``companion.actions.ics``: export and import of .ics files."""
    return _load("companion.actions.ics")
