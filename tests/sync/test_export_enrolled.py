"""`companion export` of an enrolled profile: the notices sent, the coordinator's reply
with its materials and make-up offer, and the program's crisis contacts are all in it;
the token and the feed address are not; and exporting makes no request to the server."""

from __future__ import annotations

import json

from companion.actions.journal import add_reflection
from companion.actions.notify import notify
from sync.client import sync_now
from tests.conftest import run_cli
from tests.sync.conftest import Enrolled
from tests.sync.harness import FaultProxy
from tests.sync.test_help_now_sync import AFTER_HOURS, set_on_server


def test_an_enrolled_profile_exports_everything_and_asks_nothing(enrolled: Enrolled) -> None:
    e, program = enrolled, enrolled.program
    profile = e.profile
    mine = add_reflection(profile, barriers=["work"], what_happened="Shift ran late.", mood=3)
    sent = notify(profile, e.occurrence_id("2026-11-25"), "work", "Shift moved", makeup=True,
                  share_reflection_id=mine.id)  # fmt: skip
    assert sync_now(profile, timeout=5).delivered == 1
    program.coordinator("POST", f"/v1/coordinator/notices/{sent.id}/reply", json={
        "text": "Thanks. <b>Here</b> is the handout.",
        "makeup": {"start": "2026-11-28T15:00:00Z", "end": "2026-11-28T16:00:00Z",
                   "title": "Make-up group"},
        "materials": [{"title": "Week 8 handout", "url": "https://files.example.org/h8.pdf"}],
    })  # fmt: skip
    set_on_server(program, AFTER_HOURS)
    try:
        assert sync_now(profile, timeout=5).ok
        token = e.token
        state = profile.store.conn.execute("SELECT server_url, feed_url FROM sync_state").fetchone()
        # every request from here on goes through a proxy that logs it
        proxy = FaultProxy(program.url)
        profile.store.conn.execute("UPDATE sync_state SET server_url = ?", (proxy.url,))
        out = run_cli("export")
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        md = run_cli("export", "--format", "markdown").stdout
        assert proxy.log == []  # nothing was sent
        proxy.close()
    finally:
        set_on_server(program)
    assert token not in out.stdout + md and state["feed_url"] not in out.stdout + md
    [notice] = data["notices"]
    assert (notice["id"], notice["state"], notice["makeup"]) == (sent.id, "acknowledged", True)
    assert "Shift ran late." in notice["shared_reflection"]
    [reply] = data["replies"]
    assert reply["text"] == "Thanks. <b>Here</b> is the handout."
    assert reply["materials"] == [{"title": "Week 8 handout",
                                   "url": "https://files.example.org/h8.pdf"}]  # fmt: skip
    assert reply["makeup"]["title"] == "Make-up group" and reply["makeup"]["accepted"] is False
    assert data["crisis_contacts"][0]["name"] == AFTER_HOURS["name"]
    assert data["help_now"][0].startswith("After-hours line — call +1 212 555 0100")
    assert data["enrolment"]["server_url"] == proxy.url
    assert "> Thanks. \\<b\\>Here\\</b\\> is the handout." in md
    assert "make-up offered: Make-up group" in md
