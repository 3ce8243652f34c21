"""The sign-in throttle: one for the dashboard's form and ``POST /v1/coordinator/login``,
kept in the database so that every server process sharing it applies the same counts.

Three counts over the last window (15 minutes), of attempts that failed or are still
being checked:

- **per address**, any accounts: ``attempts_limit`` (10) stop that address (a guesser
  trying many accounts from one place);
- **per (account, address)**: ``signin_pair_limit`` (5) lock that pair only. A guesser
  elsewhere cannot lock the real coordinator out of their own address;
- **per account**, from anywhere: past ``signin_slow_after`` (10), addresses the account
  has not signed in from within ``usual_address_days`` may try once per wait (2 s,
  doubling with each further failure, at most ``signin_slow_max_s``). Guessers spread
  over many addresses are slowed to a trickle; the coordinator's usual addresses never
  wait.

An attempt is written as ``pending`` *before* its password is checked, in the same
transaction as the counts it was allowed by (the account's row locked on PostgreSQL;
SQLite's writers take turns anyway), so a burst of parallel guesses counts each one
and cannot slip past the limit while argon2 runs. A lock-out, and the start of a
slow-down, are security events: logged (ids and addresses, never the typed email).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.server import audit
from sync.server.settings import Settings
from sync.server.storage.repo import Tx
from sync.server.storage.tables import stamp, unstamp

log = logging.getLogger("companion.server.security")


@dataclass(frozen=True, slots=True)
class Throttled:
    """Refused before the password was looked at; ``retry_after`` in whole seconds."""

    reason: str  # "address", "pair" or "slowed"
    retry_after: int

    @property
    def detail(self) -> str:
        if self.reason == "address":
            return "too many failed sign-ins from this address; try again later"
        if self.reason == "pair":
            return (
                "too many failed sign-ins to this account from this address: "
                f"try again in {minutes(self.retry_after)}"
            )
        return f"this account has had many failed sign-ins: wait {self.retry_after} s and try again"


@dataclass(frozen=True, slots=True)
class Attempt:
    """An attempt let through, recorded as pending: the account it names (None: no such
    account, checked against a dummy hash all the same)."""

    id: int
    account: str
    email: str
    remote: str
    coordinator_id: int | None
    program_id: int | None
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class Failed:
    """The password was wrong (or the account unknown); ``locked``: this failure locked
    the (account, address) pair."""

    locked: bool
    retry_after: int


def account_key(email: str) -> str:
    """What the throttle counts an (already normalised) email by: a digest."""
    return hashlib.sha256(email.encode()).hexdigest()


def minutes(seconds: int) -> str:
    n = max(1, math.ceil(seconds / 60))
    return f"{n} minute{'s' if n != 1 else ''}"


def _until(oldest: str | None, window: timedelta, now: datetime) -> int:
    """Seconds until the oldest counted attempt leaves the window (at least 1)."""
    if oldest is None:
        return 1
    return max(1, math.ceil((unstamp(oldest) + window - now).total_seconds()))


def slow_wait(failures: int, settings: Settings) -> int:
    """The wait, in seconds, of the slow-down after ``failures`` failures on an account."""
    over = failures - settings.signin_slow_after
    if over < 0:
        return 0
    return min(settings.signin_slow_max_s, 2 ** min(over + 1, 30))


def begin(tx: Tx, email: str, remote: str, now: datetime,
          settings: Settings) -> Attempt | Throttled:  # fmt: skip
    """Decide whether an attempt may be checked; when it may, record it as pending."""
    account = account_key(email)
    found = tx.lock_account(email)
    window = settings.attempts_window
    counts = tx.attempt_counts(
        account, remote, stamp(now - window),
        stamp(now - timedelta(days=settings.usual_address_days)),
    )  # fmt: skip
    if counts.from_address >= settings.attempts_limit:
        return Throttled("address", _until(counts.oldest_from_address, window, now))
    if counts.pair >= settings.signin_pair_limit:
        return Throttled("pair", _until(counts.oldest_pair, window, now))
    wait = 0 if counts.usual_address else slow_wait(counts.account, settings)
    if wait and counts.newest_account is not None:
        ready = unstamp(counts.newest_account) + timedelta(seconds=wait)
        if now < ready:
            return Throttled("slowed", max(1, math.ceil((ready - now).total_seconds())))
    at = stamp(now)
    tx.prune_attempts(
        stamp(now - 2 * window), stamp(now - timedelta(days=settings.usual_address_days))
    )
    attempt_id = tx.add_attempt(account, found[0] if found else None, remote, at)
    return Attempt(attempt_id, account, email, remote, found[0] if found else None,
                   found[1] if found else None, found[2] if found else None)  # fmt: skip


def fail(tx: Tx, attempt: Attempt, now: datetime, settings: Settings) -> Failed:
    """Record the attempt as failed; says whether it locked its (account, address) pair,
    and logs the security events (a lock-out, the start of an account's slow-down)."""
    tx.finish_attempt(attempt.id, ok=False)
    window = settings.attempts_window
    usual_since = stamp(now - timedelta(days=settings.usual_address_days))
    counts = tx.attempt_counts(attempt.account, attempt.remote, stamp(now - window), usual_since)
    cid = attempt.coordinator_id
    who = f"coordinator {cid}" if cid else "an unknown account"
    locked = counts.pair >= settings.signin_pair_limit
    actor = _actor(attempt)
    if actor is not None:  # an unknown account belongs to no program's trail
        audit.record(tx, actor, "signin.failed", now)
    if counts.pair == settings.signin_pair_limit:
        log.warning("security: sign-in locked for %s from %s after %d failures",
                    who, attempt.remote, counts.pair)  # fmt: skip
        if actor is not None:
            audit.record(tx, actor, "signin.locked", now, detail=f"{counts.pair} failures")
    if counts.account == settings.signin_slow_after:
        log.warning("security: sign-ins to %s slowed after %d failures from anywhere",
                    who, counts.account)  # fmt: skip
    return Failed(locked, _until(counts.oldest_pair, window, now) if locked else 0)


def succeed(tx: Tx, attempt: Attempt, now: datetime) -> None:
    """Record the attempt as a success: its address is now one the account uses."""
    tx.finish_attempt(attempt.id, ok=True)
    actor = _actor(attempt)
    assert actor is not None
    audit.record(tx, actor, "signin", now)


def _actor(attempt: Attempt) -> audit.Actor | None:
    if attempt.coordinator_id is None or attempt.program_id is None:
        return None
    return audit.Actor("coordinator", attempt.coordinator_id, attempt.email,
                       attempt.program_id, attempt.remote)  # fmt: skip
