"""Client store v4 (issue 12): a v3 store keeps its series and gains the new columns; the
all-day events earlier imports made 24-hour sessions become day notes."""

from __future__ import annotations

from datetime import date

from companion.paths import Paths
from companion.store import repo_notes, repo_schedule
from companion.store.db import Store

SERIES = (
    "INSERT INTO series (uid, title, kind, tzid, start_local, duration_s, rrule, origin, "
    "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-10-01T00:00:00Z', "
    "'2026-10-02T00:00:00Z')"
)


def test_v3_store_migrates_and_all_day_sessions_become_notes(paths: Paths) -> None:
    with Store(paths.database, migrate=False) as old:
        old.migrate(target=3)
        rows = [
            ("holiday@x", "No group – Thanksgiving", "group", "America/New_York",
             "2026-11-26T00:00:00", 86400, None, "import"),
            ("break@x", "Winter break", "other", "America/New_York", "2026-12-24T00:00:00",
             4 * 86400, None, "import"),
            ("yearly@x", "New Year", "other", "UTC", "2027-01-01T00:00:00", 86400,
             "FREQ=YEARLY;UNTIL=20291231T235959", "import"),
            ("group@x", "Process Group", "group", "America/New_York", "2026-11-02T18:00:00",
             3 * 3600, "FREQ=WEEKLY", "import"),
            # the client's own midnight series of 24 hours stays a series: only imports move
            ("mine@x", "Night shift support", "other", "UTC", "2026-11-02T00:00:00", 86400,
             None, "local"),
        ]  # fmt: skip
        with old.transaction() as conn:
            conn.executemany(SERIES, rows)
            conn.execute("INSERT INTO override (series_uid, original_start, cancelled) "
                         "VALUES ('holiday@x', '2026-11-26T05:00:00Z', 0)")  # fmt: skip
    with Store(paths.database) as store:
        conn = store.conn
        notes = {
            n.uid: (n.title, n.first_day, n.days, n.rrule) for n in repo_notes.list_notes(conn)
        }
        assert notes == {
            "holiday@x": ("No group – Thanksgiving", date(2026, 11, 26), 1, None),
            "break@x": ("Winter break", date(2026, 12, 24), 4, None),
            "yearly@x": ("New Year", date(2027, 1, 1), 1, "FREQ=YEARLY;UNTIL=20291231T235959"),
        }
        assert sorted(s.uid for s in repo_schedule.list_series(conn)) == ["group@x", "mine@x"]
        group = repo_schedule.get_series(conn, "group@x")
        assert group is not None
        assert (group.description, group.location, group.cancelled_from) == ("", "", None)
        assert conn.execute("SELECT count(*) FROM override").fetchone()[0] == 0
