"""Load benchmark of the program server with wrk (not an httpx load generator: on these
2-core machines httpx saturates a core at ~600 requests/s and measures itself).

Starts the real server (`companion-server serve`, SQLite, uvicorn) with 1 and with 2
workers and measures, at 50 and 200 connections:

- notice POSTs (a Lua script: each request a fresh UUID and one of 200 valid tokens),
- idle change polls (``GET /v1/changes?since=<current cursor>``),
- feed requests answered 304 (``If-None-Match`` holding the current ETag),

and, in the same run, a bare ASGI app returning a constant on the same uvicorn settings:
the ceiling each figure is divided by. Prints a table, the ratios and the budgets.

    .venv/bin/python bench/server_load.py [--duration 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sync.protocol import SeriesChanged, SeriesWire  # noqa: E402
from sync.server import admin  # noqa: E402
from sync.server.storage.engine import make_engine  # noqa: E402
from sync.server.storage.runner import transaction  # noqa: E402
from sync.server.storage.tables import stamp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "sync.server.cli"]
CLIENTS = 200
NY = ZoneInfo("America/New_York")
# A daily Process Group at 18:00 New York from a month ago: the notices name its sessions.
GROUP = {
    "uid": "process-group", "title": "Process Group", "kind": "group",
    "tzid": "America/New_York", "duration_min": 180, "rrule": "FREQ=DAILY",
    "start_local": (datetime.now(NY) - timedelta(days=30)).strftime("%Y-%m-%dT18:00:00"),
}  # fmt: skip
BUDGETS = {  # (scenario, workers) -> (minimum requests/s at 200 connections, max p99 ms)
    ("notice POST", 1): (2000, 200),
    ("notice POST", 2): (3500, 200),
    ("idle poll", 1): (3000, 150),
    ("idle poll", 2): (8000, 150),
    ("feed 304", 2): (6000, 150),
}

BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"ok":true}'})
"""

LUA_COMMON = """
local counter = 0
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""

LUA_NOTICE = """
local tokens = {%(tokens)s}
local hex = "0123456789abcdef"
local function uuid()
  local t = {}
  for i = 1, 32 do
    local r = math.random(1, 16)
    t[i] = hex:sub(r, r)
  end
  t[13] = "4"
  return table.concat(t, "", 1, 8) .. "-" .. table.concat(t, "", 9, 12) .. "-"
      .. table.concat(t, "", 13, 16) .. "-a" .. table.concat(t, "", 18, 20) .. "-"
      .. table.concat(t, "", 21, 32)
end
setup = function(thread) thread:set("seed", math.random(1, 1000000000)) end
init = function(args) math.randomseed(seed + os.time()) end
request = function()
  local body = '{"id":"' .. uuid() .. '","series_uid":"process-group",'
    .. '"original_start":"%(start)s","title":"Process Group",'
    .. '"start":"%(start)s","timing":"advance","barrier":"work_school",'
    .. '"message":"Late shift, sorry.","makeup":true,"created_at":"%(now)s"}'
  local headers = {["Content-Type"] = "application/json",
                   ["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)]}
  return wrk.format("POST", "/v1/notices", headers, body)
end
"""

LUA_POLL = """
local tokens = {%(tokens)s}
request = function()
  local headers = {["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)]}
  return wrk.format("GET", "/v1/changes?since=%(cursor)s", headers)
end
"""

LUA_FEED = """
local paths = {%(paths)s}
local etags = {%(etags)s}
request = function()
  local i = math.random(1, #paths)
  return wrk.format("GET", paths[i], {["If-None-Match"] = etags[i]})
end
"""

LUA_BARE = "request = function() return wrk.format('GET', '/') end\n"


@dataclass
class Result:
    scenario: str
    workers: int
    conns: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(url + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start in 30 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wrk(url: str, lua: str, conns: int, duration: int, workdir: Path) -> dict:
    script = workdir / "script.lua"
    script.write_text(lua + LUA_COMMON)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout", "5s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    )
    line = [ln for ln in out.stdout.splitlines() if ln.startswith('{"requests"')][-1]
    return json.loads(line)


def result(name: str, workers: int, conns: int, raw: dict) -> Result:
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return Result(
        name,
        workers,
        conns,
        raw["requests"] / (raw["duration_us"] / 1e6),
        raw["p50_us"] / 1000,
        raw["p99_us"] / 1000,
        raw["max_us"] / 1000,
        raw["non2xx"],
        errors,
    )


def setup_server(home: Path, env: dict[str, str]) -> None:
    """A program, a coordinator and CLIENTS enrolment codes in a fresh SQLite database
    (through the CLI for the first steps, then the same admin functions in-process)."""
    for args, stdin in (
        (["migrate"], None),
        (["create-program", "Bench IOP", "--timezone", "America/New_York"], None),
        (["create-coordinator", "bench@example.org"], "bench-password\n"),
    ):
        subprocess.run(
            [*SERVER, *args, "--json"],
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            check=True,
            timeout=60,
        )
    engine = make_engine(default_db_url_in(home))
    now = datetime.now(UTC)
    codes = [admin.add_client(engine, f"Client {i}", None, now)["code"] for i in range(CLIENTS)]
    with transaction(engine) as tx:  # the notices name a session of this (issue 10)
        [program] = tx.programs()
        wire = SeriesWire.model_validate(GROUP)
        tx.put_series(program.id, wire.uid, wire.model_dump_json(), stamp(now), new=True)
        tx.append_changes(program.id, [(None, SeriesChanged(series=wire).model_dump_json())],
                          stamp(now))  # fmt: skip
    engine.dispose()
    (home / "codes.json").write_text(json.dumps(codes))


def notice_times() -> dict[str, str]:
    """The Process Group two days from now (advance for the whole run), and now."""
    day = (datetime.now(NY) + timedelta(days=2)).date()
    start = datetime(day.year, day.month, day.day, 18, tzinfo=NY).astimezone(UTC)
    return {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "now": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip


def default_db_url_in(home: Path) -> str:
    return f"sqlite:///{home / 'server.sqlite3'}"


def enrol_all(url: str, home: Path) -> tuple[list[str], str, list[str]]:
    codes = json.loads((home / "codes.json").read_text())
    tokens, feeds = [], []
    with httpx.Client(base_url=url, timeout=10) as http:
        for code in codes:
            body = http.post("/v1/enroll", json={"code": code, "device_name": "bench"}).json()
            tokens.append(body["token"])
            feeds.append(httpx.URL(body["feed_url"]).path)
        cursor = body["cursor"]
    return tokens, cursor, feeds


def current_etags(url: str, feeds: list[str]) -> str:
    """Each feed's ETag now (advance notices posted by the POST runs changed them)."""
    tags = []
    with httpx.Client(base_url=url, timeout=10) as http:
        for path in feeds:
            tag = http.get(path).headers["etag"]
            again = http.get(path, headers={"If-None-Match": tag})
            assert again.status_code == 304, "the feed scenario would not measure 304s"
            tags.append(f"'{tag}'")
    return ",".join(tags)


def stored_notices(home: Path) -> int:
    with sqlite3.connect(home / "server.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM notices").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--quick", action="store_true", help="2 s runs (a smoke test)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("server_load: wrk is not installed (Debian package wrk)", file=sys.stderr)
        return 2
    duration = 2 if args.quick else args.duration
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="companion-bench-") as tmp:
        work = Path(tmp)
        (work / "bare_asgi.py").write_text(BARE_APP)
        for workers in (1, 2):
            home = work / f"w{workers}"
            env = dict(os.environ, COMPANION_SERVER_HOME=str(home), PYTHONPATH=str(ROOT))
            setup_server(home, env)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            proc = subprocess.Popen(
                [*SERVER, "serve", "--port", str(port), "--workers", str(workers)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                wait_up(url, proc)
                tokens, cursor, feeds = enrol_all(url, home)
                quoted = ",".join(f'"{t}"' for t in tokens)
                scripts = {
                    "notice POST": LUA_NOTICE % {"tokens": quoted, **notice_times()},
                    "idle poll": LUA_POLL % {"tokens": quoted, "cursor": cursor},
                    "feed 304": "",
                }
                for name, lua in scripts.items():
                    if name == "feed 304":
                        paths = ",".join(f'"{p}"' for p in feeds)
                        lua = LUA_FEED % {"paths": paths, "etags": current_etags(url, feeds)}
                    for conns in (50, 200):
                        before = stored_notices(home)
                        raw = wrk(url, lua, conns, duration, work)
                        results.append(result(name, workers, conns, raw))
                        print(f"  measured {name} w={workers} c={conns}", file=sys.stderr)
                        if name == "notice POST":  # every request a new notice: all stored
                            new = stored_notices(home) - before
                            assert new >= raw["requests"], (new, raw["requests"])
            finally:
                stop(proc)
            port = free_port()
            bare = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare_asgi:app",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=work,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                wait_up(f"http://127.0.0.1:{port}", bare, "/")
                for conns in (50, 200):
                    raw = wrk(f"http://127.0.0.1:{port}", LUA_BARE, conns, duration, work)
                    results.append(result("bare ASGI", workers, conns, raw))
            finally:
                stop(bare)
    return report(results)


def report(results: list[Result]) -> int:
    ceiling = {(r.workers, r.conns): r.rps for r in results if r.scenario == "bare ASGI"}
    print(
        "\n| workers | scenario | conns | req/s | p50 ms | p99 ms | max ms | non-2xx/3xx "
        "| socket errors | ratio to bare ASGI |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in sorted(
        results, key=lambda r: (r.workers, r.scenario == "bare ASGI", r.scenario, r.conns)
    ):
        ratio = r.rps / ceiling[(r.workers, r.conns)]
        print(
            f"| {r.workers} | {r.scenario} | {r.conns} | {r.rps:,.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {r.max_ms:.0f} | {r.non2xx} | {r.errors} | {ratio:.2f} |"
        )
    print("\nbudgets at 200 connections:")
    for (name, workers), (min_rps, max_p99) in BUDGETS.items():
        r = next(x for x in results if (x.scenario, x.workers, x.conns) == (name, workers, 200))
        ok = r.rps >= min_rps and r.p99_ms <= max_p99 and r.non2xx == 0
        print(
            f"  {'ok  ' if ok else 'MISS'} {name}, {workers} worker(s): {r.rps:,.0f}/s "
            f"(>= {min_rps:,}), p99 {r.p99_ms:.0f} ms (<= {max_p99}), non-2xx {r.non2xx}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
