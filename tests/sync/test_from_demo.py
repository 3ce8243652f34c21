"""Issue 11, from the demo to a real program, against a real server on a loopback port.

On main: load the demo, send a notice (queued, not enrolled), enrol: "Delivered 1 notice to
Evening IOP", the server stored a notice for ``individual@demo.companion``; the demo's
checklists and reflections stayed beside the program's. Now enrolling says what goes and
what stays, asks (or takes --replace-demo), and removes the demo in the same transaction.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys

import pytest

from companion.actions.demo import load_demo
from companion.actions.profile import Profile, UserError
from companion.paths import Paths
from companion.store import repo_demo, repo_outbox
from companion.store.db import Store
from sync.client import enroll, sync_now
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.conftest import Enrolled
from tests.sync.harness import ProgramServer


def dump(paths: Paths) -> str:
    conn = sqlite3.connect(paths.database)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def demo_with_own_data(paths: Paths) -> dict[str, str]:
    """The demo, a demo notice queued, and some data of the user's own."""
    assert run_cli("demo").returncode == 0
    sessions = json.loads(run_cli("sessions", "--json").stdout)
    upcoming = next(s for s in sessions if s["status"] == "upcoming" and "Individual" in s["title"])
    sent = run_cli("notify", upcoming["id"], "--barrier", "work", "--message", "demo notice")
    assert "once you enrol" in sent.stdout, sent.stdout
    own = run_cli("series", "add", "--title", "Yoga", "--start", "2026-12-02 08:00",
                  "--repeat", "Wed")  # fmt: skip
    assert own.returncode == 0, own.stderr
    missed = json.loads(run_cli("catchup", "--json").stdout)[0]["occurrence"]
    for argv in (["--what", "my own words"], ["--what", "about a demo session", "--occurrence",
                                             missed]):  # fmt: skip
        assert run_cli("journal", "add", *argv).returncode == 0
    return {"notice_session": upcoming["id"]}


def test_enrol_refuses_a_demo_profile_without_asking_and_changes_nothing(
    paths: Paths, program: ProgramServer
) -> None:
    demo_with_own_data(paths)
    _, code = program.add_client("Jordan R.")
    before = dump(paths)
    refused = run_cli("enroll", program.url, code)  # stdin is not a terminal: no one to ask
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 2 and len(lines) == 1, refused.stderr
    assert re.fullmatch(
        r"companion: This profile holds the demo program \(3 series, \d+ attendance marks, "
        r"3 catch-up checklists, 4 reflections, 1 queued notice\)\. Joining a program removes "
        r"all of it; its notices are never sent; your own 1 series and 2 reflections stay\. "
        r"To go ahead, run `companion enroll` again with --replace-demo; nothing was changed "
        r"and the code is still unused",
        lines[0],
    ), lines[0]
    assert dump(paths) == before
    # The code was not used up: it still enrols.
    done = run_cli("enroll", program.url, code, "--replace-demo")
    assert done.returncode == 0, done.stderr


def test_replace_demo_removes_every_trace_and_keeps_the_users_own(
    paths: Paths, program: ProgramServer
) -> None:
    demo_with_own_data(paths)
    _, code = program.add_client("Jordan R.")
    done = run_cli("enroll", program.url, code, "--replace-demo")
    assert done.returncode == 0, done.stderr
    removed, enrolled = done.stdout.splitlines()[:2]
    assert re.fullmatch(
        r"Removed the demo program: 3 series, \d+ attendance marks, 3 catch-up checklists, "
        r"4 reflections, 1 queued notice \(never sent\); your own 1 series and 2 reflections "
        r"stay\.",
        removed,
    ), removed
    assert enrolled == (
        "Enrolled with Evening IOP as Jordan R.: 1 series imported. `companion sync` keeps "
        "it current."
    )
    assert "demo.companion" not in dump(paths)
    series = json.loads(run_cli("series", "list", "--json").stdout)
    assert sorted(s["title"] for s in series) == ["Process Group", "Yoga"]
    reflections = json.loads(run_cli("journal", "list", "--json").stdout)
    assert sorted(r["what_happened"] for r in reflections) == [
        "about a demo session",
        "my own words",
    ]
    assert all(r["occurrence"] is None for r in reflections)
    assert json.loads(run_cli("catchup", "--all", "--json").stdout) == []
    assert json.loads(run_cli("outbox", "--json").stdout) == []
    synced = run_cli("sync", "--json")
    assert synced.returncode == 0 and json.loads(synced.stdout)["delivered"] == 0
    token = json.loads(paths.credentials_file.read_text())["token"]
    assert program.notices_of(token) == []
    status = run_cli("status").stdout
    assert "Evening IOP" in status and "Catch up:" not in status


def ask_at_a_terminal(argv: list[str], answer: str) -> tuple[int, str]:
    """Run the CLI with a terminal as stdin, type ``answer``; (exit status, all output)."""
    leader, follower = pty.openpty()
    env = dict(os.environ, COMPANION_NOW=FROZEN_NOW.isoformat())
    proc = subprocess.Popen([sys.executable, "-m", "companion", *argv], stdin=follower,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    os.close(follower)
    os.write(leader, answer.encode() + b"\n")
    out, _ = proc.communicate(timeout=60)
    os.close(leader)
    return proc.returncode, out.decode()


def test_enrol_asks_at_a_terminal(paths: Paths, program: ProgramServer) -> None:
    demo_with_own_data(paths)
    _, code = program.add_client("Jordan R.")
    before = dump(paths)
    status, out = ask_at_a_terminal(["enroll", program.url, code], "n")
    assert status == 1 and "This profile holds the demo program (3 series" in out
    assert "Remove the demo and enrol? [y/N]" in out
    assert "Nothing changed; the code is still unused." in out
    assert dump(paths) == before
    status, out = ask_at_a_terminal(["enroll", program.url, code], "y")
    assert status == 0 and "Enrolled with Evening IOP" in out, out
    assert "demo.companion" not in dump(paths)


def test_the_demo_refuses_an_enrolled_profile(enrolled: Enrolled) -> None:
    with pytest.raises(UserError, match="is enrolled with http://127.0.0.1"):
        load_demo(enrolled.profile)
    assert run_cli("demo").returncode == 2


def test_a_demo_notice_is_never_delivered_whatever_the_store_holds(enrolled: Enrolled) -> None:
    """Belt and braces: even a demo notice that got into an enrolled profile stays put."""
    profile = enrolled.profile
    occ = enrolled.occurrence_id("2026-11-30")
    assert run_cli("notify", occ, "--barrier", "work").returncode == 0
    [entry] = repo_outbox.list_entries(profile.store.conn)
    with profile.store.transaction() as conn:
        conn.execute("UPDATE outbox SET state = 'queued' WHERE id = ?", (entry.id,))
        repo_demo.mark_series(conn, entry.notice.series_uid)
    delivered_before = len(enrolled.server_notices())
    assert sync_now(profile).delivered == 0
    assert len(enrolled.server_notices()) == delivered_before


def test_enroll_without_replace_demo_is_refused_before_the_server_is_asked(
    profile: Profile,
) -> None:
    load_demo(profile)
    with pytest.raises(UserError, match="--replace-demo"):
        enroll(profile, "https://unreachable.invalid", "CODE")


# What the migrations after V4 added, taken out again: a profile as an older version left it.
BACK_TO_V4 = (
    "DROP TABLE demo_series; ALTER TABLE reflection DROP COLUMN demo; DROP TABLE set_aside; "
    "ALTER TABLE sync_state DROP COLUMN discreet_sent; "
    "ALTER TABLE sync_state DROP COLUMN discreet_default; "
    "DROP TABLE journal_key; ALTER TABLE reflection DROP COLUMN what_sealed; "
    "ALTER TABLE reflection DROP COLUMN plan_sealed; "
    "DROP TABLE crisis_contact; DROP TABLE help_now; "
    "DROP TABLE makeup_choice; ALTER TABLE makeup_offer DROP COLUMN slots; "
    "ALTER TABLE makeup_offer DROP COLUMN chosen_slot; "
    "ALTER TABLE makeup_offer DROP COLUMN declined_at; "
    "ALTER TABLE material DROP COLUMN note; ALTER TABLE sync_state DROP COLUMN added_at; "
)


def test_a_demo_loaded_by_an_older_version_is_recognised(paths: Paths, profile: Profile) -> None:
    """Client migration V5 marks the demo of a profile an older version filled."""
    load_demo(profile)
    fresh = repo_demo.counts(profile.store.conn)
    profile.close()
    conn = sqlite3.connect(paths.database)
    conn.executescript(BACK_TO_V4 + "PRAGMA user_version=4;")
    conn.execute("INSERT INTO reflection (created, barriers, what_happened, plan) VALUES "
                 "('2026-11-20T10:00:00Z', '[]', 'mine', 'Ask my sister')")  # fmt: skip
    conn.commit()
    conn.close()
    with Store(paths.database) as store:
        found = repo_demo.counts(store.conn)
    assert fresh is not None and found is not None
    assert dataclasses.replace(found, own_reflections=0) == fresh
    assert found.own_reflections == 1  # the user's own words, even on a demo plan, stay


def test_v5_marks_nothing_in_a_profile_without_the_demo(paths: Paths) -> None:
    with Store(paths.database, migrate=False) as store:
        store.migrate(target=4)
        with store.transaction() as conn:
            conn.execute("INSERT INTO reflection (created, barriers, what_happened, plan) "
                         "VALUES ('2026-11-20T10:00:00Z', '[]', 'Nearly missed it: x', "
                         "'Ask my sister for Wednesday evenings; tell the family my "
                         "schedule.')")  # fmt: skip
    with Store(paths.database) as store:
        assert repo_demo.counts(store.conn) is None


def test_v5_clears_the_demo_an_older_version_left_in_an_enrolled_profile(paths: Paths) -> None:
    """On main, enrolling left the demo's checklists, marks and reflections behind."""
    demo_with_own_data(paths)
    conn = sqlite3.connect(paths.database)
    conn.executescript(
        BACK_TO_V4  # and the demo's series gone, as enrolling removed them
        + "DELETE FROM series WHERE uid LIKE '%@demo.companion'; "
        "INSERT INTO sync_state (id, server_url, enrolled_at) VALUES "
        "(1, 'https://iop.example.org', '2026-11-20T10:00:00Z'); PRAGMA user_version=4;"
    )
    conn.close()
    with Store(paths.database) as store:
        assert repo_demo.counts(store.conn) is None
        text = "\n".join(store.conn.iterdump())
        own = [r[0] for r in store.conn.execute("SELECT what_happened FROM reflection")]
    assert "demo.companion" not in text
    assert sorted(own) == ["about a demo session", "my own words"]
