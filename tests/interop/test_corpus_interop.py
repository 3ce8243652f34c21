"""Every corpus file (tests/data/ics/), imported into a real profile and exported again,
read by parsers we did not write: Mozilla's ical.js (Thunderbird), libical (Evolution),
khal, calcurse and recurring-ical-events. Each must find the sessions a person reads in
the program's original file, at the same times, with the same titles (a session's own
title included), the same alarms where it exposes them, and the day notes as all-day
events on their days. Locally a missing tool skips with its reason; under CI=true it
fails (require_tool)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from companion.actions.ics import export_profile, import_file
from companion.actions.profile import Profile
from tests.conftest import require_tool
from tests.ics.corpus import NAMES, Expected, load
from tests.interop import parsers

pytestmark = pytest.mark.interop


@pytest.fixture(params=NAMES)
def case(request: pytest.FixtureRequest, profile: Profile, tmp_path: Path) -> tuple[Expected, Path]:
    """A corpus file's expectations and our re-export of it (through the store)."""
    exp = load(request.param)
    summary = import_file(profile, exp.path)
    assert summary.skipped == [] and summary.cancelled == []
    path = tmp_path / f"{exp.name}.reexport.ics"
    path.write_bytes(export_profile(profile))
    return exp, path


LABELS = {"group": "group therapy", "individual": "individual counselling",
          "workshop": "educational workshop", "other": "session"}  # fmt: skip


def _summary(title: str, kind: str) -> str:
    """The SUMMARY our export writes for a title: with its kind's label."""
    return title if LABELS[kind] in title.lower() else f"{title} ({LABELS[kind]})"


def _summaries(exp: Expected) -> dict[tuple[str, datetime], str]:
    """The SUMMARY each session has in our export (a session's own title included)."""
    kinds = {s["uid"]: s["kind"] for s in exp.series}
    return {key: _summary(title, kinds[key[0]]) for key, title in exp.titles().items()}


def _local_days(exp: Expected) -> tuple[date, date]:
    tz = ZoneInfo(exp.raw["timezone"])
    first, last = (w.astimezone(tz).date() for w in exp.window)
    return first, last


def _in_window(exp: Expected, days: list[tuple[str, date]]) -> list[tuple[str, date]]:
    first, last = _local_days(exp)
    return sorted(d for d in days if first <= d[1] < last)


def test_recurring_ical_events(case: tuple[Expected, Path]) -> None:
    exp, path = case
    events = recurring_ical_events.of(Calendar.from_ical(path.read_bytes())).between(*exp.window)
    timed = [e for e in events if isinstance(e["DTSTART"].dt, datetime)]
    found = {(str(e["UID"]), e["DTSTART"].dt.astimezone(UTC)): e for e in timed}
    assert (
        sorted((*k, e["DTEND"].dt.astimezone(UTC)) for k, e in found.items()) == exp.occurrences()
    )
    assert {k: str(e["SUMMARY"]) for k, e in found.items()} == _summaries(exp)
    alarms = {k: sorted(k[1] + a["TRIGGER"].dt for a in e.walk("VALARM"))
              for k, e in found.items()}  # fmt: skip
    assert alarms == {k: sorted(v) for k, v in exp.alarms().items()}
    notes = [(str(e["UID"]), e["DTSTART"].dt + timedelta(days=n)) for e in events
             if not isinstance(e["DTSTART"].dt, datetime)
             for n in range((e["DTEND"].dt - e["DTSTART"].dt).days)]  # fmt: skip
    assert _in_window(exp, notes) == exp.note_days()


def test_icaljs_thunderbird(case: tuple[Expected, Path]) -> None:
    require_tool(parsers.icaljs_available(), "node and ical.js (npm install in tests/interop)")
    exp, path = case
    found = parsers.icaljs(path, *exp.window)
    timed = {(o["uid"], parsers.utc(o["start"])): o for o in found if not o["all_day"]}
    assert sorted((*k, parsers.utc(o["end"])) for k, o in timed.items()) == exp.occurrences()
    assert {k: o["summary"] for k, o in timed.items()} == _summaries(exp)
    alarms = {k: [parsers.utc(a["at"]) for a in o["alarms"]] for k, o in timed.items()}
    assert alarms == exp.alarms()
    notes = [(o["uid"], start + timedelta(days=n)) for o in found if o["all_day"]
             for start, end in [(date.fromisoformat(o["start_date"]),
                                 date.fromisoformat(o["end_date"]))]
             for n in range((end - start).days)]  # fmt: skip
    assert _in_window(exp, notes) == exp.note_days()


def test_libical_evolution(case: tuple[Expected, Path]) -> None:
    require_tool(parsers.libical_available(), "libical bindings (gir1.2-ical-3.0, python3-gi)")
    exp, path = case
    found = parsers.libical(path, *exp.window)
    timed = {(o["uid"], parsers.utc(o["start"])): o for o in found if not o["all_day"]}
    assert sorted((*k, parsers.utc(o["end"])) for k, o in timed.items()) == exp.occurrences()
    assert {k: o["summary"] for k, o in timed.items()} == _summaries(exp)
    alarms = {k: sorted(k[1] + timedelta(seconds=s) for s in o["alarms"])
              for k, o in timed.items()}  # fmt: skip
    assert alarms == exp.alarms()
    notes = [(o["uid"], date.fromisoformat(o["start_date"]) + timedelta(days=n))
             for o in found if o["all_day"] for n in range(o["days"])]  # fmt: skip
    assert _in_window(exp, notes) == exp.note_days()


def test_khal(case: tuple[Expected, Path], tmp_path: Path) -> None:
    require_tool(shutil.which("khal") is not None, "khal is not installed")
    exp, path = case
    tz = exp.raw["timezone"]
    first, last = _local_days(exp)
    rows = parsers.khal(path, tmp_path / "khal", tz, f"{first}", f"{last - timedelta(days=1)}")
    wanted = sorted((uid, parsers.local(s, tz), parsers.local(e, tz))
                    for uid, s, e in exp.occurrences())  # fmt: skip
    assert sorted(r for r in rows if " " in r[1]) == wanted
    # An all-day note is listed on each of its days, as (uid, first day, last day).
    notes = []
    for uid, (_title, days) in exp.notes.items():
        for run in _runs(days):
            notes += [(uid, f"{run[0]}", f"{run[-1]}")] * len(run)
    assert sorted(r for r in rows if " " not in r[1]) == sorted(notes)


def _runs(days: list[date]) -> list[list[date]]:
    """Consecutive days grouped: a note's runs."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def test_calcurse(case: tuple[Expected, Path], tmp_path: Path) -> None:
    """calcurse converts to local time on import, and two things it does not do are left
    out of the comparison: it keeps a series' own session at a slot the program changed
    (so a changed session shows twice: the series' at the original slot, and the changed
    one, which must be right), and it ignores BYSETPOS (a rule that needs it, "last weekday
    of the month", is not compared). Every other session, and every day note, must be there."""
    require_tool(shutil.which("calcurse") is not None, "calcurse is not installed")
    exp, path = case
    tz = exp.raw["timezone"]
    first, last = _local_days(exp)
    workdir = tmp_path / "calcurse"
    rows, apts = parsers.calcurse(path, workdir, tz, f"{first}", f"{last - timedelta(days=1)}")
    master = {s["uid"]: _summary(s["title"], s["kind"]) for s in exp.series}
    summaries = _summaries(exp)
    uid_of = {text: uid for (uid, _start), text in summaries.items()} | {
        text: uid for uid, text in master.items()
    }
    setpos = {str(e["UID"]) for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")
              if "BYSETPOS" in e.get("RRULE", {})}  # fmt: skip
    changed = [s for s in exp.sessions if s.changes]
    skip = exp.changed_days(tz)

    def compared(uid: str, local_start: str) -> bool:
        return uid not in setpos and (uid, local_start[:10]) not in skip

    spans = [(uid, parsers.local(s, tz), parsers.local(e, tz)) for uid, s, e in exp.occurrences()]
    wanted = sorted((master[uid], s, e) for uid, s, e in spans if compared(uid, s))
    assert sorted(r for r in rows if compared(uid_of[r[0]], r[1])) == wanted
    for s in changed:  # the changed session itself is there, at its time, with its title
        row = (summaries[(s.uid, s.start)], parsers.local(s.start, tz), parsers.local(s.end, tz))
        assert row in rows
    # Alarms: calcurse keeps a notify flag ("!") per appointment, no trigger time.
    for s in exp.series:
        line = next(li for li in apts.splitlines() if li.endswith(master[s["uid"]]))
        assert (f"!{master[s['uid']]}" in line) == bool(s["reminders_min"]), line
    notes = parsers.calcurse_events(workdir, tz, f"{first}", f"{last - timedelta(days=1)}")
    assert notes == sorted((exp.notes[uid][0], f"{day}") for uid, day in exp.note_days())
