"""The changes feed: what a coordinator does through the server's API reaches the client
after one sync, and a second sync with nothing new changes nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

from companion.actions.notify import notify
from companion.actions.profile import Profile
from companion.actions.schedule import mark
from companion.clock import fixed_clock
from companion.domain.attendance import Status
from companion.domain.catchup import TELL
from companion.store import repo_catchup, repo_schedule
from sync.client import sync_now
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.conftest import Enrolled
from tests.sync.harness import GROUP

MON, WED, FRI, NEXT_MON = (f"2026-11-{d}T23:00:00Z" for d in (23, 25, 27, 30))


def snapshot(path: str) -> dict[str, list[tuple]]:
    """Every table's rows, except when the last sync ran."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}")), key=repr) for t in tables}
        out["sync_state"] = list(conn.execute("SELECT server_url, cursor FROM sync_state"))
        return out
    finally:
        conn.close()


def cli_json(*args: str) -> object:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_coordinator_changes_reach_the_client_once(enrolled: Enrolled) -> None:
    e, program = enrolled, enrolled.program
    profile = e.profile
    monday = e.occurrence_id("2026-11-23")
    mark(profile, monday, Status.MISSED)  # the client's own, provisional mark
    wed = notify(profile, e.occurrence_id("2026-11-25"), "technical", "Wifi died", makeup=True)
    fri = notify(profile, e.occurrence_id("2026-11-27"), "work", "Shift moved")
    assert sync_now(profile, timeout=5).delivered == 2

    program.coordinator(
        "POST",
        f"/v1/coordinator/notices/{wed.id}/reply",
        json={
            "text": "Thanks for letting us know. Here is the handout.",
            "makeup": {
                "start": "2026-11-28T15:00:00Z",
                "end": "2026-11-28T16:00:00Z",
                "join_url": "https://meet.example.org/makeup",
                "title": "Make-up group",
            },
            "materials": [{"title": "Week 8 handout", "url": "https://files.example.org/h8.pdf"}],
        },
    )
    program.coordinator("POST", f"/v1/coordinator/notices/{fri.id}/ack")
    program.coordinator(
        "POST",
        "/v1/coordinator/materials",
        json={
            "series_uid": GROUP["uid"],
            "original_start": WED,
            "kind": "notes",
            "title": "Notes of 25 Nov",
            "url": "https://files.example.org/n25.pdf",
        },
    )
    moved = dict(GROUP, join_url="https://meet.example.org/group-new")
    program.coordinator("PUT", f"/v1/coordinator/series/{GROUP['uid']}", json=moved)
    program.coordinator(
        "POST", f"/v1/coordinator/series/{GROUP['uid']}/cancel", json={"original_start": NEXT_MON}
    )
    program.coordinator(
        "POST",
        "/v1/coordinator/attendance",
        json={
            "series_uid": GROUP["uid"],
            "original_start": MON,
            "roster": [{"client_id": e.client_id, "status": "attended"}],
        },
    )

    first = cli_json("sync")
    assert first["state"] == "ok"  # type: ignore[index]
    changes = first["changes"]  # type: ignore[index]
    assert changes["replies"] == 2 and changes["materials"] == 1 and changes["attendance"] == 1
    assert changes["schedule"] >= 1

    # The reply, its make-up offer and its materials show in `companion status`.
    status = cli_json("status")
    replies = {r["notice_id"]: r for r in status["replies"]}  # type: ignore[index]
    assert replies[wed.id]["text"] == "Thanks for letting us know. Here is the handout."
    assert replies[wed.id]["makeup"]["title"] == "Make-up group"
    assert replies[wed.id]["materials"] == [
        {"title": "Week 8 handout", "url": "https://files.example.org/h8.pdf"}
    ]
    assert replies[fri.id]["status"] == "acknowledged"
    text = run_cli("status").stdout
    assert "From your coordinator:" in text and "Thanks for letting us know" in text
    assert f"companion accept-makeup {replies[wed.id]['id']}" in text
    states = {n["id"]: n["state"] for n in cli_json("outbox")}  # type: ignore[union-attr]
    assert states == {wed.id: "acknowledged", fri.id: "acknowledged"}

    # Materials became links on the missed session's checklist, which the notice ticked.
    conn = profile.store.conn
    checklist = repo_catchup.get_checklist(conn, wed.series_uid, wed.original_start)
    assert checklist is not None
    links = {i.text: i.link for i in checklist.items if i.link}
    assert links == {
        "read the notes: Notes of 25 Nov": "https://files.example.org/n25.pdf",
        "look at: Week 8 handout": "https://files.example.org/h8.pdf",
    }
    assert next(i for i in checklist.items if i.key == TELL).done

    # The schedule change and the cancellation; the program's attendance replaced the
    # client's provisional mark (and the untouched checklist went with it).
    sessions = {
        s["start"][:10]: s
        for s in cli_json("sessions", "--from", "2026-11-23", "--to", "2026-12-01")
    }  # type: ignore[union-attr]
    assert sessions["2026-11-30"]["status"] == "cancelled"
    assert sessions["2026-11-27"]["join_url"] == "https://meet.example.org/group-new"
    assert sessions["2026-11-23"]["status"] == "attended"
    monday_start = wed.original_start - timedelta(days=2)
    assert repo_schedule.mark_source(conn, GROUP["uid"], monday_start) == "program"
    assert repo_catchup.get_checklist(conn, GROUP["uid"], monday_start) is None

    before = snapshot(str(profile.paths.database))
    again = run_cli("sync")
    assert again.returncode == 0 and again.stdout.strip() == "Up to date."
    assert snapshot(str(profile.paths.database)) == before

    # Accepting the make-up adds it to the schedule.
    took = run_cli("accept-makeup", str(replies[wed.id]["id"]))
    assert took.returncode == 0 and "Make-up group on Sat 28 Nov 10:00-11:00" in took.stdout
    assert "accepted" in run_cli("status").stdout


def test_checklist_made_after_delivery_starts_with_tell_ticked(enrolled: Enrolled) -> None:
    """An advance notice was delivered; marking the session missed later starts its
    checklist with "tell the coordinator" already done."""
    fri = notify(enrolled.profile, enrolled.occurrence_id("2026-11-27"), "work")
    assert sync_now(enrolled.profile, timeout=5).delivered == 1
    later = Profile.open(enrolled.profile.paths, clock=fixed_clock(FROZEN_NOW + timedelta(days=2)))
    try:
        mark(later, enrolled.occurrence_id("2026-11-27"), Status.MISSED)
        checklist = repo_catchup.get_checklist(later.store.conn, fri.series_uid, fri.original_start)
        assert checklist is not None
        assert [i.key for i in checklist.items if i.done] == [TELL]
    finally:
        later.close()
