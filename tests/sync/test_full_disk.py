"""`companion sync` on a full disk (a real small tmpfs) against a real server: one line,
exit 2; once there is space again the notice is delivered, exactly once (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.actions.notify import notify
from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.paths import Paths
from companion.store import repo_outbox
from tests.conftest import FROZEN_NOW, run_cli
from tests.machine import fill, small_disk
from tests.sync.conftest import enrol
from tests.sync.harness import ProgramServer


@pytest.mark.slow
def test_sync_on_a_full_disk_says_so_and_delivers_once_there_is_room(
    tmp_path: Path, program: ProgramServer
) -> None:
    with small_disk(tmp_path / "disk", 768) as disk:
        home = disk / "profile"
        paths = Paths(home / "data", home / "config")
        profile = Profile.open(paths, clock=fixed_clock(FROZEN_NOW))
        try:
            enrolled = enrol(profile, program)
            occ = enrolled.occurrence_id("2026-11-30")
            notify(profile, occ, "work", "shift moved")  # queued, not sent yet
            token = enrolled.token
        finally:
            profile.close()
        env = {"COMPANION_HOME": str(home)}
        fill(disk)
        synced = run_cli("sync", env=env)
        lines = synced.stderr.strip().splitlines()
        assert synced.returncode == 2 and len(lines) == 1, synced.stderr
        assert "the disk holding" in lines[0] and "is full; free some space" in lines[0]
        assert "Traceback" not in synced.stderr
        (disk / "filler").unlink()
        again = run_cli("sync", env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(program.notices_of(token)) == 1
        reopened = Profile.open(paths, clock=fixed_clock(FROZEN_NOW))
        try:
            [entry] = repo_outbox.list_entries(reopened.store.conn)
            assert entry.notice.state.value == "delivered"
        finally:
            reopened.close()
