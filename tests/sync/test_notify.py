"""The notify action and the outbox on a real SQLite profile (no network involved)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from companion.actions import notify as actions
from companion.actions.journal import add_reflection
from companion.actions.profile import Profile, UserError
from companion.actions.schedule import add_series, mark, occurrences
from companion.domain.attendance import Policy, Status
from companion.domain.catchup import TELL
from companion.domain.notices import NoticeState, Timing
from companion.store import repo_catchup, repo_outbox, repo_schedule
from companion.store.repo_schedule import Program
from sync.protocol import NoticeIn, SeriesWire, series_from_wire
from tests.conftest import run_cli
from tests.sync.harness import GROUP, TZ


@pytest.fixture
def program_profile(profile: Profile, now: datetime) -> Profile:
    with profile.store.transaction() as conn:
        repo_schedule.save_program(conn, Program("Evening IOP", TZ, Policy()))
        repo_schedule.save_series(conn, series_from_wire(SeriesWire(**GROUP)), now)
    return profile


def occurrence(profile: Profile, when: str) -> str:
    """The id of the Process Group occurrence on ``when`` (YYYY-MM-DD, New York)."""
    start = datetime.fromisoformat(when).replace(tzinfo=profile.tz())
    found = occurrences(profile, start, start + timedelta(days=1))
    return next(v.occurrence.id for v in found if v.occurrence.title == "Process Group")


def test_advance_notice_excuses_and_queues(program_profile: Profile) -> None:
    occ_id = occurrence(program_profile, "2026-11-27")  # Friday, after the frozen Thursday
    notice = actions.notify(program_profile, occ_id, "work", "Shift moved", makeup=True)
    assert notice.timing is Timing.ADVANCE
    [view] = [
        v
        for v in occurrences(program_profile, notice.start, notice.start + timedelta(1))
        if v.occurrence.id == occ_id
    ]
    assert view.status is Status.EXCUSED
    [entry] = actions.outbox(program_profile)
    assert entry.state is NoticeState.QUEUED and entry.id == notice.id
    wire = NoticeIn.model_validate_json(entry.payload)
    assert (str(wire.id), wire.message, wire.makeup) == (notice.id, "Shift moved", True)
    assert repo_catchup.get_checklist(program_profile.store.conn, *view.occurrence.key) is None


def test_after_the_fact_notice_marks_missed_with_checklist(program_profile: Profile) -> None:
    occ_id = occurrence(program_profile, "2026-11-25")  # Wednesday, already over
    notice = actions.notify(program_profile, occ_id, "technical")
    assert notice.timing is Timing.AFTER
    conn = program_profile.store.conn
    assert repo_schedule.marks(conn)[(notice.series_uid, notice.original_start)] is Status.MISSED
    checklist = repo_catchup.get_checklist(conn, notice.series_uid, notice.original_start)
    assert checklist is not None
    tell = next(i for i in checklist.items if i.key == TELL)
    assert not tell.done  # ticked only when the notice is delivered


def test_one_notice_per_session_and_clear_errors(program_profile: Profile, now: datetime) -> None:
    occ_id = occurrence(program_profile, "2026-11-27")
    with pytest.raises(UserError, match="unknown barrier"):
        actions.notify(program_profile, occ_id, "weather")
    with pytest.raises(UserError, match="limited to 2000"):
        actions.notify(program_profile, occ_id, "work", "x" * 2001)
    assert actions.outbox(program_profile) == []  # nothing half-written
    actions.notify(program_profile, occ_id, "work")
    with pytest.raises(UserError, match="already told"):
        actions.notify(program_profile, occ_id, "health")
    own = add_series(
        program_profile,
        title="Yoga",
        kind="other",
        start=now + timedelta(days=1),
        duration=timedelta(hours=1),
    )
    own_id = occurrences(program_profile, own.start, own.start + timedelta(hours=1))[
        0
    ].occurrence.id
    with pytest.raises(UserError, match="your own sessions"):
        actions.notify(program_profile, own_id, "work")


def test_shared_reflection_travels_and_is_marked_shared(program_profile: Profile) -> None:
    occ_id = occurrence(program_profile, "2026-11-25")
    mark(program_profile, occ_id, Status.MISSED)
    r = add_reflection(
        program_profile,
        barriers=["technical"],
        what_happened="Mic died",
        plan="Test 15 minutes before",
        occurrence_id=occ_id,
    )
    text = actions.preview_text(program_profile, occ_id, "technical", "Sorry", True, r.id)
    assert text.startswith("Missed Process Group on Wed 25 Nov 18:00")  # no name yet
    assert "A reflection is attached." in text and "Wants a make-up." in text
    actions.notify(program_profile, occ_id, "technical", "Sorry", share_reflection_id=r.id)
    [entry] = actions.outbox(program_profile)
    shared = json.loads(entry.payload)["shared_reflection"]
    assert "Mic died" in shared and "Test 15 minutes before" in shared
    from companion.store.repo_journal import get_reflection

    assert get_reflection(program_profile.store.conn, r.id).shared  # type: ignore[arg-type, union-attr]


def test_discard_and_retry_rules(program_profile: Profile) -> None:
    first = actions.notify(program_profile, occurrence(program_profile, "2026-11-27"), "work")
    with pytest.raises(UserError, match="only a failed notice"):
        actions.retry(program_profile, first.id[:8])
    with program_profile.store.transaction() as conn:
        repo_outbox.mark_failed(conn, first.id, "refused by the server (422): bad series")
    edited = actions.retry(program_profile, first.id[:8], message="Shift moved")
    assert edited.state is NoticeState.QUEUED and edited.id != first.id  # new idempotency key
    assert NoticeIn.model_validate_json(edited.payload).message == "Shift moved"
    actions.discard(program_profile, edited.id)
    assert actions.outbox(program_profile) == []
    with pytest.raises(UserError, match="no notice"):
        actions.discard(program_profile, "ffffffff")


def status_on(profile: Profile, when: str) -> Status:
    start = datetime.fromisoformat(when).replace(tzinfo=profile.tz())
    found = occurrences(profile, start, start + timedelta(days=1))
    return next(v.status for v in found if v.occurrence.title == "Process Group")


def test_discarding_an_advance_notice_unexcuses_the_session(program_profile: Profile) -> None:
    """The coordinator will never hear of a discarded notice: the session is not excused."""
    notice = actions.notify(program_profile, occurrence(program_profile, "2026-11-27"), "work")
    assert status_on(program_profile, "2026-11-27") is Status.EXCUSED
    actions.discard(program_profile, notice.id)
    assert status_on(program_profile, "2026-11-27") is Status.UPCOMING
    assert actions.outbox(program_profile) == []


def test_cli_notify_offline_without_enrolment(demo_profile: Profile) -> None:
    """Not enrolled: the notice is still queued at once, and the user is told how it leaves."""
    sessions = json.loads(run_cli("sessions", "--json").stdout)
    friday = next(s for s in sessions if s["start"].startswith("2026-11-27"))
    done = run_cli(
        "notify", friday["id"], "--barrier", "family", "--message", "Childcare fell through"
    )
    assert done.returncode == 0, done.stderr
    assert "marked excused" in done.stdout and "Queued" in done.stdout
    listed = json.loads(run_cli("outbox", "--json").stdout)
    assert [(n["occurrence"], n["state"], n["barrier"]) for n in listed] == [
        (friday["id"], "queued", "family_childcare")
    ]
    bad = run_cli("notify", "nope", "--barrier", "work")
    assert bad.returncode == 2 and bad.stderr.startswith("companion: no session")
    assert "Traceback" not in bad.stderr


def test_discard_waits_for_a_running_sync(
    program_profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notice being sent cannot be discarded under the sync's feet (it could reach the
    coordinator after the client dropped it)."""
    from companion.store.lock import outbox_lock

    monkeypatch.setattr(actions, "LOCK_WAIT_S", 0.2)
    notice = actions.notify(program_profile, occurrence(program_profile, "2026-11-27"), "work")
    with outbox_lock(program_profile.paths.lock_file, wait=1) as held:  # a sync, as it were
        assert held
        with pytest.raises(UserError, match="a sync is sending notices"):
            actions.discard(program_profile, notice.id)
    assert [e.id for e in actions.outbox(program_profile)] == [notice.id]
    actions.discard(program_profile, notice.id)
    assert actions.outbox(program_profile) == []
