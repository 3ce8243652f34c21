"""A protected journal and the outbox, against the real server: a shared reflection is
sent with the journal locked, reaches the coordinator, and then leaves no copy in clear."""

from __future__ import annotations

import json
from pathlib import Path

from companion.actions import journal
from companion.actions.notify import notify
from companion.store import repo_outbox
from sync.client import push
from tests.cleartext import found_in
from tests.sync.conftest import Enrolled

PASS = "blue kettle morning"
SHARED = "The wifi dropped twice and I gave up trying to rejoin."
PRIVATE = "I did not want the group to see me crying."


def test_a_shared_reflection_is_delivered_locked_then_wiped_locally(
    enrolled: Enrolled, home: Path
) -> None:
    profile = enrolled.profile
    wednesday = enrolled.occurrence_id("2026-11-25")
    shared = journal.add_reflection(profile, barriers=["technical"], what_happened=SHARED)
    journal.add_reflection(profile, barriers=["emotional"], what_happened=PRIVATE)
    journal.protect(profile, PASS)
    key = journal.unlock(profile, PASS)
    enrolled.program.stop()  # offline: the notice waits, with its text, for delivery
    try:
        notice = notify(profile, wednesday, "technical", "", False, shared.id, key)
    finally:
        enrolled.program.start()
    del key  # the app's idle lock, in short: the outbox delivers without the passphrase
    assert found_in(home, PRIVATE) == []
    with profile.store.transaction() as conn:
        assert repo_outbox.waiting_with_shared_text(conn) == 1
    push(profile)
    [received] = enrolled.server_notices()
    assert SHARED in received["shared_reflection"]
    entry = repo_outbox.get(profile.store.conn, notice.id)
    assert entry is not None and entry.state.value in ("delivered", "acknowledged")
    assert json.loads(entry.payload)["shared_reflection"] is None
    assert found_in(home, SHARED, PRIVATE, "wifi dropped") == []
