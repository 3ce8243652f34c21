"""Journal actions: write a reflection (ticking "reflect" on its checklist), list, insights,
and locking the journal's text with a passphrase (protect, change, unprotect, unlock).

Every reader of reflection text goes through :func:`readable_reflections` (or
:func:`get_reflection`) with the key or None: the text comes back decrypted, or the
reflection comes back ``locked``. The key lives only in the memory of whoever unlocked;
nothing decrypted is written anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from companion.actions.profile import Profile, UserError
from companion.actions.schedule import find_occurrence
from companion.domain import vault
from companion.domain.catchup import REFLECT
from companion.domain.journal import Barrier, BarrierInsight, JournalError, Reflection, insights
from companion.errors import WRONG_PASSPHRASE, WrongPassphrase
from companion.store import repo_catchup, repo_journal, repo_outbox

WRONG = WRONG_PASSPHRASE
NOT_PROTECTED = "the journal is not protected (see `companion journal protect`)"


@dataclass(frozen=True, slots=True)
class Relocked:
    """What protect, change or unprotect did: how many reflections, whether the old
    copies were wiped from the files (False: another Companion held the WAL open), and
    how many queued notices still carry a shared reflection in clear until delivered."""

    reflections: int
    wiped: bool
    waiting_shared: int = 0


def add_reflection(
    profile: Profile,
    *,
    barriers: list[str] | tuple[Barrier, ...],
    what_happened: str = "",
    plan: str = "",
    mood: int | None = None,
    occurrence_id: str | None = None,
    key: bytes | None = None,
) -> Reflection:
    """Save a private reflection; when linked to a missed session, tick its "reflect" item.
    In a protected journal the text is sealed with ``key`` (needed when there is text)."""
    occ = find_occurrence(profile, occurrence_id) if occurrence_id else None
    now = profile.now()
    try:
        parsed = tuple(b if isinstance(b, Barrier) else Barrier.parse(b) for b in barriers)
        reflection = Reflection(
            when=now,
            barriers=parsed,
            what_happened=what_happened.strip(),
            plan=plan.strip(),
            mood=mood,
            occurrence=occ.key if occ else None,
        )
    except JournalError as exc:
        raise UserError(str(exc)) from exc
    with profile.store.transaction() as conn:
        rid = repo_journal.add_reflection(conn, reflection, key)
        if occ is not None:
            repo_catchup.tick_key(conn, occ.series_uid, occ.original_start, REFLECT, now)
    return repo_journal.get_reflection(profile.store.conn, rid, key) or reflection


def readable_reflections(
    profile: Profile, key: bytes | None = None, limit: int | None = None
) -> list[Reflection]:
    """Reflections newest first, with their text decrypted by ``key`` or marked
    ``locked`` (key None, or a value that does not open). The one path for anything that
    shows, prints or exports reflection text."""
    return repo_journal.list_reflections(profile.store.conn, limit=limit, key=key)


def list_reflections(profile: Profile, limit: int | None = None) -> list[Reflection]:
    """Reflections as they are at rest: text locked when the journal is protected."""
    return readable_reflections(profile, None, limit)


def get_reflection(profile: Profile, rid: int, key: bytes | None = None) -> Reflection:
    """One reflection, decrypted by ``key`` or locked; :class:`UserError` when none."""
    found = repo_journal.get_reflection(profile.store.conn, rid, key)
    if found is None:
        raise UserError(f"no reflection {rid} (see `companion journal list`)")
    return found


def barrier_insights(profile: Profile, weeks: int = 12) -> list[BarrierInsight]:
    """Barrier counts: they need no key, so they work while the journal is locked."""
    now = profile.now()
    since = now - timedelta(weeks=weeks)
    found = repo_journal.list_reflections(profile.store.conn, since=since)
    return insights(found, since, now + timedelta(seconds=1))


# ---- the passphrase ------------------------------------------------------------------
def is_protected(profile: Profile) -> bool:
    return repo_journal.is_protected(profile.store.conn)


def key_is_current(profile: Profile, key: bytes) -> bool:
    """False when the passphrase was changed (or removed and set again) since ``key``."""
    return repo_journal.key_is_current(profile.store.conn, key)


def unlock(profile: Profile, passphrase: str) -> bytes:
    """The journal's key for ``passphrase`` (one Argon2id derivation, about 0.2 s);
    :class:`WrongPassphrase` when it is not the one set."""
    stored = repo_journal.get_key(profile.store.conn)
    if stored is None:
        raise UserError(NOT_PROTECTED)
    params, check = stored
    key = vault.derive_key(passphrase, params)
    if not vault.key_matches(key, check):
        raise WrongPassphrase()
    return key


def _new_key(passphrase: str) -> tuple[vault.KdfParams, bytes, bytes]:
    try:
        text = vault.check_new_passphrase(passphrase)
    except vault.VaultError as exc:
        raise UserError(str(exc)) from exc
    params = vault.KdfParams()  # a fresh random salt every time a passphrase is set
    key = vault.derive_key(text, params)
    return params, key, vault.make_check(key)


def _reseal(profile: Profile, old: bytes | None, passphrase: str | None) -> Relocked:
    """Move every text from under ``old`` (None: plain) to under a key from ``passphrase``
    (None: plain, the key forgotten), all in ONE transaction: killed at any point, the
    journal opens with the old passphrase or the new one, never neither. Then wipe what
    the old rows left in the files."""
    new: tuple[vault.KdfParams, bytes, bytes] | None = None
    if passphrase is not None:  # derived before the transaction: it holds no lock meanwhile
        new = _new_key(passphrase)
    with profile.store.transaction() as conn:
        stored = repo_journal.get_key(conn)
        if (stored is None) != (old is None) or (
            stored is not None and old is not None and not vault.key_matches(old, stored[1])
        ):
            raise UserError("the journal's passphrase changed meanwhile; nothing was changed")
        try:
            n = repo_journal.reseal_all(conn, old, new[1] if new else None)
        except vault.VaultError as exc:
            raise UserError(f"{exc}; nothing was changed") from exc
        if new is not None:
            params, _key, check = new
            repo_journal.set_key(conn, params, check, profile.now())
            repo_outbox.forget_shared_text(conn)
        else:
            repo_journal.drop_key(conn)
        waiting = repo_outbox.waiting_with_shared_text(conn) if new is not None else 0
    return Relocked(n, profile.store.wipe_leftovers(), waiting)


def protect(profile: Profile, passphrase: str) -> Relocked:
    """Encrypt every reflection's text under a key from ``passphrase``."""
    if is_protected(profile):
        raise UserError(
            "the journal is already protected; change its passphrase with "
            "`companion journal protect --change`"
        )
    return _reseal(profile, None, passphrase)


def change_passphrase(profile: Profile, key: bytes, passphrase: str) -> Relocked:
    """Re-encrypt every text from ``key`` (the current passphrase's) to a new passphrase."""
    return _reseal(profile, key, passphrase)


def unprotect(profile: Profile, key: bytes) -> Relocked:
    """Decrypt every text for good and forget the key."""
    return _reseal(profile, key, None)


def reflection_json(r: Reflection) -> dict[str, object]:
    """A reflection for ``--json``: ``what_happened`` and ``plan`` are null when locked."""
    from companion.domain.schedule import occurrence_id

    return {
        "id": r.id,
        "when": r.when.isoformat(),
        "occurrence": occurrence_id(*r.occurrence) if r.occurrence else None,
        "barriers": [b.value for b in r.barriers],
        "what_happened": None if r.locked else r.what_happened,
        "plan": None if r.locked else r.plan,
        "mood": r.mood,
        "shared": r.shared,
        "locked": r.locked,
    }
