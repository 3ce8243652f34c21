"""iCalendar budgets (DESIGN.md): export of a year of a program's sessions (5 series,
reminders, 20 exceptions) < 50 ms; import of a 1,000-event calendar < 1 s.

Export is timed cold (first call in the process, VTIMEZONEs computed) and warm (median);
import is timed end to end (read, parse, one transaction into a fresh SQLite store).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.actions.demo import demo_series  # noqa: E402
from companion.actions.ics import import_file  # noqa: E402
from companion.actions.profile import Profile  # noqa: E402
from companion.clock import fixed_clock  # noqa: E402
from companion.domain.schedule import Kind, Override, Series, expand_all, zone  # noqa: E402
from companion.ics import export_calendar  # noqa: E402
from companion.paths import Paths  # noqa: E402

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
RUNS = 30
EXPORT_BUDGET_MS = 50
IMPORT_BUDGET_S = 1.0


def year_of_sessions() -> list[Series]:
    """Five series over 2026 with 20 exceptions (12 cancelled, 8 moved)."""
    first = datetime(2026, 1, 5, tzinfo=zone("America/New_York"))
    series = demo_series(first)
    series.append(replace(series[1], uid="checkin@bench", title="Recovery check-in",
                          kind=Kind.OTHER, rrule="FREQ=WEEKLY;BYDAY=SA"))  # fmt: skip
    berlin = zone("Europe/Berlin")
    series.append(replace(series[2], uid="berlin@bench", title="Achtsamkeit", tzid=berlin.key,
                          start=datetime(2026, 1, 8, 10, tzinfo=berlin)))  # fmt: skip
    series = [replace(s, rrule=f"{s.rrule};UNTIL=20261231T235959") for s in series]
    out = []
    for index, s in enumerate(series):
        occs = expand_all([s], first, first + timedelta(days=365))[3::5][:4]
        overrides = {}
        for n, occ in enumerate(occs):
            if (n + index) % 5 < 3:
                overrides[occ.original_start] = Override(occ.original_start, cancelled=True)
            else:
                new = occ.start + timedelta(hours=1)
                overrides[occ.original_start] = Override(occ.original_start, new)
        out.append(replace(s, overrides=overrides))
    assert sum(len(s.overrides) for s in out) == 20
    return out


def thousand_events() -> bytes:
    """A calendar of 1,000 one-off sessions with alarms, as a program's export might be."""
    tz = zone("America/New_York")
    start = datetime(2026, 1, 5, 9, tzinfo=tz)
    series = [
        Series(uid=f"event-{n}@bench", title=f"Session {n}", kind=Kind.GROUP,
               start=start + timedelta(days=n // 4, hours=3 * (n % 4)),
               duration=timedelta(hours=2), tzid=tz.key,
               join_url=f"https://meet.example.org/{n}", facilitator="Dr. Ana Rivera")
        for n in range(1000)
    ]  # fmt: skip
    return export_calendar(series, now=NOW, calendar_name="Bench", calendar_uid="bench")


def main() -> None:
    series = year_of_sessions()
    args = dict(now=NOW, calendar_name="Evening IOP", calendar_uid="bench@companion",
                program_name="Evening IOP", timezone="America/New_York")  # fmt: skip
    t0 = time.perf_counter()
    data = export_calendar(series, **args)  # type: ignore[arg-type]
    cold = (time.perf_counter() - t0) * 1000
    warm = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        export_calendar(series, **args)  # type: ignore[arg-type]
        warm.append((time.perf_counter() - t0) * 1000)
    print(f"export: 5 series, 20 exceptions, {data.count(b'BEGIN:VEVENT')} VEVENTs, "
          f"{len(data):,} bytes: cold {cold:.1f} ms, warm median {statistics.median(warm):.1f} "
          f"ms, worst {max(warm):.1f} ms (budget < {EXPORT_BUDGET_MS} ms)")  # fmt: skip

    calendar = thousand_events()
    times = []
    for run in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "thousand.ics"
            path.write_bytes(calendar)
            profile = Profile.open(Paths(Path(tmp) / "data", Path(tmp) / "config"),
                                   clock=fixed_clock(NOW))  # fmt: skip
            t0 = time.perf_counter()
            summary = import_file(profile, path)
            times.append(time.perf_counter() - t0)
            profile.close()
            assert len(summary.added) == 1000, (run, len(summary.added))
    print(f"import: 1,000 events, {len(calendar):,} bytes into a fresh store: median "
          f"{statistics.median(times):.2f} s, worst {max(times):.2f} s "
          f"(budget < {IMPORT_BUDGET_S} s)")  # fmt: skip
    ok = max(cold, max(warm)) < EXPORT_BUDGET_MS and max(times) < IMPORT_BUDGET_S
    print("within budget" if ok else "OVER BUDGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
