"""A process killed mid-write leaves the store consistent: all of an action or none of it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from companion.paths import Paths
from companion.store.db import Store

WRITER = """
import sys, time
from pathlib import Path
from companion.store.db import Store
store = Store(Path(sys.argv[1]))
with store.transaction() as conn:
    for n in range(1000):
        conn.execute("INSERT INTO reflection (created, barriers, what_happened) "
                     "VALUES ('2026-01-01T00:00:00Z', '[]', ?)", (f"entry {n}",))
    print("inside", flush=True)
    time.sleep(60)
"""


def test_sigkill_mid_transaction_loses_the_action_not_the_store(paths: Paths) -> None:
    with Store(paths.database) as store, store.transaction() as conn:
        conn.execute(
            "INSERT INTO reflection (created, barriers, what_happened) "
            "VALUES ('2026-01-01T00:00:00Z', '[]', 'kept')"
        )
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(paths.database)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while proc.stdout.readline().strip() != "inside":
        assert time.monotonic() < deadline
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    with Store(Path(paths.database)) as store:
        rows = [r[0] for r in store.conn.execute("SELECT what_happened FROM reflection")]
        assert rows == ["kept"]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
