"""What every exported file says: a discreet file names nothing (no program, title, kind,
facilitator, treatment or attendance word, no revealing UID or PRODID, no X-COMPANION-*),
and the client's own excused marker is a change calendar apps see (SEQUENCE up,
LAST-MODIFIED when the notice was given)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from companion.actions.ics import excused_at
from companion.actions.profile import Profile
from companion.domain.notes import DayNote
from companion.domain.schedule import Override, Series
from companion.ics.export import opaque_uid
from tests.conftest import FROZEN_NOW, run_cli
from tests.ics import samples
from tests.ics.corpus import CORPUS
from tests.ics.samples import MOVED_FROM, export, program

PROGRAM_TEXT = (
    "Process group with Dr. Ana Rivera – group therapy of the Evening IOP.\n"
    "Bring your diary card.\nMeeting ID: 855 5123 4567\nPasscode: 246810"
)
# Every word of the program's name, the series' titles, kinds and facilitators, and the
# words the issue names: none may be in a discreet file.
WORDS = {
    "Evening", "IOP", "Process", "Group", "Individual", "counselling", "Coping", "Skills",
    "Achtsamkeit", "Gruppe", "Ängste", "Family", "session", "guest", "speaker", "workshop",
    "other", "Ana", "Rivera", "Sam", "Okafor", "LCSW", "Jo", "Park", "Jürgen", "Weiß",
    "Thanksgiving", "diary", "Room", "clinic",
}  # fmt: skip
SUBSTRINGS = ("IOP", "therapy", "group", "counsel", "excused", "companion", "X-COMPANION")


def with_texts() -> tuple[list[Series], list[DayNote]]:
    """The sample program with the program's own text, a place, a retitled session and a
    day note: everything a discreet file must leave out."""
    series = program()
    group = series[0]
    retitled = {**group.overrides, MOVED_FROM: Override(
        MOVED_FROM, group.overrides[MOVED_FROM].start, group.overrides[MOVED_FROM].end,
        title="Process Group – guest speaker", location="Evening IOP clinic, Room 3",
        description="Guest speaker: Sam Okafor")}  # fmt: skip
    series[0] = group.with_changes(description=PROGRAM_TEXT, location="Evening IOP clinic",
                                   overrides=retitled)  # fmt: skip
    notes = [DayNote("thanksgiving@sample.companion", "No group – Thanksgiving",
                     date(2026, 11, 26), description="Evening IOP is closed")]  # fmt: skip
    return series, notes


def unfolded(data: bytes) -> str:
    return data.decode().replace("\r\n ", "")


def named(text: str) -> list[str]:
    """What in ``text`` names the program, a session, a kind, a person or attendance."""
    found = [w for w in WORDS if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I)]
    return found + [s for s in SUBSTRINGS if s.lower() in text.lower()]


def override_event(cal: Calendar, uid: str, original: datetime) -> Any:
    """The RECURRENCE-ID event of ``uid`` for the session that originally started then."""
    return next(e for e in cal.walk("VEVENT") if str(e["UID"]) == uid and "RECURRENCE-ID" in e
                and e["RECURRENCE-ID"].dt.astimezone(UTC) == original)  # fmt: skip


def join_links(series: list[Series]) -> set[str]:
    links = {s.join_url for s in series if s.join_url}
    return links | {o.join_url for s in series for o in s.overrides.values() if o.join_url}


@pytest.mark.parametrize("no_links", [True, False])
def test_discreet_export_names_nothing(no_links: bool) -> None:
    series, notes = with_texts()
    excused = {samples.EXCUSED: datetime(2026, 10, 30, 12, tzinfo=UTC)}
    data = export(series, discreet=True, excused=excused, notes=notes, no_links=no_links)
    text = unfolded(data)
    if not no_links:
        for link in join_links(series):  # documented: join links stay (--no-links drops them)
            assert link in text
            text = text.replace(link, "")
    assert named(text) == []
    assert "SUMMARY:Appointment" in text and "X-WR-CALNAME:Appointments" in text
    assert ("Passcode: 246810" in text) is not no_links  # the passcode goes with the link
    prodid = next(line for line in text.splitlines() if line.startswith("PRODID:"))
    assert prodid == "PRODID:-//Calendar//Calendar 1.0//EN"
    # UIDs: keyed hashes, the same from one export to the next, telling nothing
    uids = {line[4:] for line in text.splitlines() if line.startswith("UID:")}
    assert uids == {opaque_uid("evening-iop@sample.companion", x) for x in
                    ["calendar", *(s.uid for s in series)]}  # fmt: skip
    assert export(series, discreet=True, excused=excused, notes=notes, no_links=no_links) == data
    other = unfolded(export(series, discreet=True, calendar_uid="another@device"))
    assert not uids & {line[4:] for line in other.splitlines() if line.startswith("UID:")}


def test_discreet_excused_is_cancelled_and_the_master_says_so() -> None:
    series = program()
    excused_uid, when = samples.EXCUSED
    modified = {excused_uid: datetime(2026, 10, 1, tzinfo=UTC)}
    notice = datetime(2026, 10, 30, 12, tzinfo=UTC)
    cal = Calendar.from_ical(export(series, discreet=True, excused={samples.EXCUSED: notice},
                                    last_modified=modified))  # fmt: skip
    uid = opaque_uid("evening-iop@sample.companion", excused_uid)
    (master,) = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    assert when in [d.dt.astimezone(UTC) for ex in [master["EXDATE"]] for d in ex.dts]
    assert int(master["SEQUENCE"]) == series[1].sequence + 1
    assert master["LAST-MODIFIED"].dt == notice


def test_the_excused_override_is_a_change_calendar_apps_see() -> None:
    series = program()
    uid, when = samples.EXCUSED
    modified = datetime(2026, 10, 1, tzinfo=UTC)

    def override(excused: object) -> Any:
        cal = Calendar.from_ical(export(series, excused=excused, last_modified={uid: modified}))
        return override_event(cal, uid, when)

    later = override({samples.EXCUSED: modified + timedelta(days=20)})
    assert str(later["SUMMARY"]).startswith("Excused: notice sent")
    assert int(later["SEQUENCE"]) == series[1].sequence + 1
    assert later["LAST-MODIFIED"].dt == modified + timedelta(days=20)
    earlier = override({samples.EXCUSED: modified - timedelta(days=20)})
    assert earlier["LAST-MODIFIED"].dt == modified
    plain = override([samples.EXCUSED])  # a plain collection of pairs still works
    assert (
        int(plain["SEQUENCE"]) == series[1].sequence + 1 and plain["LAST-MODIFIED"].dt == modified
    )


def test_the_local_export_gives_the_notice_time(demo_profile: Profile) -> None:
    gave = FROZEN_NOW + timedelta(hours=1)
    upcoming = run_cli("sessions", "--json", now=gave)
    target = next(s for s in json.loads(upcoming.stdout) if s["status"] == "upcoming"
                  and s["start"] > gave.isoformat())  # fmt: skip
    done = run_cli("notify", target["id"], "--barrier", "work", now=gave)
    assert done.returncode == 0, done.stderr
    with demo_profile.store.transaction() as conn:  # the mark changed later: the notice counts
        conn.execute(
            "UPDATE attendance SET updated = '2026-11-28T00:00:00Z' WHERE status = 'excused'"
        )
    key = (target["series"], datetime.fromisoformat(target["start"]).astimezone(UTC))
    assert excused_at(demo_profile)[key] == gave
    cal = Calendar.from_ical(run_cli("export-ics", now=gave + timedelta(hours=1)).stdout.encode())
    event = override_event(cal, *key)
    assert event["LAST-MODIFIED"].dt == gave and str(event["SUMMARY"]).startswith("Excused")


def test_the_local_discreet_export_names_nothing(demo_profile: Profile, tmp_path) -> None:
    assert run_cli("import-ics", str(CORPUS / "microsoft365.ics")).returncode == 0
    done = run_cli("export-ics", "--discreet", "--no-links", "-o", str(tmp_path / "d.ics"))
    assert done.returncode == 0, done.stderr
    text = unfolded((tmp_path / "d.ics").read_bytes())
    assert named(text) == [] and "Dana" not in text and "Whitfield" not in text
    assert "Thanksgiving" not in text and "BEGIN:VEVENT" in text
    assert "https://" not in text.split("BEGIN:VEVENT", 1)[1]
