"""``serve --workers N``: the workers live exactly as long as their supervisor. SIGKILL to
the supervisor leaves no worker serving, and a new ``serve`` on the same port binds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.server.served import running, serve


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """The pids still running after ``timeout`` seconds (polling)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if running(p)]
        if not alive:
            return []
        time.sleep(0.1)
    return [p for p in pids if running(p)]


@pytest.mark.slow
def test_workers_stop_when_the_supervisor_is_killed_and_a_restart_binds(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with serve(tmp_path / "first.log", "--db", db_url, "--workers", "2") as first:
        workers = first.workers()
        assert len(workers) == 2
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
        assert wait_gone(workers, timeout=8) == [], "workers outlived their supervisor"
        with pytest.raises(httpx.TransportError):
            httpx.get(first.url + "/healthz", timeout=2)
        with serve(
            tmp_path / "second.log", "--db", db_url, "--workers", "2", port=first.port
        ) as second:
            assert httpx.get(second.url + "/healthz", timeout=5).status_code == 200
            assert set(second.workers()).isdisjoint(workers)
        assert "already in use" not in second.stderr


@pytest.mark.slow
def test_terminating_the_supervisor_stops_its_workers(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with serve(tmp_path / "serve.log", "--db", db_url, "--workers", "2") as served:
        workers = served.workers()
        served.proc.terminate()
        assert served.proc.wait(timeout=20) == 0
        assert wait_gone(workers, timeout=5) == []


CHILD = textwrap.dedent(
    """
    import time
    from sync.server.process import follow_supervisor
    follow_supervisor(kernel=False)
    print("watching", flush=True)
    time.sleep(60)
    """
)
PARENT = textwrap.dedent(
    """
    import os, subprocess, sys, time
    from sync.server.process import mark_supervisor
    mark_supervisor()
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline() == "watching\\n"
    print(child.pid, flush=True)
    time.sleep(60)
    """
)


def test_without_the_kernels_help_a_worker_still_notices_its_supervisor_die() -> None:
    """The portable watch (a thread polling getppid), as other systems than Linux get it."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ),
    )  # fmt: skip
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert running(child)
        parent.kill()
        parent.wait(timeout=10)
        assert wait_gone([child], timeout=5) == []
    finally:
        if parent.poll() is None:
            parent.kill()
        if parent.stdout is not None:
            parent.stdout.close()
