"""A protected journal on a real store: the round trip, a wrong passphrase, what stays
readable while locked, changing and removing the passphrase, values bound to their rows,
and no clear text left in any file of the profile."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from companion.actions import journal
from companion.actions import notify as notify_actions
from companion.actions.profile import Profile, UserError
from companion.actions.schedule import mark, occurrences
from companion.domain.attendance import Policy, Status
from companion.domain.catchup import REFLECT
from companion.errors import JournalLocked
from companion.store import repo_catchup, repo_outbox, repo_schedule
from companion.store.repo_schedule import Program
from sync.protocol import SeriesWire, series_from_wire
from tests.cleartext import found_in
from tests.sync.harness import GROUP, TZ

PASS, NEW = "blue kettle morning", "seven quiet rivers"
WHAT = "My manager kept me late and I felt ashamed to say why I had to leave."
PLAN = "Tell Dana on Monday that Wednesday evenings are for my group."


def write(profile: Profile, what: str = WHAT, plan: str = PLAN, key: bytes | None = None) -> int:
    r = journal.add_reflection(
        profile, barriers=["work", "emotional"], what_happened=what, plan=plan, mood=2, key=key
    )
    assert r.id is not None
    return r.id


def rows(profile: Profile) -> str:
    """A digest of everything the reflection and key tables hold."""
    conn = profile.store.conn
    dump = [tuple(r) for r in conn.execute("SELECT * FROM reflection ORDER BY id")]
    dump += [tuple(r) for r in conn.execute("SELECT * FROM journal_key")]
    return hashlib.sha256(repr(dump).encode()).hexdigest()


def test_round_trip(profile: Profile) -> None:
    rid = write(profile)
    before = journal.readable_reflections(profile)
    done = journal.protect(profile, PASS)
    assert (done.reflections, done.wiped) == (1, True)
    [locked] = journal.readable_reflections(profile)
    assert locked.locked and (locked.what_happened, locked.plan) == ("", "")
    assert (locked.barriers, locked.mood, locked.when) == (
        before[0].barriers,
        before[0].mood,
        before[0].when,
    )
    stored = profile.store.conn.execute(
        "SELECT what_happened, plan, what_sealed, plan_sealed FROM reflection WHERE id = ?",
        (rid,),
    ).fetchone()
    assert (stored[0], stored[1]) == ("", "") and stored[2] and stored[3]
    key = journal.unlock(profile, PASS)
    [opened] = journal.readable_reflections(profile, key)
    assert opened == before[0]
    assert journal.get_reflection(profile, rid, key).what_happened == WHAT
    assert journal.reflection_json(locked)["what_happened"] is None
    assert journal.reflection_json(opened)["locked"] is False


def test_the_key_row_holds_salt_parameters_and_check_but_not_the_passphrase(
    profile: Profile,
) -> None:
    write(profile)
    journal.protect(profile, PASS)
    row = profile.store.conn.execute("SELECT * FROM journal_key").fetchone()
    assert (row["kdf"], row["time_cost"], row["memory_kib"], row["parallelism"]) == (
        "argon2id",
        3,
        65536,
        1,
    )
    assert len(row["salt"]) == 16
    assert PASS.encode() not in b"".join(bytes(v) for v in row if isinstance(v, bytes))


def test_a_wrong_passphrase_is_refused_and_changes_nothing(profile: Profile) -> None:
    write(profile)
    journal.protect(profile, PASS)
    before = rows(profile)
    for wrong in ("blue kettle mornin", "", "BLUE KETTLE MORNING"):
        with pytest.raises(journal.WrongPassphrase, match="^that is not the passphrase$"):
            journal.unlock(profile, wrong)
    assert rows(profile) == before


def test_writing_text_while_locked_is_refused_barriers_and_mood_alone_are_not(
    profile: Profile,
) -> None:
    journal.protect(profile, PASS)
    with pytest.raises(JournalLocked, match="the journal is locked"):
        write(profile)
    assert journal.readable_reflections(profile) == []
    r = journal.add_reflection(profile, barriers=["health"], mood=3)
    assert r.barriers and not r.locked
    key = journal.unlock(profile, PASS)
    rid = write(profile, key=key)
    assert journal.get_reflection(profile, rid, key).plan == PLAN
    assert journal.get_reflection(profile, rid).locked


def test_insights_and_catch_up_ticks_work_while_locked(
    demo_profile: Profile, now: datetime
) -> None:
    before = journal.barrier_insights(demo_profile, 12)
    journal.protect(demo_profile, PASS)
    assert journal.barrier_insights(demo_profile, 12) == before
    views = occurrences(demo_profile, now - timedelta(days=6), now)
    target = next(v.occurrence for v in views if v.status is Status.ATTENDED)
    mark(demo_profile, target.id, Status.MISSED)
    journal.add_reflection(demo_profile, barriers=["forgot"], occurrence_id=target.id)
    checklist = repo_catchup.get_checklist(demo_profile.store.conn, *target.key)
    assert checklist is not None
    assert next(i for i in checklist.items if i.key == REFLECT).done


def test_change_passphrase(profile: Profile) -> None:
    write(profile)
    write(profile, "Second entry's words", "")
    journal.protect(profile, PASS)
    salt = profile.store.conn.execute("SELECT salt FROM journal_key").fetchone()[0]
    done = journal.change_passphrase(profile, journal.unlock(profile, PASS), NEW)
    assert done.reflections == 2
    with pytest.raises(journal.WrongPassphrase):
        journal.unlock(profile, PASS)
    key = journal.unlock(profile, NEW)
    assert [r.what_happened for r in journal.readable_reflections(profile, key)] == [
        "Second entry's words",
        WHAT,
    ]
    assert profile.store.conn.execute("SELECT salt FROM journal_key").fetchone()[0] != salt


def test_change_with_a_stale_key_changes_nothing(profile: Profile) -> None:
    write(profile)
    journal.protect(profile, PASS)
    old = journal.unlock(profile, PASS)
    journal.change_passphrase(profile, old, NEW)
    before = rows(profile)
    with pytest.raises(UserError, match="changed meanwhile"):
        journal.change_passphrase(profile, old, "another passphrase")
    assert rows(profile) == before


def test_unprotect(profile: Profile) -> None:
    write(profile)
    journal.protect(profile, PASS)
    journal.unprotect(profile, journal.unlock(profile, PASS))
    assert not journal.is_protected(profile)
    [r] = journal.readable_reflections(profile)
    assert (r.what_happened, r.plan, r.locked) == (WHAT, PLAN, False)
    sealed = profile.store.conn.execute("SELECT what_sealed, plan_sealed FROM reflection")
    assert tuple(sealed.fetchone()) == (None, None)


def test_protect_twice_and_weak_passphrases_are_refused(profile: Profile) -> None:
    with pytest.raises(UserError, match="at least 8 characters"):
        journal.protect(profile, "short")
    assert not journal.is_protected(profile)
    journal.protect(profile, PASS)
    with pytest.raises(UserError, match="already protected"):
        journal.protect(profile, NEW)


def test_values_swapped_between_rows_do_not_open(profile: Profile) -> None:
    first, second = write(profile, "first words", "first plan"), write(profile, "second", "")
    journal.protect(profile, PASS)
    key = journal.unlock(profile, PASS)
    with profile.store.transaction() as conn:
        a, b = (
            conn.execute("SELECT what_sealed FROM reflection WHERE id = ?", (i,)).fetchone()[0]
            for i in (first, second)
        )
        conn.execute("UPDATE reflection SET what_sealed = ? WHERE id = ?", (b, first))
        conn.execute("UPDATE reflection SET what_sealed = ? WHERE id = ?", (a, second))
    found = {r.id: r for r in journal.readable_reflections(profile, key)}
    assert found[first].locked and found[second].locked
    assert found[first].what_happened == found[second].what_happened == ""
    with pytest.raises(UserError, match="cannot be decrypted"):  # nothing half-changed
        journal.change_passphrase(profile, key, NEW)
    journal.unlock(profile, PASS)


def test_no_clear_text_in_any_file_of_the_profile(profile: Profile, home: Path) -> None:
    """The database, its WAL and shm, the settings: after protect and after a change."""
    profile.save_settings()
    for n in range(30):  # enough rows for several pages, some freed by the rewrite
        write(profile, f"{WHAT} ({n})", f"{PLAN} ({n})")
    profile.store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # some in the file, some in -wal
    write(profile)
    before = found_in(home, WHAT)
    assert any("sqlite3-wal:" in h for h in before), before  # the WAL is searched too
    assert any("sqlite3:" in h for h in before), before
    journal.protect(profile, PASS)
    assert found_in(home, WHAT, PLAN, "ashamed", "Dana on Monday") == []
    journal.change_passphrase(profile, journal.unlock(profile, PASS), NEW)
    assert found_in(home, WHAT, PLAN, "ashamed", PASS, NEW) == []
    assert (home / "data" / "companion.sqlite3").exists()


def test_old_text_is_overwritten_where_the_rows_were(profile: Profile, home: Path) -> None:
    """secure_delete: even before the VACUUM, what a rewrite replaced is zeroed."""
    conn = profile.store.conn
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    write(profile)
    with profile.store.transaction() as c:
        c.execute("DELETE FROM reflection")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert found_in(home, "ashamed") == []


@pytest.fixture
def program_profile(profile: Profile, now: datetime) -> Profile:
    with profile.store.transaction() as conn:
        repo_schedule.save_program(conn, Program("Evening IOP", TZ, Policy()))
        repo_schedule.save_series(conn, series_from_wire(SeriesWire(**GROUP)), now)
    return profile


def test_sharing_decrypts_only_the_one_attached(program_profile: Profile, home: Path) -> None:
    """The attached reflection is opened in memory for the notice; the others stay sealed.
    Its copy in the outbox goes once delivered (the outbox sends with the journal locked)."""
    profile = program_profile
    day = datetime(2026, 11, 25, tzinfo=profile.tz())
    occ = next(
        v.occurrence
        for v in occurrences(profile, day, day + timedelta(days=1))
        if v.occurrence.title == "Process Group"
    )
    shared = write(profile, "The camera froze.", "Test it before.")
    write(profile)
    journal.protect(profile, PASS)
    with pytest.raises(UserError, match="is locked"):
        notify_actions.notify(profile, occ.id, "technical", share_reflection_id=shared)
    key = journal.unlock(profile, PASS)
    notice = notify_actions.notify(profile, occ.id, "technical", "", False, shared, key)
    entry = repo_outbox.get(profile.store.conn, notice.id)
    assert entry is not None
    assert "The camera froze." in json.loads(entry.payload)["shared_reflection"]
    assert found_in(home, WHAT) == []
    with profile.store.transaction() as conn:
        assert repo_outbox.waiting_with_shared_text(conn) == 1
        repo_outbox.mark_delivered(conn, notice.id, profile.now(), "received")
        assert repo_outbox.forget_shared_text(conn) == 1
    entry = repo_outbox.get(profile.store.conn, notice.id)
    assert entry is not None and json.loads(entry.payload)["shared_reflection"] is None
    profile.store.wipe_leftovers()
    assert found_in(home, "The camera froze.") == []


def test_a_key_from_before_a_change_neither_reads_nor_writes(profile: Profile) -> None:
    """Text sealed under a stale key would open for no one: refused, nothing saved."""
    write(profile)
    journal.protect(profile, PASS)
    stale = journal.unlock(profile, PASS)
    journal.change_passphrase(profile, stale, NEW)
    assert not journal.key_is_current(profile, stale)
    assert all(r.locked for r in journal.readable_reflections(profile, stale))
    with pytest.raises(JournalLocked, match="changed elsewhere"):
        write(profile, key=stale)
    assert len(journal.readable_reflections(profile)) == 1
