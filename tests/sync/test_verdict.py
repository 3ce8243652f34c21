"""Issue 10 on the client: the server judges a notice by its own clock and the program's
schedule, and the client's provisional mark follows that verdict on delivery; a notice the
server refuses stays in the outbox with the reason. The program server runs on a clock the
test sets (``tests.clockshim``); the clients' clocks are frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from companion.actions.notify import accept_makeup, notify, notify_occurrence, replies
from companion.actions.profile import Profile
from companion.actions.schedule import occurrences
from companion.clock import fixed_clock
from companion.domain.attendance import Status
from companion.store import repo_catchup, repo_schedule
from sync.client import sync_now
from tests import clockshim
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.conftest import Enrolled, enrol
from tests.sync.harness import GROUP, ProgramServer

FRI = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # the Process Group, tomorrow at 18:00


def test_the_mark_follows_the_servers_verdict_when_the_device_clock_is_behind(
    enrolled: Enrolled,
) -> None:
    """The device (frozen on Thursday) believes Friday's session is ahead; the server's
    clock says it began an hour ago: delivered as *after*, so the session is missed, with
    its catch-up checklist, not excused."""
    program, profile = enrolled.program, enrolled.profile
    sent = notify(profile, enrolled.occurrence_id("2026-11-27"), "work", "Late shift")
    key = (GROUP["uid"], FRI)
    assert repo_schedule.marks(profile.store.conn)[key] is Status.EXCUSED  # provisional
    clockshim.set_now(program.clock, FRI + timedelta(hours=1))
    try:
        assert sync_now(profile, timeout=5).delivered == 1
    finally:
        clockshim.set_now(program.clock, FROZEN_NOW)
    conn = profile.store.conn
    assert repo_schedule.marks(conn)[key] is Status.MISSED
    checklist = repo_catchup.get_checklist(conn, *key)
    assert checklist is not None and checklist.done_count >= 1  # "tell the coordinator"
    [stored] = [n for n in enrolled.server_notices() if n["id"] == sent.id]
    assert (stored["timing"], stored["claimed_timing"]) == ("after", "advance")
    assert stored["clock_offset_s"] < -3600  # the Date header showed the clock behind
    listed = run_cli("outbox")
    assert "after" in listed.stdout and "advance" not in listed.stdout


def test_the_mark_follows_the_servers_verdict_when_the_device_clock_is_ahead(
    program: ProgramServer, paths: object
) -> None:
    """The device's clock says Friday's session is over; the server (Thursday) says it
    has not begun: an advance notice, and the session is excused, not missed."""
    profile = Profile.open(paths, clock=fixed_clock(FRI + timedelta(hours=2)))  # type: ignore[arg-type]
    try:
        e = enrol(profile, program)
        notify(profile, e.occurrence_id("2026-11-27"), "health", "Unwell")
        key = (GROUP["uid"], FRI)
        assert repo_schedule.marks(profile.store.conn)[key] is Status.MISSED
        assert sync_now(profile, timeout=5).delivered == 1
        assert repo_schedule.marks(profile.store.conn)[key] is Status.EXCUSED
        assert repo_catchup.get_checklist(profile.store.conn, *key) is None
    finally:
        profile.close()


def test_a_notice_the_server_refuses_stays_failed_with_its_reason(enrolled: Enrolled) -> None:
    """Between the notice and its delivery the program cancelled the session."""
    program, profile = enrolled.program, enrolled.profile
    sent = notify(profile, enrolled.occurrence_id("2026-11-30"), "work", "Away")
    program.coordinator("POST", f"/v1/coordinator/series/{GROUP['uid']}/cancel",
                        json={"original_start": "2026-11-30T23:00:00Z"})  # fmt: skip
    result = sync_now(profile, timeout=5, pull_changes=False)
    assert (result.delivered, result.failed) == (0, 1)
    listed = run_cli("outbox")
    assert f"failed       {sent.id[:8]}" in listed.stdout
    assert "refused by the server (422): Process Group on that day was cancelled" in listed.stdout


def test_a_notice_about_an_offered_make_up_is_judged_against_the_offer(
    enrolled: Enrolled,
) -> None:
    """A make-up slot the coordinator offered is a session the program made: the client
    may tell the coordinator about it like any other."""
    program, profile = enrolled.program, enrolled.profile
    sent = notify(profile, enrolled.occurrence_id("2026-11-25"), "technical", "Wifi")
    assert sync_now(profile, timeout=5).delivered == 1
    slot = {"start": "2026-11-28T15:00:00Z", "end": "2026-11-28T16:00:00Z",
            "title": "Make-up group", "join_url": "https://meet.example.org/mu"}  # fmt: skip
    program.coordinator("POST", f"/v1/coordinator/notices/{sent.id}/reply",
                        json={"text": "Saturday?", "makeup": slot})  # fmt: skip
    sync_now(profile, timeout=5)
    [reply] = replies(profile)
    series = accept_makeup(profile, reply.id)
    start = datetime(2026, 11, 28, 15, tzinfo=UTC)
    [view] = [v for v in occurrences(profile, start, start + timedelta(hours=1))
              if v.occurrence.series_uid == series.uid]  # fmt: skip
    told = notify_occurrence(profile, view.occurrence, "family", "Childcare fell through")
    assert sync_now(profile, timeout=5).delivered == 2  # the notice and the accepted slot
    [stored] = [n for n in enrolled.server_notices() if n["id"] == told.id]
    assert (stored["title"], stored["timing"]) == ("Make-up group", "advance")
