"""Delivery against the real server: offline then online, enrolment, SIGKILL fault
injection in the middle of a drain, and two syncs of one profile at once."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from companion.actions.notify import notify_occurrence
from companion.actions.profile import Profile
from companion.domain.catchup import TELL
from companion.domain.schedule import expand
from companion.store import repo_catchup, repo_outbox, repo_schedule
from tests.conftest import FROZEN_NOW, run_cli
from tests.sync.conftest import Enrolled, enrol
from tests.sync.harness import CHECKIN, FaultProxy, ProgramServer


def cli_json(*args: str) -> object:
    done = run_cli(*args, "--json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_offline_notify_queues_then_sync_delivers_once(enrolled: Enrolled) -> None:
    program, wednesday = enrolled.program, enrolled.occurrence_id("2026-11-25")
    program.stop()
    try:
        offline_then_online(enrolled, wednesday)
    finally:
        if program.process is None:
            program.start()


def offline_then_online(enrolled: Enrolled, wednesday: str) -> None:
    program = enrolled.program
    started = time.monotonic()
    done = run_cli("notify", wednesday, "--barrier", "technical", "--message", "Wifi died")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10  # returns at once even with the server down
    assert "marked missed" in done.stdout and "Queued" in done.stdout
    offline = run_cli("sync")
    assert offline.returncode == 1
    assert offline.stdout.startswith("Offline: cannot reach http://127.0.0.1")
    assert "1 notice stays queued" in offline.stdout
    [queued] = cli_json("outbox")  # type: ignore[misc]
    assert queued["state"] == "queued" and queued["attempts"] >= 1

    program.start()  # same port, same data: the server is back
    online = run_cli("sync")
    assert online.returncode == 0, online.stdout + online.stderr
    assert online.stdout.startswith("Synced: delivered 1 notice")
    [sent] = cli_json("outbox")  # type: ignore[misc]
    assert sent["state"] == "delivered" and sent["delivered_at"]
    [checklist] = cli_json("catchup")  # type: ignore[misc]
    tell = next(i for i in checklist["items"] if i["key"] == TELL)
    assert tell["done"], "delivery ticks 'tell the coordinator'"
    assert run_cli("sync").stdout.strip() == "Up to date."
    held = enrolled.server_notices()
    assert [(n["id"], n["message"]) for n in held] == [(queued["id"], "Wifi died")]


def test_enrol_stores_token_privately_and_refuses_bad_codes(
    profile: Profile, program: ProgramServer
) -> None:
    _, code = program.add_client("Sam K.")
    wrong = run_cli("enroll", program.url, "not-a-code")
    assert wrong.returncode == 2 and wrong.stderr.startswith("companion: enrolment refused:")
    assert "Traceback" not in wrong.stderr
    plain = run_cli("enroll", "http://example.org", code)
    assert plain.returncode == 2 and "https" in plain.stderr
    done = run_cli("enroll", program.url, code, "--device-name", "laptop")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Enrolled with Evening IOP as Sam K.: 1 series imported.")
    creds = profile.paths.credentials_file
    token = json.loads(creds.read_text())["token"]
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert token not in done.stdout + done.stderr
    assert token not in profile.paths.database.read_bytes().decode("latin-1")
    assert [s.title for s in repo_schedule.list_series(profile.store.conn)] == ["Process Group"]
    assert profile.program().name == "Evening IOP"
    again = run_cli("enroll", program.url, code)
    assert again.returncode == 2 and "already enrolled" in again.stderr
    gone = run_cli("unenroll")
    assert gone.returncode == 0 and not creds.exists()
    used = run_cli("enroll", program.url, code)  # a one-time code works once
    assert used.returncode == 2 and "enrolment refused" in used.stderr
    assert run_cli("sync").returncode == 2


def queue_checkins(e: Enrolled, count: int) -> list[str]:
    """``count`` after-the-fact notices about past daily check-ins; their ids."""
    series = repo_schedule.get_series(e.profile.store.conn, CHECKIN["uid"])
    assert series is not None
    past = expand(series, series.start, FROZEN_NOW - timedelta(hours=1))[:count]
    assert len(past) == count
    return [notify_occurrence(e.profile, occ, "forgot").id for occ in past]


def with_proxy(profile: Profile, program: ProgramServer) -> tuple[Enrolled, FaultProxy]:
    if not any(
        s["uid"] == CHECKIN["uid"] for s in program.coordinator("GET", "/v1/coordinator/series")
    ):  # type: ignore[union-attr]
        program.coordinator("POST", "/v1/coordinator/series", json=CHECKIN)
    proxy = FaultProxy(program.url)
    return enrol(profile, program, proxy.url), proxy


def sync_process() -> subprocess.Popen:
    env = dict(os.environ, COMPANION_NOW=FROZEN_NOW.isoformat())
    return subprocess.Popen(
        [sys.executable, "-m", "companion", "sync", "--json", "--timeout", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_sigkill_at_random_points_of_a_200_notice_drain(
    profile: Profile, program: ProgramServer
) -> None:
    e, proxy = with_proxy(profile, program)
    ids = queue_checkins(e, 200)
    rng = random.Random(20261126)
    current: dict[str, subprocess.Popen] = {}
    # Some kills land exactly between the server storing a notice and the client recording
    # the answer (the proxy kills the client before passing the answer on); the others at
    # random moments of the run.
    exact = {5, 61, 140}

    def kill_after_server_answered(method: str, path: str) -> None:
        if method == "POST" and proxy.posts() in exact and "p" in current:
            current["p"].send_signal(signal.SIGKILL)

    proxy.after_forward = kill_after_server_answered
    finished = False
    for run in range(60):
        proc = current["p"] = sync_process()
        if run % 2:  # every other run is also killed at a random moment
            try:
                proc.wait(timeout=rng.uniform(0.3, 1.2))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
        if proc.returncode == 0 and json.loads(out)["queued"] == 0:
            finished = True
            break
        assert proc.returncode in (-signal.SIGKILL, 1), err
    proxy.after_forward = None
    assert finished, "the drain never completed"
    assert proxy.posts() > 200, "no resend happened: the kill window was not exercised"
    held = e.server_notices()
    assert len(held) == 200 and {n["id"] for n in held} == set(ids)
    conn = e.profile.store.conn
    assert repo_outbox.counts(conn)["delivered"] == 200
    checklists = repo_catchup.list_checklists(conn)
    assert len(checklists) == 200
    assert all(next(i for i in c.items if i.key == TELL).done for c in checklists)
    proxy.close()


def test_two_syncs_at_once_send_each_notice_once(profile: Profile, program: ProgramServer) -> None:
    e, proxy = with_proxy(profile, program)
    ids = queue_checkins(e, 60)
    first, second = sync_process(), sync_process()
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert sorted(r["delivered"] for r in results) == [0, 60]
    assert proxy.posts() == 60, "a notice was sent twice"
    assert {n["id"] for n in e.server_notices()} == set(ids)
    proxy.close()


def test_revoked_device_keeps_its_notices_queued(enrolled: Enrolled) -> None:
    token = enrolled.token
    enrolled.program.admin("revoke-client", str(enrolled.client_id))
    done = run_cli("notify", enrolled.occurrence_id("2026-11-27"), "--barrier", "health")
    assert done.returncode == 0 and "Queued" in done.stdout
    failed = run_cli("sync")
    assert failed.returncode == 1
    assert failed.stdout.splitlines() == [
        "Sync failed: the server does not accept this device any more (revoked?): run "
        "`companion unenroll`, then enrol again with a new code.",
        "1 notice stays queued; nothing is lost.",
    ]
    assert token not in failed.stdout + failed.stderr
    [entry] = cli_json("outbox")  # type: ignore[misc]
    assert entry["state"] == "queued"


def test_server_restarted_mid_drain(profile: Profile, program: ProgramServer) -> None:
    e, proxy = with_proxy(profile, program)
    # The server's restart is the fault; the proxy only paces the drain (10 ms an answer)
    # so the restart lands mid-drain however fast the machine is.
    proxy.after_forward = lambda method, path: time.sleep(0.01)
    ids = queue_checkins(e, 150)
    proc = sync_process()
    deadline = time.monotonic() + 30
    while repo_outbox.counts(e.profile.store.conn)["delivered"] < 20:
        assert time.monotonic() < deadline and proc.poll() is None, "the drain did not start"
        time.sleep(0.02)
    program.stop()
    at_stop = repo_outbox.counts(e.profile.store.conn)["delivered"]
    assert at_stop < 150, "the drain finished before the server went down"
    program.start()
    out, err = proc.communicate(timeout=120)
    first = json.loads(out)
    assert first["state"] in ("ok", "offline", "failed"), err
    final = cli_json("sync")
    assert final["state"] == "ok" and final["queued"] == 0  # type: ignore[index]
    assert {n["id"] for n in e.server_notices()} == set(ids)
    assert len(e.server_notices()) == 150
    assert repo_outbox.counts(e.profile.store.conn)["delivered"] == 150
