"""``serve`` under attack: connections that never finish a request are closed, the
open-file limit is raised or warned about, and with nofile=1024 and 2,000 idle and
slow-loris sockets held open, fresh /healthz requests keep getting answers."""

from __future__ import annotations

import resource
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from sync.server.process import needed_nofile
from sync.server.settings import Settings
from tests.server.served import open_fds, serve, with_nofile

REQUEST_TIMEOUT = Settings().request_timeout_s
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: attacker\r\n"


def connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    return s


def closed_by_server(s: socket.socket) -> bool:
    """True once the server has closed ``s`` (EOF or reset); False while it is open."""
    try:
        data = s.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return data == b""


def trickle(s: socket.socket, data: bytes) -> None:
    try:
        s.send(data)
    except OSError:
        pass  # closed under us: closed_by_server says so


def healthz(url: str) -> int:
    """A fresh connection's GET /healthz: its status, or 0 when there was no answer."""
    try:
        with httpx.Client(timeout=5) as http:
            return http.get(url + "/healthz").status_code
    except httpx.HTTPError:
        return 0


SLOW_BODY = (
    b"POST /v1/notices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
    b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"
)


@pytest.mark.slow
def test_a_connection_that_never_completes_a_request_is_closed(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """Silent, a head a byte at a time, a body a byte at a time, and a keep-alive
    connection trickling its next head: all closed once the deadline passes, though each
    keeps sending; a client that sends its request meanwhile is answered."""
    with serve(tmp_path / "serve.log", "--db", db_url) as server:
        idle = connect(server.port)
        loris = connect(server.port)
        trickle(loris, PARTIAL_HEAD)
        body = connect(server.port)
        trickle(body, SLOW_BODY)
        kept = connect(server.port)
        kept.setblocking(True)
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 200")
        kept.setblocking(False)
        trickle(kept, b"GET /healthz HTTP/1.1\r\n")
        socks = [idle, loris, body, kept]
        began = time.monotonic()
        while time.monotonic() - began < REQUEST_TIMEOUT - 1.5:  # a few seconds are allowed
            for s in socks[1:]:
                trickle(s, b"X")
            time.sleep(0.5)
            assert not any(closed_by_server(s) for s in socks)
        assert healthz(server.url) == 200
        while time.monotonic() - began < REQUEST_TIMEOUT + 3:
            for s in socks[1:]:
                trickle(s, b"X")
            if all(closed_by_server(s) for s in socks):
                break
            time.sleep(0.25)
        assert [closed_by_server(s) for s in socks] == [True] * 4
        for s in socks:
            s.close()
        assert "Traceback" not in server.stderr


class Attacker:
    """Holds ``n`` sockets open against a port: a third silent, a third sending a head a
    byte a second, a third a body; it opens a new one for each the server closes."""

    KINDS = (b"", PARTIAL_HEAD, SLOW_BODY)

    def __init__(self, port: int, n: int) -> None:
        self.port, self.n = port, n
        self.socks: dict[socket.socket, bytes] = {}  # socket -> what it began with
        self.closed = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, start: bytes) -> None:
        try:
            s = connect(self.port)
        except OSError:
            return  # the server's queue is full: try again next round
        if start:
            trickle(s, start)
        self.socks[s] = start

    def open_all(self) -> None:
        for i in range(self.n):
            self._open(self.KINDS[i % 3])

    def _run(self) -> None:
        while not self.stop.wait(1.0):
            for s, start in list(self.socks.items()):
                if closed_by_server(s):
                    del self.socks[s]
                    s.close()
                    self.closed += 1
                    self._open(start)
                elif start:
                    trickle(s, b"X")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        for s in self.socks:
            s.close()


@pytest.mark.slow
def test_fresh_requests_are_answered_with_2000_idle_and_slow_sockets_under_nofile_1024(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard:  # the attacker itself needs 2,000 descriptors
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= 4096, "the test needs nofile 4096"
    with serve(tmp_path / "serve.log", "--db", db_url, preexec_fn=with_nofile(1024)) as server:
        assert server.started["open_file_limit"] == 1024
        budget = server.started["connections_per_worker"]
        assert 500 <= budget < 1024 - 64
        assert "the open-file limit (1024) allows" in server.stderr  # the start-up warning
        attacker = Attacker(server.port, 2000)
        try:
            attacker.open_all()
            attacker.thread.start()
            answers, most_fds = [], 0
            deadline = time.monotonic() + REQUEST_TIMEOUT + 5  # past the head deadline too
            while time.monotonic() < deadline:
                answers.append(healthz(server.url))
                most_fds = max(most_fds, open_fds(server.proc.pid))
                time.sleep(0.2)
        finally:
            attacker.close()
        assert answers and set(answers) == {200}, answers
        assert most_fds < 1024
        assert attacker.closed >= 2000 - budget  # the server did not keep them all
        assert "Traceback" not in server.stderr


@pytest.mark.parametrize("hard", [8192, 2048])
def test_serve_raises_a_low_soft_limit_towards_the_hard_one(
    engine: Engine, db_url: str, tmp_path: Path, hard: int
) -> None:
    """systemd's usual 1024 soft limit under a higher hard one: raised as far as the
    configured connections need (or the hard limit allows, with the warning)."""

    def soft_1024() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    wanted = Settings().max_connections
    with serve(tmp_path / "serve.log", "--db", db_url, preexec_fn=soft_1024) as server:
        assert server.started["open_file_limit"] == min(hard, needed_nofile(wanted))
        if hard >= needed_nofile(wanted):
            assert server.started["connections_per_worker"] == wanted
            assert "open-file limit" not in server.stderr
        else:
            assert server.started["connections_per_worker"] < wanted
            assert f"the open-file limit ({hard}) allows" in server.stderr


def test_serve_refuses_a_limit_too_low_to_serve(engine: Engine, db_url: str) -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "serve", "--db", db_url, "--port", "1"],
        capture_output=True, text=True, timeout=60, preexec_fn=with_nofile(128),
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "open-file limit (128) is too low" in r.stderr
