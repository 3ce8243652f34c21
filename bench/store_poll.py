"""What the open app's store check costs: one ``PRAGMA data_version`` on the five-year
profile, alone and as the app runs it (a hop to the backend thread and back, awaited
from the event loop), and how long a screen takes to notice a write from another process.

    .venv/bin/python bench/store_poll.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fixtures import build_five_years  # noqa: E402
from companion.actions.journal import add_reflection  # noqa: E402
from companion.clock import fixed_clock  # noqa: E402
from companion.store.db import Store  # noqa: E402
from companion.store.watch import data_version  # noqa: E402
from companion.tui.backend import Backend  # noqa: E402

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
N = 20_000


def per_call_us(fn: object, n: int = N) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - t0) / n * 1e6


async def backend_round_trips(backend: Backend, n: int) -> list[float]:
    took = []
    for _ in range(n):
        t0 = time.perf_counter()
        await backend.changed()
        took.append((time.perf_counter() - t0) * 1e6)
    return took


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        profile, count = build_five_years(home, NOW)
        store = Store(profile.paths.database)
        direct = per_call_us(lambda: data_version(store))
        backend = Backend(profile.paths, profile.settings, fixed_clock(NOW), "bench")
        cpu0 = time.process_time()
        trips = asyncio.run(backend_round_trips(backend, 2000))
        cpu = (time.process_time() - cpu0) / 2000 * 1e6
        # A write from another connection is seen by the next check.
        add_reflection(profile, barriers=(), what_happened="a write from elsewhere")
        seen = asyncio.run(backend.changed())
        backend.close()
        store.close()
        profile.close()
    print(f"five years: {count} occurrences")
    print(f"PRAGMA data_version, direct: {direct:.1f} µs per call")
    print(
        f"the app's check (event loop -> backend thread -> back): median "
        f"{statistics.median(trips):.0f} µs, p99 {sorted(trips)[int(len(trips) * 0.99)]:.0f} µs"
    )
    print(f"a write from another connection seen by the next check: {seen}")
    print(f"CPU per check, both threads: {cpu:.0f} µs (the app checks once a second)")


if __name__ == "__main__":
    main()
