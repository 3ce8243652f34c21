"""``companion-server serve`` in a real subprocess, for the tests of what the process
itself does (connection limits, workers, files): started on a free loopback port, up
once /healthz answers, and stopped (with any worker left over) afterwards."""

from __future__ import annotations

import json
import os
import resource
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.server.conftest import free_port


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    port: int
    started: dict[str, Any]
    log: Path

    @property
    def stderr(self) -> str:
        return self.log.read_text()

    def workers(self) -> list[int]:
        """The worker processes of ``--workers N`` (children running the server)."""
        return [pid for pid in children(self.proc.pid) if "spawn_main" in cmdline(pid)]


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may wait for a reaper that never comes)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def with_nofile(limit: int) -> Callable[[], None]:
    """A preexec_fn: the child runs under ``ulimit -n limit`` (soft and hard)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return apply


def wait_healthy(
    url: str, proc: subprocess.Popen[str], log: Path, timeout: float = 30,
    verify: ssl.SSLContext | bool = True,
) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1, verify=verify).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"serve did not answer /healthz: {log.read_text()}")


@contextmanager
def serve(
    log: Path,
    *args: str,
    port: int | None = None,
    preexec_fn: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
    scheme: str = "http",
    verify: ssl.SSLContext | bool = True,
) -> Iterator[Served]:
    """Run ``companion-server serve --json ARGS`` until the block ends (``scheme`` https
    with ``--tls-cert``; ``verify``: what /healthz is checked with)."""
    port = port or free_port()
    err = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "serve", "--port", str(port), "--json", *args],
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        env=dict(os.environ, **(env or {})),
        preexec_fn=preexec_fn,
    )
    leftovers: list[int] = []
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, f"serve printed nothing: {log.read_text()}"
        started = json.loads(line)
        url = f"{scheme}://127.0.0.1:{port}"
        wait_healthy(url, proc, log, verify=verify)
        served = Served(proc, url, port, started, log)
        leftovers = served.workers()
        yield served
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pid in leftovers:  # never leave a worker behind, whatever the test did
            if running(pid) and "spawn_main" in cmdline(pid):
                os.kill(pid, signal.SIGKILL)
        err.close()
        if proc.stdout is not None:
            proc.stdout.close()
