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

# v4: what a program's calendar holds beside the times (issue 12): a series' verbatim
# description, its place and when the program called it off; an override's own title,
# place, join link and description; day notes (all-day events). The all-day events that
# earlier imports turned into 24-hour sessions (imported, midnight to midnight) move to
# day notes: they are closures and holidays, never sessions.
V4 = (
    "ALTER TABLE series ADD COLUMN description TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE series ADD COLUMN location TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE series ADD COLUMN cancelled_from TEXT",
    "ALTER TABLE override ADD COLUMN title TEXT",
    "ALTER TABLE override ADD COLUMN location TEXT",
    "ALTER TABLE override ADD COLUMN join_url TEXT",
    "ALTER TABLE override ADD COLUMN description TEXT",
    """CREATE TABLE day_note (
        uid TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        first_day TEXT NOT NULL,
        days INTEGER NOT NULL DEFAULT 1,
        rrule TEXT,
        exdates TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT '',
        sequence INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL DEFAULT 'import',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    )""",
    """INSERT INTO day_note (uid, title, first_day, days, rrule, sequence, origin, created,
                             updated)
       SELECT uid, title, substr(start_local, 1, 10), min(duration_s / 86400, 366), rrule,
              sequence, origin, created, updated
       FROM series
       WHERE origin = 'import' AND duration_s > 0 AND duration_s % 86400 = 0
         AND substr(start_local, 12) = '00:00:00'""",
    "DELETE FROM override WHERE series_uid IN (SELECT uid FROM day_note)",
    "DELETE FROM series WHERE uid IN (SELECT uid FROM day_note)",
)

# v5: demo data marked as such, so enrolling can remove it (issue 11). The demo's series
# are listed (their marks, checklists, reminders, materials and notices are told apart by
# series uid, even after a series is gone); its reflections carry a flag. A profile where an
# older version loaded the demo is marked too, by the demo's uids and its exact texts; one
# that older version then enrolled has the demo's leftovers removed, as enrolling now does
# (delivered notices stay: they are the coordinator's record).
_DEMO_PLANS = (
    "'Ask my manager to keep Mondays free; block 17:30-21:00 in my work calendar.'",
    "'Test camera and mic 15 minutes before; keep the phone app as a backup.'",
    "'Text my coordinator when I feel like skipping; joining with camera off is OK.'",
    "'Ask my sister for Wednesday evenings; tell the family my schedule.'",
)
_DEMO_UIDS = " UNION ".join(
    f"SELECT {column} FROM {table} WHERE {column} LIKE '%@demo.companion'"
    for table, column in (("series", "uid"), ("attendance", "series_uid"),
                          ("checklist", "series_uid"), ("outbox", "series_uid"),
                          ("reflection", "series_uid"))
)  # fmt: skip
_IN_DEMO = "series_uid IN (SELECT uid FROM demo_series)"
_ENROLLED = "EXISTS (SELECT 1 FROM sync_state)"
V5: tuple[str, ...] = (
    "CREATE TABLE demo_series (uid TEXT PRIMARY KEY)",
    "ALTER TABLE reflection ADD COLUMN demo INTEGER NOT NULL DEFAULT 0",
    f"INSERT OR IGNORE INTO demo_series (uid) {_DEMO_UIDS}",
    "UPDATE reflection SET demo = 1 WHERE EXISTS (SELECT 1 FROM demo_series) "
    f"AND plan IN ({', '.join(_DEMO_PLANS)}) "
    "AND (series_uid LIKE '%@demo.companion' OR what_happened LIKE 'Nearly missed it: %')",
    *(
        f"DELETE FROM {table} WHERE {_IN_DEMO} AND {_ENROLLED}"
        for table in (
            "checklist_item",
            "checklist",
            "attendance",
            "reminder_fired",
            "material",
            "override",
        )
    ),  # fmt: skip
    f"DELETE FROM outbox WHERE {_IN_DEMO} AND state IN ('queued', 'failed') AND {_ENROLLED}",
    f"DELETE FROM series WHERE uid IN (SELECT uid FROM demo_series) AND {_ENROLLED}",
    f"DELETE FROM reflection WHERE demo = 1 AND {_ENROLLED}",
    f"UPDATE reflection SET series_uid = NULL, original_start = NULL WHERE {_IN_DEMO} "
    f"AND {_ENROLLED}",
    f"DELETE FROM demo_series WHERE {_ENROLLED}",
)

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

# v7: the device's discreet-feed choice as the server last acknowledged it (1, 0 or NULL:
# the program's default, which a new device starts with) and the program's default as
# last heard, so a sync sends the choice only when it changed (issue 12). On sync_state,
# so they come and go with the enrolment.
V7 = (
    "ALTER TABLE sync_state ADD COLUMN discreet_sent INTEGER",
    "ALTER TABLE sync_state ADD COLUMN discreet_default INTEGER NOT NULL DEFAULT 0",
)

# v8: the journal's free text encrypted at rest once the client sets a passphrase (issue
# 16). journal_key holds what unlocking needs: the key derivation, its salt and parameters
# (kept so they can change later) and the key check, an AES-GCM sealing of a constant; never
# the passphrase nor a hash of it. A protected reflection keeps '' in what_happened and
# plan and its text sealed in what_sealed and plan_sealed (see companion.domain.vault).
V8 = (
    """CREATE TABLE journal_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        kdf TEXT NOT NULL,
        salt BLOB NOT NULL,
        time_cost INTEGER NOT NULL,
        memory_kib INTEGER NOT NULL,
        parallelism INTEGER NOT NULL,
        key_check BLOB NOT NULL,
        created TEXT NOT NULL
    )""",
    "ALTER TABLE reflection ADD COLUMN what_sealed BLOB",
    "ALTER TABLE reflection ADD COLUMN plan_sealed BLOB",
)

# v9 (issue 16, "Need help now?"): the program's crisis contacts as it last published them
# (in its order), and the help-now state: when they were last heard (NULL: never, so an
# answer from before the program could publish them is told apart) and the local day the
# app last offered the panel after a low-mood reflection (once a day at most). Self-
# contained: nothing else refers to these tables.
V9_CRISIS: tuple[str, ...] = (
    """CREATE TABLE crisis_contact (
        position INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        sms TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE help_now (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        contacts_heard TEXT,
        offered_on TEXT
    )""",
)

# v10 (issue 14, make-ups end to end): every slot a reply offers (``makeup_offer.slots``, a
# JSON list of [start, end, title, join_url]; start/end stay the first), the client's
# answer (the slot picked, 1-3, or declined), and the choices waiting for, or past,
# delivery: each keeps its exact wire payload, resent byte for byte like a notice's.
V10_MAKEUP_CHOICES: tuple[str, ...] = (
    "ALTER TABLE makeup_offer ADD COLUMN slots TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE makeup_offer ADD COLUMN chosen_slot INTEGER",
    "ALTER TABLE makeup_offer ADD COLUMN declined_at TEXT",
    """CREATE TABLE makeup_choice (
        id TEXT PRIMARY KEY,
        reply_id INTEGER NOT NULL,
        slot INTEGER,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        delivered_at TEXT
    )""",
    "CREATE INDEX makeup_choice_state ON makeup_choice(state, created_at)",
)

# v11 (issue 14): the coordinator's note on a material ("pages 2-4"), which the checklist
# item says after its title; and when the program added the client (their attendance
# counts from then, on the server and in the 12-week picture alike).
V11_NOTES_ADDED: tuple[str, ...] = (
    "ALTER TABLE material ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sync_state ADD COLUMN added_at TEXT",
)

MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (1, V1),
    (2, V2),
    (3, V3),
    (4, V4),
    (5, V5),
    (6, V6),
    (7, V7),
    (8, V8),
    (9, V9_CRISIS),
    (10, V10_MAKEUP_CHOICES),
    (11, V11_NOTES_ADDED),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
