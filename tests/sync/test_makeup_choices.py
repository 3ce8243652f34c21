"""Make-ups end to end against the real server (issue 14): the client picks one of the
slots a reply offers; the choice waits in the outbox while offline and is delivered once
(after a SIGKILL, with two syncs at once); the make-up is in the calendar feed under a
stable UID; present at the make-up turns the original absence made up on both sides."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import datetime, timedelta

import httpx

from companion.actions.notify import accept_makeup
from companion.domain.attendance import Status
from companion.domain.notices import makeup_uid
from companion.store import repo_makeup, repo_schedule, repo_sync
from sync.client import sync_now
from tests import clockshim
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.conftest import Enrolled, enrol
from tests.sync.harness import FaultProxy, ProgramServer
from tests.sync.test_delivery import sync_process

WEDNESDAY = datetime.fromisoformat("2026-11-25T23:00:00+00:00")  # 18:00 New York
SLOTS = [
    {"start": "2026-12-01T23:00:00Z", "end": "2026-12-02T00:30:00Z", "title": "Make-up A",
     "join_url": "https://meet.example.org/a"},
    {"start": "2026-12-03T23:00:00Z", "end": "2026-12-04T00:30:00Z", "title": "Make-up B",
     "join_url": "https://meet.example.org/b"},
]  # fmt: skip


def offered(e: Enrolled) -> int:
    """Jordan tells about Wednesday's missed group; the coordinator offers two slots;
    the client syncs. The reply's id."""
    done = run_cli("notify", e.occurrence_id("2026-11-25"), "--barrier", "technical")
    assert done.returncode == 0, done.stderr
    assert sync_now(e.profile).ok
    [sent] = [n for n in e.server_notices() if n["original_start"].startswith("2026-11-25")]
    e.program.coordinator("POST", f"/v1/coordinator/notices/{sent['id']}/reply",
                          json={"text": "Pick one.", "makeups": SLOTS})  # fmt: skip
    assert sync_now(e.profile).ok
    [reply] = repo_sync.list_replies(e.profile.store.conn)
    assert reply.makeup is not None and len(reply.makeup.all_slots()) == 2
    return reply.id


def feed(e: Enrolled) -> str:
    state = repo_sync.get_state(e.profile.store.conn)
    assert state is not None
    r = httpx.get(state.feed_url.replace("https://", "http://"), timeout=10)
    assert r.status_code == 200, r.text
    return r.text


def choices_held(program: ProgramServer) -> int:
    """How many make-up choices the server stored (audit: one line per stored choice)."""
    entries = program.coordinator("GET", "/v1/coordinator/audit", params={"limit": 500})
    rows = entries["entries"] if isinstance(entries, dict) else entries  # type: ignore[index]
    return sum(1 for r in rows if r["action"].startswith("makeup."))  # type: ignore[union-attr]


def test_offline_choice_is_delivered_once_and_joins_the_feed(enrolled: Enrolled) -> None:
    e, program = enrolled, enrolled.program
    reply_id = offered(e)
    before = choices_held(program)
    program.stop()
    try:
        done = run_cli("accept-makeup", str(reply_id), "2")
        assert done.returncode == 0, done.stderr
        assert "Added Make-up B on Thu 03 Dec 18:00-19:30" in done.stdout
        assert "Queued" in done.stdout
        offline = sync_now(e.profile, timeout=2)
        assert offline.state == "offline" and offline.queued == 1
    finally:
        program.start()
    online = sync_now(e.profile)
    assert online.ok and online.delivered == 1 and online.queued == 0
    assert online.delivered_words() == "1 make-up choice"  # not "1 notice"
    again = sync_now(e.profile)
    assert again.ok and again.delivered == 0
    assert choices_held(program) == before + 1
    uid = makeup_uid(reply_id)
    ics = feed(e)
    assert ics.count(f"UID:{uid}") == 1 and "20261203T180000" in ics
    series = repo_schedule.get_series(e.profile.store.conn, uid)
    assert series is not None and series.origin == "program"  # the server's copy replaced ours
    status = run_cli("status").stdout
    assert "make-up slot 1: Make-up A" in status and f"accept-makeup {reply_id} 1" in status
    assert "make-up slot 2: Make-up B Thu 03 Dec 18:00-19:30 (accepted)" in status
    # A slot that was not offered is refused at once, before anything is queued.
    bad = run_cli("accept-makeup", str(reply_id), "3")
    assert bad.returncode == 2 and "not slot 3" in bad.stderr


def test_sigkill_mid_delivery_and_two_syncs_store_each_choice_once(
    profile: object, program: ProgramServer
) -> None:
    proxy = FaultProxy(program.url)
    e = enrol(profile, program, proxy.url)  # type: ignore[arg-type]
    reply_id = offered(e)
    before = choices_held(program)
    accept_makeup(e.profile, reply_id, 1)
    current: dict[str, subprocess.Popen] = {}

    def kill_after_server_answered(method: str, path: str) -> None:
        if method == "POST" and path.startswith("/v1/makeup-choices") and "p" in current:
            current["p"].send_signal(signal.SIGKILL)

    proxy.after_forward = kill_after_server_answered
    proc = current["p"] = sync_process()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL  # the server stored it; the client never heard
    proxy.after_forward = None
    assert repo_makeup.queued(e.profile.store.conn) == 1
    first, second = sync_process(), sync_process()
    results = []
    for p in (first, second):
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    assert sorted(r["delivered"] for r in results) == [0, 1]
    assert choices_held(program) == before + 1  # resent after the kill, stored once
    posts = [p for m, p in proxy.log if m == "POST" and p.startswith("/v1/makeup-choices")]
    assert len(posts) == 2  # the killed try and its one resend
    proxy.close()


def test_present_at_the_makeup_is_made_up_on_both_sides(enrolled: Enrolled) -> None:
    e, program = enrolled, enrolled.program
    reply_id = offered(e)
    accept_makeup(e.profile, reply_id, 1)
    assert sync_now(e.profile).ok
    group = "group@evening.test"
    try:
        clockshim.set_now(program.clock, FROZEN_NOW + timedelta(days=5, hours=3))
        program._token = ""  # a new day: sign in again
        program.coordinator("POST", "/v1/coordinator/attendance", json={
            "series_uid": group, "original_start": "2026-11-25T23:00:00Z",
            "roster": [{"client_id": e.client_id, "status": "absent"}]})  # fmt: skip
        program.coordinator("POST", "/v1/coordinator/attendance", json={
            "series_uid": makeup_uid(reply_id), "original_start": "2026-12-01T23:00:00Z",
            "roster": [{"client_id": e.client_id, "status": "attended"}]})  # fmt: skip
    finally:
        clockshim.set_now(program.clock, FROZEN_NOW)
        program._token = ""
    assert sync_now(e.profile).ok
    conn = e.profile.store.conn
    marks = repo_schedule.marks(conn, WEDNESDAY, WEDNESDAY + timedelta(seconds=1))
    assert marks[(group, WEDNESDAY)] is Status.MADE_UP
    assert repo_schedule.mark_source(conn, group, WEDNESDAY) == "program"
    clients = program.coordinator("GET", "/v1/coordinator/clients")
    [me] = [c for c in clients if c["id"] == e.client_id]  # type: ignore[union-attr]
    assert me["week"]["missed"] == 0
