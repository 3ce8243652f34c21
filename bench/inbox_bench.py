"""How long the coordinator's inbox takes to render with 10,000 notices in the database.

The real server (SQLite, one worker) on a loopback port, the demo program plus 10,000
notices from its five clients (a third of them answered); a signed-in HTTP client times
whole page requests: the first page, the "new" tab, a page 40 deep (keyset paging,
following "Older" links), and the poll the live-update script makes. The inbox must page,
never load every notice: each figure should stay flat as the table grows.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from companion.domain.schedule import expand_all  # noqa: E402
from sync.protocol import NoticeIn, ReplyIn, series_from_wire  # noqa: E402
from sync.server import coordinator as ops  # noqa: E402
from sync.server import core  # noqa: E402
from sync.server.demo import EMAIL, build  # noqa: E402
from sync.server.security import digest  # noqa: E402
from sync.server.storage.engine import make_engine  # noqa: E402
from sync.server.storage.repo_program import CoordinatorAuth  # noqa: E402
from sync.server.storage.runner import transaction  # noqa: E402
from tests.e2e.conftest import start_server, stop_server  # noqa: E402

NOTICES = 10_000
RUNS = 40
PASSWORD = "bench-password-1"
BARRIERS = ["technical", "work_school", "family_childcare", "health", "forgot"]


def fill(db_url: str, now: datetime) -> None:
    """The demo program, then NOTICES more notices over the past year."""
    build(db_url, now, PASSWORD)
    engine = make_engine(db_url)
    with transaction(engine) as tx:
        program = tx.program_by_name("Evening IOP")
        assert program is not None
        found = tx.coordinator_by_email(EMAIL)
        assert found is not None
        auth = CoordinatorAuth(found[0], program.id, EMAIL)
        # Fresh devices for the demo clients (their tokens were not kept by build()).
        tokens = []
        for client in tx.clients_of(program.id):
            token = f"bench-{client.id}-{uuid.uuid4()}"
            tx.add_device(client.id, "bench", digest(token), digest(token + "f"), "0")
            tokens.append(digest(token))
        # Notices must name real sessions: the demo's groups of the past five weeks, in turn.
        wires = ops.list_series(tx, auth)
        occs = expand_all([series_from_wire(w) for w in wires], now - timedelta(days=35), now)
        groups = [o for o in occs if o.kind == "group"]
        schedules = core.Schedules()
        for n in range(NOTICES):
            occ = groups[n % len(groups)]
            start = occ.start
            sent = start - timedelta(hours=(n % 7) * 12 - 24)
            notice = NoticeIn(
                id=uuid.uuid4(),
                series_uid=occ.series_uid,
                original_start=occ.original_start,
                title="Process Group",
                start=start,
                timing="advance" if sent < start else "after",
                barrier=BARRIERS[n % 5],
                message=f"Notice number {n}: something came up <again>.",
                makeup=n % 4 == 0,
                created_at=sent,
            )
            delivery = core.Delivery(notice, sent)
            core.post_notice(tx, tokens[n % len(tokens)], delivery, schedules)
            if n % 3 == 0:
                body = ReplyIn(text=f"Thanks ({n})") if n % 2 else None
                ops.reply(tx, auth, str(notice.id), body, sent + timedelta(minutes=5))
    engine.dispose()


def timed(client: httpx.Client, url: str, runs: int = RUNS) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return out


def line(label: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"{label:<34} median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["COMPANION_SERVER_HOME"] = str(home)
        db_url = f"sqlite:///{home / 'bench.sqlite3'}"
        t0 = time.perf_counter()
        fill(db_url, datetime.now(UTC))
        print(f"database: {NOTICES:,} notices + demo data in {time.perf_counter() - t0:.1f} s")
        server = start_server(home, "serve", "--db", db_url)
        try:
            client = httpx.Client(base_url=server.url, timeout=30)
            form = client.get("/signin").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
            r = client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf": csrf})
            assert r.status_code == 303, r.text
            first = client.get("/inbox").text
            shown = first.count('<li class="notice')
            new = re.search(r"Inbox \((\d+) new\)", first)
            print(f"inbox page shows {shown} notices; title says {new.group(1) if new else 0} new")
            for _ in range(5):
                client.get("/inbox")  # warm up
            print(line("inbox, first page", timed(client, "/inbox")))
            print(line("inbox, new tab", timed(client, "/inbox?status=new")))
            print(line("inbox, replied tab", timed(client, "/inbox?status=replied")))
            url, deep = "/inbox", []
            for _ in range(40):
                page = client.get(url).text
                older = re.search(r'href="([^"]+)" rel="next"', page)
                assert older, "ran out of pages"
                url = unescape(older.group(1))
            deep = timed(client, url)
            print(line("inbox, 40 pages deep (keyset)", deep))
            print(line("live-update poll", timed(client, "/inbox/latest")))
            print(line("notices.csv, all 10,000", timed(client, "/export/notices.csv", 5)))
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
