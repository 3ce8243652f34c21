"""``companion-server`` on a clock the test sets, like Debian's ``faketime`` but portable.

The server decides whether a notice came before its session from its own clock (issue
10), so tests that run the real server in a subprocess need to say what time it is
there. :func:`server_command` is the command line: it runs the real CLI with the app's
clock moved by the number of seconds in the file named by ``COMPANION_TEST_CLOCK`` (read
again whenever the file changes, so a test can move the clock of a running server with
:func:`set_offset`). Without the variable the clock is the real one.

Only the single-process ``serve`` (and ``demo``) honour it: worker processes of
``--workers N`` build their own app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ENV = "COMPANION_TEST_CLOCK"
_SHIM = "import tests.clockshim as c; raise SystemExit(c.main())"


def server_command() -> list[str]:
    """``companion-server`` as a command, run on the shifted clock when ENV is set."""
    return [sys.executable, "-c", _SHIM]


def set_offset(path: Path, offset: timedelta) -> None:
    """Move the server's clock (the running server picks it up at its next request)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(str(offset.total_seconds()))
    tmp.replace(path)


def set_now(path: Path, now: datetime) -> None:
    """Make the server's clock read ``now`` (and run on from there)."""
    set_offset(path, now - datetime.now(UTC))


def shifted_clock(path: Path) -> Callable[[], datetime]:
    state = {"mtime": -1.0, "offset": timedelta(0)}

    def clock() -> datetime:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        if mtime != state["mtime"]:
            try:
                state["offset"] = timedelta(seconds=float(path.read_text() or 0))
            except (OSError, ValueError):
                state["offset"] = timedelta(0)
            state["mtime"] = mtime
        return datetime.now(UTC) + state["offset"]  # type: ignore[operator]

    return clock


def main() -> int:
    from sync.server import app, cli

    clock_file = os.environ.get(ENV)
    if clock_file:
        app.create_app = partial(app.create_app, clock=shifted_clock(Path(clock_file)))  # type: ignore[assignment]
    return cli.main()
