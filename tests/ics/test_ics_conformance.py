"""Our export read back by parsers we did not write (icalendar + recurring-ical-events)
gives the same sessions, in local time, as our own expansion; and export then import is
a round trip that changes nothing (Hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from companion.actions.ics_merge import against
from companion.domain.schedule import Kind, Override, Series, expand_all
from companion.ics import export_calendar, import_calendar
from companion.ics.export import opaque_uid
from companion.ics.imports import same_content
from tests.ics import samples
from tests.ics.samples import WINDOW, export, local_view, ours, program


def theirs(data: bytes, window: tuple[datetime, datetime] = WINDOW) -> list:
    """recurring-ical-events' occurrences: (uid, UTC start, UTC end), and the components."""
    events = recurring_ical_events.of(Calendar.from_ical(data)).between(*window)
    return sorted(
        ((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC), e)
         for e in events),
        key=lambda t: t[:3],
    )  # fmt: skip


def test_same_sessions_across_dst_changes_in_new_york_and_berlin() -> None:
    series = program()
    found = theirs(export(series))
    assert [t[:3] for t in found] == ours(series)
    view = local_view(ours(series), series)
    # Wall-clock times hold on both sides of each change.
    assert ("process-group@sample.companion", "2026-03-06 Fri 18:00") in view  # EST
    assert ("process-group@sample.companion", "2026-03-11 Wed 18:00") in view  # EDT
    assert ("process-group@sample.companion", "2026-10-30 Fri 18:00") in view  # EDT
    assert ("process-group@sample.companion", "2026-11-02 Mon 18:00") in view  # EST
    assert ("workshop@sample.companion", "2026-03-19 Thu 10:00") in view  # CET
    assert ("workshop@sample.companion", "2026-04-02 Thu 10:00") in view  # CEST
    assert ("workshop@sample.companion", "2026-10-29 Thu 10:00") in view  # CET again
    # The moved session shows at its new time; the cancelled ones are gone.
    assert ("process-group@sample.companion", "2026-03-10 Tue 19:30") in view
    assert ("process-group@sample.companion", "2026-03-09 Mon 18:00") not in view
    assert ("process-group@sample.companion", "2026-11-04 Wed 18:00") not in view
    assert ("workshop@sample.companion", "2026-03-26 Thu 10:00") not in view
    # UNTIL (written in UTC) keeps its last session: Fri 18 Dec.
    assert ("individual@sample.companion", "2027-01-12 Tue 17:00") in view
    assert ("process-group@sample.companion", "2026-12-18 Fri 18:00") in view
    assert ("process-group@sample.companion", "2026-12-21 Mon 18:00") not in view


def test_alarms_have_the_right_triggers_nearest_first() -> None:
    series = program()
    found = theirs(export(series))
    for uid, start, _end, event in found:
        triggers = [a["TRIGGER"].dt for a in event.walk("VALARM")]
        wanted = {
            "individual@sample.companion": [timedelta(minutes=-15), timedelta(hours=-2)],
            "family@sample.companion": [],
        }.get(uid, [timedelta(minutes=-30), timedelta(hours=-24)])
        assert triggers == wanted, (uid, start)
        assert all(a["ACTION"] == "DISPLAY" and a["DESCRIPTION"] for a in event.walk("VALARM"))


def test_excused_occurrence_reads_as_excused_without_alarms() -> None:
    series = program()
    found = theirs(export(series, excused=[samples.EXCUSED]))
    assert [t[:3] for t in found] == ours(series)  # same times: nothing moved
    excused = [e for uid, start, _, e in found if (uid, start) == samples.EXCUSED]
    assert len(excused) == 1
    assert str(excused[0]["SUMMARY"]).startswith("Excused: notice sent")
    assert not excused[0].walk("VALARM")
    others = [e for uid, start, _, e in found if uid == samples.EXCUSED[0]
              and start != samples.EXCUSED[1]]  # fmt: skip
    assert others and all("Excused" not in str(e["SUMMARY"]) for e in others)


def test_export_then_import_gives_the_same_series() -> None:
    series = program()
    back = import_calendar(export(series, excused=[samples.EXCUSED]))
    assert back.skipped == []
    assert [s.uid for s in back.series] == [s.uid for s in series]
    for before, after in zip(series, back.series, strict=True):
        assert same_content(before, after), before.uid
    assert ours(back.series) == ours(series)


# Hypothesis: random series survive export and import unchanged.
ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC")
RULES = st.one_of(
    st.none(),
    st.lists(st.sampled_from(("MO", "TU", "WE", "TH", "FR", "SA", "SU")), min_size=1,
             max_size=3, unique=True).map(lambda d: "FREQ=WEEKLY;BYDAY=" + ",".join(d)),
    st.integers(1, 3).map(lambda n: f"FREQ=DAILY;INTERVAL={n};COUNT=12"),
    st.integers(1, 2).map(lambda n: f"FREQ=WEEKLY;INTERVAL={n};UNTIL=20271231T235959"),
    st.just("FREQ=MONTHLY;BYDAY=2TU"),
)  # fmt: skip
WORDS = (
    st.text(
        st.characters(codec="utf-8", categories=("L", "N", "Zs", "Pd", "So")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
ZOOM = "https://zoom.us/j/5550100123"
# A program's own text: lines of words, sometimes lines like the ones our export adds.
LINES = st.one_of(
    WORDS, st.just(f"Join: {ZOOM}"), st.just("Before the session:"),
    st.just("- Test your camera and microphone"), st.just("Passcode: 246810"), st.just(""),
)  # fmt: skip
TEXTS = st.one_of(st.just(""), st.lists(LINES, min_size=1, max_size=6).map(
    lambda lines: "\n".join(lines).strip()))  # fmt: skip
PLACES = st.sampled_from(["", "Room 3, Northgate Centre", "Zoom", "Microsoft Teams Meeting"])
REMINDERS = st.lists(
    st.sampled_from([timedelta(minutes=m) for m in (0, 10, 30, 60, 90, 1440, 2880)]),
    max_size=3, unique=True,
).map(lambda r: tuple(sorted(r, reverse=True)))  # fmt: skip


@st.composite
def random_series(draw: st.DrawFn) -> Series:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    naive = draw(st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31)))
    naive = naive.replace(minute=naive.minute // 5 * 5, second=0, microsecond=0)
    start = naive.replace(tzinfo=tz)
    # A wall-clock time that does not exist or happens twice is not a session start.
    assume(start.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive)
    assume(naive.replace(tzinfo=tz, fold=1).utcoffset() == start.utcoffset())
    base = Series(
        uid=draw(st.uuids()).hex + "@random.companion", title=draw(WORDS),
        kind=draw(st.sampled_from(list(Kind))), start=start,
        duration=timedelta(minutes=draw(st.integers(3, 48)) * 5), tzid=tz.key,
        rrule=draw(RULES), join_url=draw(st.sampled_from(
            ["", "https://meet.example.org/abc-defg", "https://zoom.example.com/j/123?pwd=x"])),
        facilitator=draw(st.sampled_from(["", "Dr. Ana Rivera", "Jürgen Weiß"])),
        reminders=draw(REMINDERS), description=draw(TEXTS), location=draw(PLACES),
    )  # fmt: skip
    if ZOOM in base.description and not base.join_url:  # as a program's file would have it
        base = base.with_changes(join_url=ZOOM)
    rdates = draw(st.lists(st.integers(1, 400), max_size=2, unique=True))
    first = start.astimezone(UTC) + timedelta(hours=1)
    extra = sorted((first + timedelta(days=d)).astimezone(tz) for d in rdates)
    base = base.with_changes(rdates=tuple(extra))
    occs = expand_all([base], start - timedelta(days=1), start + timedelta(days=60))[:8]
    overrides: dict[datetime, Override] = {}
    for occ in occs:
        action = draw(st.sampled_from(("keep", "keep", "cancel", "move", "own")))
        if action == "cancel":
            overrides[occ.original_start] = Override(occ.original_start, cancelled=True)
        elif action == "move":
            new = occ.start + timedelta(hours=draw(st.integers(1, 30)))
            end = draw(st.sampled_from([None, new + timedelta(minutes=45)]))
            overrides[occ.original_start] = Override(occ.original_start, new, end)
        elif action == "own":  # keeps its start; its own end, title, link, place or text
            own = Override(
                occ.original_start, end=draw(st.sampled_from([None, occ.start + timedelta(
                    minutes=20)])), title=draw(st.one_of(st.none(), WORDS)),
                join_url=draw(st.sampled_from([None, "https://zoom.us/j/777"])),
                location=draw(st.one_of(st.none(), PLACES.filter(bool))),
                description=draw(st.one_of(st.none(), TEXTS.filter(bool))),
            )  # fmt: skip
            if ZOOM in (own.description or "") and base.join_url != ZOOM:
                own = replace(own, join_url=ZOOM)  # the link its text gives
            kept = against(base, own)  # what differs from the series, as an import keeps it
            if kept is not None:
                overrides[occ.original_start] = kept
    return base.with_changes(overrides=overrides)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(random_series(), min_size=1, max_size=3, unique_by=lambda s: s.uid),
       st.booleans())  # fmt: skip
def test_random_series_round_trip_unchanged(series: list[Series], discreet: bool) -> None:
    data = export_calendar(series, now=datetime(2026, 1, 1, tzinfo=UTC), calendar_name="Random",
                           calendar_uid="random@companion", discreet=discreet)  # fmt: skip
    back = import_calendar(data)
    assert back.skipped == []
    by_uid = {s.uid: s for s in back.series}
    window = (datetime(2024, 12, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    for before in series:
        # A discreet file's UIDs are keyed hashes of ours: the same from one export to the next.
        uid = opaque_uid("random@companion", before.uid) if discreet else before.uid
        after = replace(by_uid[uid], uid=before.uid)
        assert ours([after], window) == ours([before], window)
        assert after.reminders == before.reminders
        assert after.join_url == before.join_url
        if not discreet:  # a discreet file keeps no title, kind or facilitator, by design
            assert same_content(before, after)
