"""Real parts for the sync tests and the bench: the program server on a loopback port (its
admin CLI and coordinator API), a misbehaving HTTP proxy, and a byte-counting TCP relay."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests import clockshim
from tests.conftest import FROZEN_NOW

SERVER = [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())"]
EMAIL = "coord@example.org"
PASSWORD = "correct horse battery staple"
TZ = "America/New_York"

# Process Group, Mon/Wed/Fri 18:00-21:00 New York, from Mon 5 Oct 2026.
GROUP = {
    "uid": "group@evening.test",
    "title": "Process Group",
    "kind": "group",
    "tzid": TZ,
    "start_local": "2026-10-05T18:00:00",
    "duration_min": 180,
    "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "join_url": "https://meet.example.org/group",
    "facilitator": "Dr. Ana Rivera",
}
# A daily check-in from 1 Apr 2026: hundreds of past occurrences to give notice about.
CHECKIN = {
    "uid": "checkin@evening.test",
    "title": "Daily check-in",
    "kind": "individual",
    "tzid": TZ,
    "start_local": "2026-04-01T09:00:00",
    "duration_min": 15,
    "rrule": "FREQ=DAILY",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ProgramServer:
    """`companion-server serve` in a subprocess, with its data in ``home``."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    _token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return dict(os.environ, COMPANION_SERVER_HOME=str(self.home))

    @property
    def clock(self) -> Path:
        """The server's clock offset (``tests.clockshim``): it starts at FROZEN_NOW, the
        clients' frozen time, and runs on; a test may move it."""
        return self.home / "clock"

    def admin(self, *args: str, input: str | None = None) -> dict:
        """Run an admin command with ``--json`` and return its JSON object."""
        done = subprocess.run(
            [*SERVER, *args, "--json"],
            capture_output=True,
            text=True,
            input=input,
            env=self.env(),
            timeout=60,
        )
        assert done.returncode == 0, f"companion-server {args[0]}: {done.stderr}"
        return json.loads(done.stdout)

    def setup(self, series: tuple[dict, ...] = (GROUP,)) -> None:
        """A program (Evening IOP) with a coordinator and ``series``; then start serving."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.admin("create-program", "Evening IOP", "--timezone", TZ)
        self.admin("create-coordinator", EMAIL, input=PASSWORD + "\n")
        self.start()
        for s in series:
            self.coordinator("POST", "/v1/coordinator/series", json=s)

    def start(self) -> None:
        log = (self.home / "server.log").open("ab")
        if not self.clock.exists():
            clockshim.set_now(self.clock, FROZEN_NOW)
        self.process = subprocess.Popen(
            [*clockshim.server_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(self.env(), **{clockshim.ENV: str(self.clock)}),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError((self.home / "server.log").read_text()[-3000:])
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError("the server did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def add_client(self, name: str = "Jordan R.") -> tuple[int, str]:
        made = self.admin("add-client", name)
        return made["client_id"], made["code"]

    def coordinator(self, method: str, path: str, **kwargs: object) -> object:
        """A coordinator API call (logged in once); returns the JSON answer."""
        if not self._token:
            answer = httpx.post(
                self.url + "/v1/coordinator/login",
                json={"email": EMAIL, "password": PASSWORD},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            self._token = answer.json()["token"]
        answer = httpx.request(
            method,
            self.url + path,
            timeout=10,
            headers={"Authorization": f"Bearer {self._token}"},
            **kwargs,
        )  # type: ignore[arg-type]
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def notices_of(self, token: str) -> list[dict]:
        """What the server holds for the client with device ``token`` (GET /v1/notices,
        every page)."""
        out: list[dict] = []
        params: dict[str, str] = {}
        while True:
            answer = httpx.get(
                self.url + "/v1/notices",
                params=params,
                timeout=10,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200, answer.text
            page = answer.json()
            out += page["notices"]
            if not page["more"]:
                return out
            params = {"cursor": page["cursor"]}


Fault = str  # "pass", "html_error", "truncate", "wrong_type", "slow", "busy", "refuse"


class FaultProxy:
    """An HTTP proxy on loopback that forwards to ``target`` and misbehaves on request.

    ``fault`` applies to every request until changed; ``log`` records (method, path) of
    every request; ``after_forward(method, path)`` runs once the server has answered and
    before the client hears back (the fault-injection test kills the client there).
    """

    def __init__(self, target: str, slow_s: float = 2.0) -> None:
        self.target = target
        self.fault: Fault = "pass"
        self.slow_s = slow_s
        self.busy_left = 0
        self.log: list[tuple[str, str]] = []
        self.after_forward: Callable[[str, str], None] | None = None
        self.lock = threading.Lock()
        self.http = httpx.Client(base_url=target, timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.lock:
                    proxy.log.append((self.command, self.path))
                    fault = proxy.fault
                try:
                    proxy.respond(self, fault, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def posts(self) -> int:
        return sum(1 for m, p in self.log if m == "POST" and p.startswith("/v1/notices"))

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        ctype: str,
        body: bytes,
        extra: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def respond(self, h: BaseHTTPRequestHandler, fault: Fault, body: bytes) -> None:
        if fault == "html_error":
            page = (
                b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
            )
            return self._send(h, 502, "text/html", page)
        if fault == "refuse" and h.command == "POST":
            detail = b'{"detail":"this session is not in your program"}'
            return self._send(h, 422, "application/json", detail)
        if fault == "busy":
            with self.lock:
                self.busy_left -= 1
                busy = self.busy_left >= 0
            if busy:
                return self._send(
                    h, 429, "application/json", b'{"detail":"slow down"}', {"Retry-After": "1"}
                )
        if fault == "slow":
            time.sleep(self.slow_s)
        headers = {
            k: v
            for k, v in h.headers.items()
            if k.lower() in ("authorization", "content-type", "idempotency-key", "accept")
        }
        answer = self.http.request(h.command, h.path, content=body, headers=headers)
        if self.after_forward is not None:
            self.after_forward(h.command, h.path)
        content, ctype = answer.content, answer.headers.get("content-type", "")
        if fault == "truncate":
            content = content[: max(1, len(content) // 2)]
        elif fault == "wrong_type":
            ctype = "text/html; charset=utf-8"
        self._send(h, answer.status_code, ctype, content)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.http.close()


class ByteCounter:
    """A TCP relay on loopback that counts the bytes going each way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.up = 0  # client -> server
        self.down = 0  # server -> client
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._pipe, args=(client, upstream, "up"), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, "down"), daemon=True
            ).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, way: str) -> None:
        try:
            while data := src.recv(65536):
                with self.lock:
                    setattr(self, way, getattr(self, way) + len(data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self) -> None:
        with self.lock:
            self.up = self.down = self.connections = 0

    def close(self) -> None:
        self.sock.close()
