"""The same exported file, read by Mozilla's ical.js (Thunderbird), libical (Evolution),
khal and calcurse, gives the same sessions as our own expansion, and the same alarm times
where the tool exposes them. Locally a missing tool skips with its reason; under CI=true
it fails (require_tool)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from companion.domain.schedule import Series, expand_all
from tests.conftest import require_tool
from tests.ics import samples
from tests.ics.samples import WINDOW, export, ours, program
from tests.interop import parsers

pytestmark = pytest.mark.interop


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """The year with a moved session, cancellations and an excused one."""
    path = tmp_path / "sample.ics"
    path.write_bytes(export(program(), excused=[samples.EXCUSED]))
    return path


def wanted_alarms(series: list[Series]) -> dict[tuple[str, datetime], list[datetime]]:
    """When each occurrence's alarms should fire, nearest first; none when excused."""
    by_uid = {s.uid: s for s in series}
    out = {}
    for occ in expand_all(series, *WINDOW):
        if occ.cancelled:
            continue
        offsets = sorted(by_uid[occ.series_uid].reminders)
        excused = (occ.series_uid, occ.original_start) == samples.EXCUSED
        out[(occ.series_uid, occ.start)] = [] if excused else [occ.start - o for o in offsets]
    return out


def test_icaljs_thunderbird(sample_file: Path) -> None:
    require_tool(parsers.icaljs_available(), "node and ical.js (npm install in tests/interop)")
    series = program()
    found = parsers.icaljs(sample_file, *WINDOW)
    got = sorted((o["uid"], parsers.utc(o["start"]), parsers.utc(o["end"])) for o in found)
    assert got == ours(series)
    alarms = {(o["uid"], parsers.utc(o["start"])): [parsers.utc(a["at"]) for a in o["alarms"]]
              for o in found}  # fmt: skip
    assert alarms == wanted_alarms(series)
    excused = [o for o in found if (o["uid"], parsers.utc(o["start"])) == samples.EXCUSED]
    assert [o["summary"] for o in excused] == ["Excused: notice sent – Individual counselling"]


def test_libical_evolution(sample_file: Path) -> None:
    require_tool(parsers.libical_available(), "libical bindings (gir1.2-ical-3.0, python3-gi)")
    series = program()
    found = parsers.libical(sample_file, *WINDOW)
    got = sorted((o["uid"], parsers.utc(o["start"]), parsers.utc(o["end"])) for o in found)
    assert got == ours(series)
    alarms = {
        (o["uid"], parsers.utc(o["start"])): [parsers.utc(o["start"]) + timedelta(seconds=s)
                                              for s in o["alarms"]]
        for o in found
    }  # fmt: skip
    assert alarms == wanted_alarms(series)


def test_khal(sample_file: Path, tmp_path: Path) -> None:
    require_tool(shutil.which("khal") is not None, "khal is not installed")
    series = program()
    tz = "America/New_York"
    found = parsers.khal(sample_file, tmp_path / "khal", tz, "2026-01-01", "2027-01-14")
    window = (datetime(2026, 1, 1, 5, tzinfo=UTC), datetime(2027, 1, 15, 5, tzinfo=UTC))
    expected = sorted((uid, parsers.local(s, tz), parsers.local(e, tz))
                      for uid, s, e in ours(series, window))  # fmt: skip
    assert found == expected


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/Berlin"])
def test_calcurse(tz: str, tmp_path: Path) -> None:
    """calcurse converts to local time on import and silently ignores RECURRENCE-ID
    overrides and RDATE: one file per zone, run with TZ set to it, without moved or excused
    sessions or extra dates."""
    require_tool(shutil.which("calcurse") is not None, "calcurse is not installed")
    series = [s for s in program(moves=False) if s.tzid == tz and not s.rdates]
    path = tmp_path / "zone.ics"
    path.write_bytes(export(series))
    rows, apts = parsers.calcurse(path, tmp_path / "calcurse", tz, "2026-01-01", "2027-01-14")
    start = datetime(2026, 1, 1, tzinfo=series[0].zone).astimezone(UTC)
    window = (start, start + timedelta(days=379))
    titles = {s.uid: (s.title if s.kind.label in s.title.lower() else
                      f"{s.title} ({s.kind.label})") for s in series}  # fmt: skip
    expected = sorted((titles[uid], parsers.local(s, tz), parsers.local(e, tz))
                      for uid, s, e in ours(series, window))  # fmt: skip
    assert rows == expected
    # Alarms: calcurse keeps a notify flag ("!") per appointment, no trigger time.
    for s in series:
        line = next(li for li in apts.splitlines() if li.endswith(titles[s.uid]))
        assert (f"!{titles[s.uid]}" in line) == bool(s.reminders), line
