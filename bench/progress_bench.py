"""How long the twelve-week pictures take to load with five years of data.

Budget (issue 16): a few milliseconds. Prints the median and worst of repeated loads on an
open store (as the app's backend thread runs them), each split into the store's part and
the domain's part, for the attendance picture and for barriers by week.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fixtures import build_five_years  # noqa: E402
from companion.actions.profile import Profile  # noqa: E402
from companion.actions.progress import (  # noqa: E402
    MOVED_MARGIN,
    client_started,
    load_attendance_progress,
    load_barrier_weeks,
)
from companion.clock import fixed_clock  # noqa: E402
from companion.domain.progress import attendance_progress, window  # noqa: E402
from companion.domain.schedule import expand_all  # noqa: E402
from companion.store import repo_schedule  # noqa: E402

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
RUNS = 50


def timed(fn: Callable[[], object]) -> list[float]:
    fn()  # warm: imports, the first query plan
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, timings: list[float]) -> None:
    print(f"{name:<44} median {statistics.median(timings):6.2f} ms, max {max(timings):6.2f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile, count = build_five_years(Path(tmp), NOW)
        paths = profile.paths
        profile.close()
        p = Profile.open(paths, clock=fixed_clock(NOW))
        conn, tz, policy = p.store.conn, p.tz(), p.program().policy
        mondays, end = window(NOW, tz)
        series = repo_schedule.list_series(conn)
        found = expand_all(series, mondays[0], end)
        marks = repo_schedule.marks(conn, mondays[0] - MOVED_MARGIN, end + MOVED_MARGIN)
        started = client_started(p, series)
        reflections = repo_journal_all(p)
        print(f"five years: {count} occurrences, {len(reflections)} reflections")
        report("attendance, store + domain", timed(lambda: load_attendance_progress(p)))
        report(
            "attendance, domain only (12 weeks)",
            timed(lambda: attendance_progress(found, marks, policy, NOW, tz, started)),
        )
        report("barriers by week, own query", timed(lambda: load_barrier_weeks(p)))
        report(
            "barriers by week, from all reflections",
            timed(lambda: load_barrier_weeks(p, reflections)),
        )
        p.close()


def repo_journal_all(profile: Profile) -> list:
    from companion.store import repo_journal

    return repo_journal.list_reflections(profile.store.conn)


if __name__ == "__main__":
    main()
