"""The profile's outbox lock: one holder at a time may send or change queued notices.

An exclusive ``flock`` on a file next to the database; the kernel releases it when the
holder dies, even by SIGKILL, so a killed sync never leaves a stale claim. Unix only.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from companion.paths import private_file


@contextmanager
def outbox_lock(path: Path, wait: float) -> Iterator[bool]:
    """Hold the lock at ``path``; yields False when another holder kept it ``wait`` s."""
    fd = os.open(private_file(path), os.O_RDWR)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
