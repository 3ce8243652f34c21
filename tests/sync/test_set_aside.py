"""Issue 10 on the client: one bad change never stops the rest.

Bad changes are put straight into the program server's change log, as a server from
before the bounds stored them (a sequence no database holds, a SECONDLY rule, a
``javascript:`` link); the real ``companion sync`` must apply everything else, say one line
per change it set aside, and move its cursor on."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from companion.actions.profile import Profile
from companion.store import repo_schedule, repo_setaside, repo_sync
from sync.client import enroll, sync_now
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from sync.server.storage.tables import stamp
from tests.conftest import run_cli
from tests.sync.conftest import Enrolled
from tests.sync.harness import GROUP, ProgramServer

FRI = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # the Process Group, tomorrow at 18:00


def inject(program: ProgramServer, *changes: dict) -> None:
    """Changes as a server from before the bounds stored them: straight into its log."""
    engine = make_engine(f"sqlite:///{program.home / 'server.sqlite3'}")
    try:
        with transaction(engine) as tx:
            [row] = tx.programs()
            bodies = [(None, json.dumps(c)) for c in changes]
            tx.append_changes(row.id, bodies, stamp(datetime.now(UTC)))
    finally:
        engine.dispose()


def counter(program: ProgramServer) -> str:
    """The program's change counter: the cursor of a client that has seen everything."""
    engine = make_engine(f"sqlite:///{program.home / 'server.sqlite3'}")
    try:
        with transaction(engine) as tx:
            [row] = tx.programs()
            return str(row.last_change)
    finally:
        engine.dispose()


def bad_series(uid: str, **fields: object) -> dict:
    return {"type": "series", "series": dict(GROUP, uid=uid, **fields)}


def test_a_bad_change_is_set_aside_and_the_rest_applies(enrolled: Enrolled) -> None:
    program = enrolled.program
    inject(
        program,
        bad_series("huge@evening.test", sequence=10**19),
        bad_series("secondly@evening.test", rrule="FREQ=SECONDLY"),
        bad_series("script@evening.test", join_url="javascript:alert(1)"),
        {"type": "something new"},
    )
    program.coordinator("POST", "/v1/coordinator/materials", json={
        "series_uid": GROUP["uid"], "original_start": "2026-11-27T23:00:00Z",
        "kind": "handout", "title": "Coping skills", "url": "https://example.org/h.pdf",
    })  # fmt: skip

    done = run_cli("sync")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    # No checklist shows it yet (the session is ahead): the sync says where it will be.
    assert lines[0] == (
        "Synced: received 1 material for a catch-up checklist if you miss that session."
    )
    assert lines[1:] == [
        "Set aside a series 'huge@evening.test' change from the server: "
        "series.sequence: Input should be less than or equal to 2147483647.",
        "Set aside a series 'secondly@evening.test' change from the server: series: "
        "sessions cannot repeat more often than daily (FREQ=SECONDLY); "
        "use one series per session time.",
        "Set aside a series 'script@evening.test' change from the server: "
        "series.join_url: must be an https:// or http:// link (or empty).",
        "Set aside a something new change from the server: Input tag 'something new' found "
        "using 'type' does not match any of the expected tags: 'series', 'series_removed', "
        "'material', 'material_withdrawn', 'reply', 'attendance', 'crisis_contacts'.",
    ]
    conn = enrolled.profile.store.conn
    assert {s.uid for s in repo_schedule.list_series(conn)} == {GROUP["uid"]}
    assert repo_setaside.count(conn) == 4
    again = run_cli("sync")  # the cursor moved on: nothing replayed, nothing said twice
    assert (again.returncode, again.stdout.strip()) == (0, "Up to date.")


def test_the_changes_after_a_bad_one_apply_in_order(enrolled: Enrolled) -> None:
    """A series set aside does not block a later, good version of the same series."""
    program = enrolled.program
    good = dict(GROUP, uid="fixed@evening.test", title="Fixed later")
    inject(program, bad_series("fixed@evening.test", sequence=-5),
           {"type": "series", "series": good})  # fmt: skip
    result = sync_now(enrolled.profile, timeout=5)
    assert result.ok and result.changes.schedule == 1 and len(result.changes.set_aside) == 1
    fixed = repo_schedule.get_series(enrolled.profile.store.conn, "fixed@evening.test")
    assert fixed is not None and fixed.title == "Fixed later"
    state = repo_sync.get_state(enrolled.profile.store.conn)
    assert state is not None and state.cursor == counter(program)


class _OldServer:
    """An older program server that still hands out a series no client can use."""

    def __init__(self, body: dict) -> None:
        payload = json.dumps(body).encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def old_server() -> Iterator[_OldServer]:
    answer = {
        "token": "t" * 43, "feed_url": "https://x.example/v1/feeds/f.ics",
        "client_name": "Jordan R.", "cursor": "7",
        "program": {"name": "Evening IOP", "timezone": "America/New_York"},
        "schedule": [GROUP, dict(GROUP, uid="bad@evening.test", rrule="FREQ=MINUTELY")],
    }  # fmt: skip
    server = _OldServer(answer)
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_enrolment_sets_aside_a_series_it_cannot_use(profile: Profile, old_server) -> None:
    done = enroll(profile, old_server.url, "ABCD-EFGH-JKLM")
    assert done.series == 1 and len(done.set_aside) == 1
    conn = profile.store.conn
    assert [s.uid for s in repo_schedule.list_series(conn)] == [GROUP["uid"]]
    [aside] = repo_setaside.recent(conn)
    assert (aside.kind, aside.about) == ("series", "bad@evening.test")
    assert "more often than daily" in aside.reason
