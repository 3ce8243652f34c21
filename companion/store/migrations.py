"""Schema migrations, keyed by version (``PRAGMA user_version``). Append only: a released
migration never changes; a new one gets the next number."""

from __future__ import annotations

V1 = (
    """CREATE TABLE program (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        timezone TEXT NOT NULL,
        threshold REAL NOT NULL DEFAULT 0.8,
        unexcused_limit INTEGER NOT NULL DEFAULT 3,
        coordinator TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE series (
        uid TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        tzid TEXT NOT NULL,
        start_local TEXT NOT NULL,
        duration_s INTEGER NOT NULL,
        rrule TEXT,
        rdates TEXT NOT NULL DEFAULT '[]',
        join_url TEXT NOT NULL DEFAULT '',
        facilitator TEXT NOT NULL DEFAULT '',
        reminders TEXT NOT NULL DEFAULT '[86400, 1800]',
        sequence INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL DEFAULT 'local',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    )""",
    """CREATE TABLE override (
        series_uid TEXT NOT NULL REFERENCES series(uid) ON DELETE CASCADE,
        original_start TEXT NOT NULL,
        start TEXT,
        end TEXT,
        cancelled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (series_uid, original_start)
    )""",
    """CREATE TABLE attendance (
        series_uid TEXT NOT NULL,
        original_start TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'client',
        updated TEXT NOT NULL,
        PRIMARY KEY (series_uid, original_start)
    )""",
    """CREATE TABLE reflection (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        series_uid TEXT,
        original_start TEXT,
        barriers TEXT NOT NULL DEFAULT '[]',
        what_happened TEXT NOT NULL DEFAULT '',
        plan TEXT NOT NULL DEFAULT '',
        mood INTEGER
    )""",
    "CREATE INDEX reflection_created ON reflection(created)",
    """CREATE TABLE checklist (
        series_uid TEXT NOT NULL,
        original_start TEXT NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        created TEXT NOT NULL,
        PRIMARY KEY (series_uid, original_start)
    )""",
    """CREATE TABLE checklist_item (
        id INTEGER PRIMARY KEY,
        series_uid TEXT NOT NULL,
        original_start TEXT NOT NULL,
        position INTEGER NOT NULL,
        key TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        done_at TEXT,
        link TEXT NOT NULL DEFAULT '',
        FOREIGN KEY (series_uid, original_start)
            REFERENCES checklist(series_uid, original_start) ON DELETE CASCADE
    )""",
    "CREATE INDEX checklist_item_owner ON checklist_item(series_uid, original_start)",
)

# v2: reflections get the shared flag; reminders remember what already fired.
V2 = (
    "ALTER TABLE reflection ADD COLUMN shared INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE reminder_fired (
        series_uid TEXT NOT NULL,
        original_start TEXT NOT NULL,
        offset_s INTEGER NOT NULL,
        fired TEXT NOT NULL,
        PRIMARY KEY (series_uid, original_start, offset_s)
    )""",
)

# v3: the sync layer. The outbox keeps each notice's exact wire payload so a resend after
# a crash is byte-identical (the server treats it as a retry); sync_state holds the server
# (never the token, which lives 0600 in the config dir) and the changes cursor.
V3 = (
    """CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        series_uid TEXT NOT NULL,
        original_start TEXT NOT NULL,
        title TEXT NOT NULL,
        start TEXT NOT NULL,
        timing TEXT NOT NULL,
        barrier TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        makeup INTEGER NOT NULL DEFAULT 0,
        reflection_id INTEGER,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        delivered_at TEXT,
        server_status TEXT
    )""",
    "CREATE INDEX outbox_state ON outbox(state, created_at)",
    "CREATE INDEX outbox_occurrence ON outbox(series_uid, original_start)",
    """CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        server_url TEXT NOT NULL,
        feed_url TEXT NOT NULL DEFAULT '',
        client_name TEXT NOT NULL DEFAULT '',
        cursor TEXT NOT NULL DEFAULT '',
        enrolled_at TEXT NOT NULL,
        last_sync TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        not_before TEXT
    )""",
    """CREATE TABLE reply (
        id INTEGER PRIMARY KEY,
        notice_id TEXT NOT NULL,
        status TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        materials TEXT NOT NULL DEFAULT '[]',
        at TEXT NOT NULL
    )""",
    "CREATE INDEX reply_at ON reply(at)",
    """CREATE TABLE material (
        id INTEGER PRIMARY KEY,
        series_uid TEXT NOT NULL,
        original_start TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        received TEXT NOT NULL
    )""",
    "CREATE INDEX material_occurrence ON material(series_uid, original_start)",
    """CREATE TABLE makeup_offer (
        reply_id INTEGER PRIMARY KEY REFERENCES reply(id) ON DELETE CASCADE,
        notice_id TEXT NOT NULL,
        start TEXT NOT NULL,
        end TEXT NOT NULL,
        join_url TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        accepted_uid TEXT,
        accepted_at TEXT
    )""",
)

# v4: what a program's calendar holds beside the times (issue 12). Reserved; filled in by
# the change that needs it.
V4: tuple[str, ...] = ()

# v5: demo data marked as such, so enrolling can remove it (issue 11). Reserved.
V5: tuple[str, ...] = ()

# v6: changes from the server this client could not apply, kept aside with the reason
# (issue 10): one bad change never stops the ones after it. ``digest`` (of the change as
# received) makes a page fetched again set each change aside once.
V6: tuple[str, ...] = (
    """CREATE TABLE set_aside (
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        about TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL,
        body TEXT NOT NULL,
        cursor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    )""",
    "CREATE INDEX set_aside_at ON set_aside(at)",
)

MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (1, V1),
    (2, V2),
    (3, V3),
    (4, V4),
    (5, V5),
    (6, V6),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
