"""The server process's set-up: the open-file limit and what it allows, private files,
and worker processes that stop when their supervisor dies.

``companion-server`` calls these at start-up (``cli.py``); the limits are documented in
sync/server/README.md ("Limits").
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
import stat
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("companion.server")

RESERVE_FDS = 64
"""Descriptors kept for everything but client connections: the listening socket, the
database (SQLite file, WAL and shared memory per connection, or PostgreSQL sockets),
the event loop's own, standard streams, pipes to the supervisor."""
MAX_BACKLOG = 2048
MIN_NOFILE = 256
SUPERVISOR_ENV = "COMPANION_SERVER_SUPERVISOR"
WATCH_EVERY_S = 0.5
GRACE_S = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


# -- the open-file limit -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """What the open-file limit allows one server process."""

    nofile: int
    """The soft RLIMIT_NOFILE in force (after raising it when allowed)."""
    raised_from: int | None
    """The soft limit before start-up raised it, or None."""
    backlog: int
    """The listen backlog: connections the kernel may queue for accepting. One turn of
    the event loop can accept all of them before any is looked at, so the budget leaves
    room for a full backlog."""
    budget: int
    """The most client connections one process keeps open."""
    wanted: int
    """The configured ``max_connections``."""

    @property
    def warning(self) -> str | None:
        """A line for the operator when the limit allows fewer connections than configured."""
        if self.budget >= self.wanted:
            return None
        return (
            f"warning: the open-file limit ({self.nofile}) allows {self.budget} connections "
            f"per worker, not {self.wanted}: raise it to {needed_nofile(self.wanted)} "
            "(LimitNOFILE= in the systemd unit, ulimit -n in a shell)"
        )


def needed_nofile(connections: int) -> int:
    """The open-file limit that lets one process keep ``connections`` open."""
    return RESERVE_FDS + MAX_BACKLOG + connections


class LimitTooLow(Exception):
    """The open-file limit cannot serve at all; the message says what to do."""


def open_file_limits(max_connections: int) -> Limits:
    """Raise the soft open-file limit towards the hard one (any process may), as far as
    ``max_connections`` needs, and say what the result allows.

    Raises :class:`LimitTooLow` below ``MIN_NOFILE`` descriptors.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed_nofile(max_connections)
    raised_from = None
    if soft != resource.RLIM_INFINITY and soft < want:
        target = want if hard == resource.RLIM_INFINITY else min(hard, want)
        if target > soft:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft, raised_from = target, soft
            except (ValueError, OSError):
                pass  # the limit stays; the budget below follows it
    nofile = want if soft == resource.RLIM_INFINITY else soft
    if nofile < MIN_NOFILE:
        raise LimitTooLow(
            f"the open-file limit ({nofile}) is too low to serve: raise it to at least "
            f"{MIN_NOFILE} (ulimit -n), better {needed_nofile(max_connections)}"
        )
    backlog = max(16, min(MAX_BACKLOG, (nofile - RESERVE_FDS) // 4))
    budget = min(max_connections, nofile - RESERVE_FDS - backlog)
    return Limits(nofile, raised_from, backlog, budget, max_connections)


# -- private files -----------------------------------------------------------------------


def private_umask() -> None:
    """Every file and directory this process creates is its owner's only (0600/0700)."""
    os.umask(0o077)


def private_dir(path: Path) -> None:
    """``path`` (created when missing) readable by its owner only: the server's own data
    dir, where nothing else lives."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)


def shared_dir_warning(path: Path) -> str | None:
    """A line for the operator when the database's directory (given with --db, so not the
    server's to change) lets other users in."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077 == 0:
        return None
    return (
        f"warning: {path} is open to other users (mode {mode:o}): the database files in "
        f"it are 0600, but `chmod 700 {path}` keeps their names private too"
    )


# -- workers follow their supervisor --------------------------------------------------------


def mark_supervisor() -> None:
    """Called by ``serve --workers N`` before the workers start: they watch this process."""
    os.environ[SUPERVISOR_ENV] = str(os.getpid())


def follow_supervisor(*, kernel: bool = True) -> None:
    """In a worker: stop when the supervisor dies, however it dies (SIGKILL included), so
    no orphaned worker keeps the port and a restart always binds.

    Linux delivers SIGTERM on the parent's death (``PR_SET_PDEATHSIG``); a thread that
    watches ``os.getppid()`` covers other systems and a parent that died before the
    request was made. SIGTERM lets uvicorn finish in-flight requests; a worker still
    alive ``GRACE_S`` later exits at once. ``kernel=False`` leaves the watch to the
    thread alone (what other systems get; the tests check it on Linux too).
    """
    raw = os.environ.get(SUPERVISOR_ENV, "")
    if not raw.isdigit():
        return
    supervisor = int(raw)
    if kernel and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != supervisor:  # gone already: nothing is served yet
        log.warning("the supervisor [%d] is gone: this worker stops", supervisor)
        os._exit(1)
    threading.Thread(
        target=_watch, args=(supervisor,), name="supervisor-watch", daemon=True
    ).start()


def _watch(supervisor: int) -> None:
    while os.getppid() == supervisor:
        time.sleep(WATCH_EVERY_S)
    log.warning("the supervisor [%d] is gone: this worker stops", supervisor)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_S)
    os._exit(1)
