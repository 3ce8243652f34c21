"""`companion journal protect --change` killed with SIGKILL at random points never locks
the client out: after each kill either the old or the new passphrase opens the journal,
and every reflection's text decrypts to what was written.

The real CLI runs in a subprocess. Half the kills land anywhere in a run (start-up, the
two Argon2id derivations, the transaction, the VACUUM after it); the other half wait until
the transaction has started writing to the WAL, then land within the next few hundred
milliseconds: inside the transaction, at its commit, or in the wipe that follows."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.actions import journal
from companion.actions.profile import Profile
from companion.paths import Paths

pytestmark = pytest.mark.slow
RUNS = 20
ROWS = 4000  # enough that rewriting them spills to the WAL before the commit
PASSPHRASES = ("blue kettle morning", "seven quiet rivers")


def text(n: int) -> tuple[str, str]:
    return f"Entry {n}:" + " what got in the way, in some words" * 8, f"plan {n}"


def opens_with(paths: Paths) -> tuple[str, dict[int, tuple[str, str]]]:
    """Which passphrase opens the journal now, and every text it decrypts to."""
    profile = Profile.open(paths)
    try:
        for candidate in PASSPHRASES:
            try:
                key = journal.unlock(profile, candidate)
            except journal.WrongPassphrase:
                continue
            found = journal.readable_reflections(profile, key)
            assert not any(r.locked for r in found), f"{candidate!r} opens the key, not all texts"
            return candidate, {r.id or 0: (r.what_happened, r.plan) for r in found}
        raise AssertionError("locked out: neither the old nor the new passphrase opens it")
    finally:
        profile.close()


def change(home: Path, old: str, new: str) -> subprocess.Popen:
    (home / "old.pass").write_text(old)
    (home / "new.pass").write_text(new)
    env = dict(os.environ, COMPANION_PASSPHRASE_FILE=str(home / "old.pass"))
    return subprocess.Popen(
        [sys.executable, "-m", "companion", "journal", "protect", "--change",
         "--passphrase-file", str(home / "new.pass")],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for_writes(wal: Path, proc: subprocess.Popen, limit: float) -> float:
    """Until the transaction writes its first pages to the WAL (or the run ends); when."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        try:
            if wal.stat().st_size > 0:
                break
        except FileNotFoundError:
            pass
        time.sleep(0.0005)
    return time.monotonic()


def test_change_killed_at_random_points_never_locks_out(paths: Paths, home: Path) -> None:
    expected = {}
    profile = Profile.open(paths)
    with profile.store.transaction():
        for n in range(ROWS):
            r = journal.add_reflection(profile, barriers=["work"], what_happened=text(n)[0],
                                       plan=text(n)[1])  # fmt: skip
            expected[r.id] = text(n)
    journal.protect(profile, PASSPHRASES[0])
    profile.close()

    wal = paths.database.with_name(paths.database.name + "-wal")
    started = time.monotonic()  # one run to the end: how long it takes, and how long writing
    done = change(home, PASSPHRASES[0], PASSPHRASES[1])
    writing = wait_for_writes(wal, done, 120)
    assert done.wait(timeout=120) == 0, done.stderr.read() if done.stderr else ""
    ended = time.monotonic()
    whole, writes = ended - started, max(ended - writing, 0.01)
    current, texts = opens_with(paths)
    assert current == PASSPHRASES[1] and texts == expected

    seed = random.randrange(2**32)
    rng = random.Random(seed)
    outcomes = []
    for run in range(RUNS):
        new = PASSPHRASES[1 - PASSPHRASES.index(current)]
        proc = change(home, current, new)
        if run % 2:
            wait_for_writes(wal, proc, whole * 2)
            time.sleep(rng.uniform(0, writes * 1.2))
        else:
            time.sleep(rng.uniform(0, whole))
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if proc.stderr:
            proc.stderr.close()
        now_opens, texts = opens_with(paths)
        assert texts == expected, f"run {run} (seed {seed}): texts changed"
        outcomes.append("finished" if finished else "new" if now_opens == new else "old")
        current = now_opens
    print(f"seed {seed}, a run {whole:.2f} s, writing {writes:.3f} s, outcomes {outcomes}")
