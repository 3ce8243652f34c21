"""Has the store changed underneath this connection? For an open app to follow writes made
by another process (the CLI in another shell, a background sync on its own connection).

SQLite's ``PRAGMA data_version`` changes whenever *another* connection commits to the
file, and never for this connection's own commits; reading it takes no lock and does no
I/O beyond the WAL index in shared memory, so polling it every second costs microseconds.
"""

from __future__ import annotations

from companion.store.db import Store


def data_version(store: Store) -> int:
    """An opaque number that differs from the last one read on this connection exactly
    when some other connection committed in between."""
    return int(store.conn.execute("PRAGMA data_version").fetchone()[0])
