"""Sync against the real program server on loopback.

1. Bytes each way of an idle `companion sync` (a real client process, nothing queued, no
   changes), counted by a TCP relay between client and server. Budget (DESIGN.md): one
   request, < 500 B each way (plain HTTP; TLS excluded).
2. Time to drain 1,000 queued notices (`sync_now` in process, one connection, each answer
   recorded in its own transaction before the next notice goes out).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.actions.notify import notify_occurrence  # noqa: E402
from companion.actions.profile import Profile  # noqa: E402
from companion.clock import fixed_clock  # noqa: E402
from companion.domain.schedule import expand  # noqa: E402
from companion.paths import Paths  # noqa: E402
from companion.store import repo_outbox, repo_schedule  # noqa: E402
from sync.client import enroll, sync_now  # noqa: E402
from sync.credentials import read_token  # noqa: E402
from tests.sync.harness import GROUP, ByteCounter, ProgramServer  # noqa: E402

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
NOTICES = 1000
BUDGET_B = 500
# The server takes notices only for sessions within a year of its now, and no series
# repeats more often than daily: three daily check-ins give 1,000 sessions in a year.
DAILY = [
    {
        "uid": f"daily-{hour}@bench",
        "title": f"Check-in {hour}:00",
        "kind": "individual",
        "tzid": "America/New_York",
        "start_local": f"2025-12-15T{hour:02d}:00",
        "duration_min": 15,
        "rrule": "FREQ=DAILY",
    }
    for hour in (9, 13, 17)
]


def idle_sync_bytes(server: ProgramServer, home: Path) -> tuple[int, int, int]:
    """(bytes up, bytes down, connections) of one idle `companion sync` process."""
    relay = ByteCounter(server.port)
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(NOW))
    _, code = server.add_client("Idle client")
    enroll(profile, relay.url, code, "bench")
    assert sync_now(profile).state == "ok"
    profile.close()
    relay.reset()
    env = dict(os.environ, COMPANION_HOME=str(home), COMPANION_NOW=NOW.isoformat())
    done = subprocess.run(
        [sys.executable, "-m", "companion", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == "Up to date.", done.stdout + done.stderr
    time.sleep(0.2)  # let the relay count the connection's last bytes
    up, down, conns = relay.up, relay.down, relay.connections
    relay.close()
    return up, down, conns


def drain_time(server: ProgramServer, home: Path) -> tuple[float, int]:
    """Seconds to deliver NOTICES queued notices; and how many the server then holds."""
    profile = Profile.open(Paths(home / "data", home / "config"), clock=fixed_clock(NOW))
    _, code = server.add_client("Busy client")
    enroll(profile, server.url, code, "bench")
    past = []
    for wire in DAILY:
        series = repo_schedule.get_series(profile.store.conn, wire["uid"])
        assert series is not None
        past += expand(series, NOW - timedelta(days=340), NOW - timedelta(days=1))
    past = sorted(past, key=lambda occ: occ.start)[-NOTICES:]
    assert len(past) == NOTICES
    for occ in past:
        notify_occurrence(profile, occ, "forgot")
    assert repo_outbox.counts(profile.store.conn)["queued"] == NOTICES
    t0 = time.perf_counter()
    result = sync_now(profile, timeout=10)
    elapsed = time.perf_counter() - t0
    assert result.state == "ok" and result.delivered == NOTICES, result
    token = read_token(profile)
    assert token
    held = len(server.notices_of(token))
    profile.close()
    return elapsed, held


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ProgramServer(Path(tmp) / "server")
        server.setup(series=(GROUP, *DAILY))
        try:
            up, down, conns = idle_sync_bytes(server, Path(tmp) / "idle")
            ok = "within" if up < BUDGET_B and down < BUDGET_B else "OVER"
            print(
                f"idle `companion sync`: {up} B sent, {down} B received over {conns} "
                f"connection(s) (budget < {BUDGET_B} B each way: {ok})"
            )
            elapsed, held = drain_time(server, Path(tmp) / "drain")
            print(
                f"drain {NOTICES} queued notices: {elapsed:.2f} s "
                f"({NOTICES / elapsed:.0f} notices/s); the server holds {held}"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
