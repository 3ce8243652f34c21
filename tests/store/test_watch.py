"""``data_version`` moves when another connection commits, not for one's own writes."""

from __future__ import annotations

from pathlib import Path

from companion.store.db import Store
from companion.store.watch import data_version


def test_data_version_follows_other_connections_only(tmp_path: Path) -> None:
    mine, other = Store(tmp_path / "c.db"), Store(tmp_path / "c.db")
    try:
        start = data_version(mine)
        with mine.transaction() as conn:
            conn.execute("CREATE TABLE t (x INTEGER)")
        assert data_version(mine) == start  # my own commit: no change
        with other.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
        moved = data_version(mine)
        assert moved != start
        assert data_version(mine) == moved  # stays put until the next foreign commit
        other.conn.execute("SELECT count(*) FROM t").fetchone()  # a read is not a change
        assert data_version(mine) == moved
    finally:
        mine.close()
        other.close()
