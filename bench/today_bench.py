"""How long loading everything for the Today view takes with five years of data.

Budget (DESIGN.md): < 50 ms. Prints the median and worst of repeated cold loads (each opens
the store afresh, as the app does at start).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fixtures import build_five_years  # noqa: E402
from companion.actions.profile import Profile  # noqa: E402
from companion.actions.today import load_today  # noqa: E402
from companion.clock import fixed_clock  # noqa: E402

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
RUNS = 30


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile, count = build_five_years(Path(tmp), NOW)
        paths = profile.paths
        profile.close()
        timings = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            p = Profile.open(paths, clock=fixed_clock(NOW))
            view = load_today(p)
            timings.append((time.perf_counter() - t0) * 1000)
            p.close()
        print(
            f"five years: {count} occurrences, 500 reflections, "
            f"{len(view.open_checklists)} open checklists"
        )
        print(
            f"today view (open store + load): median {statistics.median(timings):.1f} ms, "
            f"max {max(timings):.1f} ms over {RUNS} runs (budget < 50 ms)"
        )


if __name__ == "__main__":
    main()
