"""Materials with the real server and the real client: a material reaches the session's
catch-up checklist whether it came before the miss or after the checklist was made (an
excused session's too, with the coordinator's note); a corrected one replaces the old one
and a withdrawn one disappears on the next sync."""

from __future__ import annotations

from datetime import datetime

from companion.actions.notify import notify
from companion.actions.schedule import mark
from companion.domain.attendance import Status
from companion.store import repo_catchup, repo_sync
from sync.client import sync_now
from tests.conftest import FROZEN_NOW
from tests.sync.conftest import Enrolled
from tests.sync.harness import GROUP

MON, WED = "2026-11-23T23:00:00Z", "2026-11-25T23:00:00Z"
FRI = "2026-11-27T23:00:00Z"  # tomorrow, on the clients' frozen clock


def attach(e: Enrolled, start: str, title: str, url: str, kind: str = "handout",
           note: str = "") -> int:  # fmt: skip
    made = e.program.coordinator("POST", "/v1/coordinator/materials", json={
        "series_uid": GROUP["uid"], "original_start": start, "kind": kind, "title": title,
        "url": url, "note": note,
    })  # fmt: skip
    assert isinstance(made, dict)
    return int(made["id"])


def links(e: Enrolled, day: str) -> dict[str, str]:
    original = datetime.fromisoformat(day.replace("Z", "+00:00"))
    checklist = repo_catchup.get_checklist(e.profile.store.conn, GROUP["uid"], original)
    assert checklist is not None
    return {i.text: i.link for i in checklist.items if i.link}


def test_a_material_before_the_miss_and_after_the_checklist_reaches_it(
    enrolled: Enrolled,
) -> None:
    e = enrolled
    assert e.profile.now() == FROZEN_NOW
    # Before the miss: the material waits in the store, then the checklist has it.
    attach(e, MON, "Week 8 handout", "https://files.example.org/h8.pdf")
    waiting = sync_now(e.profile, timeout=5).changes
    # Shown nowhere yet, so not counted as shown: kept for the checklist.
    assert (waiting.materials, waiting.materials_kept) == (0, 1)
    mark(e.profile, e.occurrence_id("2026-11-23"), Status.MISSED)
    assert links(e, MON) == {"do the handout: Week 8 handout": "https://files.example.org/h8.pdf"}
    # After the checklist: it appears on the next sync.
    mark(e.profile, e.occurrence_id("2026-11-25"), Status.MISSED)
    assert links(e, WED) == {}
    attach(e, WED, "Notes of 25 Nov", "https://files.example.org/n25.pdf", kind="notes")
    assert sync_now(e.profile, timeout=5).changes.materials == 1
    assert links(e, WED) == {"read the notes: Notes of 25 Nov": "https://files.example.org/n25.pdf"}


def test_a_corrected_material_replaces_the_old_and_a_withdrawn_one_disappears(
    enrolled: Enrolled,
) -> None:
    e = enrolled
    mark(e.profile, e.occurrence_id("2026-11-25"), Status.MISSED)
    mid = attach(e, WED, "Week 8 handuot", "https://files.example.org/wrong.pdf")
    other = attach(e, WED, "Recording", "https://files.example.org/rec", kind="recording")
    sync_now(e.profile, timeout=5)
    assert len(links(e, WED)) == 2

    e.program.coordinator("PUT", f"/v1/coordinator/materials/{mid}", json={
        "kind": "handout", "title": "Week 8 handout", "url": "https://files.example.org/h8.pdf",
    })  # fmt: skip
    assert sync_now(e.profile, timeout=5).changes.materials == 1
    assert links(e, WED) == {
        "do the handout: Week 8 handout": "https://files.example.org/h8.pdf",
        "watch the recording: Recording": "https://files.example.org/rec",
    }
    stored = {m["id"]: m["url"] for m in repo_sync.all_materials(e.profile.store.conn)}
    assert stored[mid] == "https://files.example.org/h8.pdf"

    e.program.coordinator("DELETE", f"/v1/coordinator/materials/{other}")
    assert sync_now(e.profile, timeout=5).changes.materials == 1
    assert links(e, WED) == {"do the handout: Week 8 handout": "https://files.example.org/h8.pdf"}
    assert other not in {m["id"] for m in repo_sync.all_materials(e.profile.store.conn)}
    # Nothing new: a second sync changes nothing.
    assert sync_now(e.profile, timeout=5).changes.total == 0


def test_an_excused_session_gets_its_checklist_with_the_material_and_its_note(
    enrolled: Enrolled,
) -> None:
    e = enrolled
    # Told ahead (excused): nothing to catch up on yet, so no checklist.
    notify(e.profile, e.occurrence_id("2026-11-27"), "work_school")
    assert sync_now(e.profile, timeout=5).ok
    assert repo_catchup.get_checklist(e.profile.store.conn, GROUP["uid"], when(FRI)) is None
    attach(e, FRI, "Week 9 handout", "https://files.example.org/h9.pdf", note="pages 2-4")
    got = sync_now(e.profile, timeout=5).changes
    assert (got.materials, got.materials_kept) == (1, 0)  # shown, not "kept if you miss it"
    assert links(e, FRI) == {
        "do the handout: Week 9 handout (pages 2-4)": "https://files.example.org/h9.pdf"
    }


def test_a_material_already_here_makes_the_checklist_of_an_advance_notice(
    enrolled: Enrolled,
) -> None:
    e = enrolled
    attach(e, FRI, "Notes of 27 Nov", "https://files.example.org/n27.pdf", kind="notes")
    assert sync_now(e.profile, timeout=5).changes.materials_kept == 1
    notify(e.profile, e.occurrence_id("2026-11-27"), "health")
    assert links(e, FRI) == {"read the notes: Notes of 27 Nov": "https://files.example.org/n27.pdf"}


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
