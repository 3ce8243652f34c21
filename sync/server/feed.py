"""The calendar feed's operations, with no HTTP: a device's feed with its validators
(a strong ETag and Last-Modified) and conditional requests, and the device's preferences.

A feed is a per-device resource. Its content depends on the program's series (the
program's change counter), the client's advance notices (the client's feed revision),
the device's discreet choice or the program default it follows (the device's feed
revision), and the renderer itself (the server version and refresh interval: ``salt``).
The ETag is made of exactly those, so it changes whenever the bytes can and only then,
and a 304 costs one indexed lookup and no rendering.

Last-Modified has whole seconds, so a second change within the second of a first one
would look unmodified to a calendar app that sends only If-Modified-Since. The feed
therefore sends Last-Modified only once its last change is ``SETTLED`` in the past
(the second is over, plus a second for a write still committing); until then such an
app simply fetches the whole feed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from companion import __version__
from companion.domain.notices import makeup_uid
from sync.protocol import Preferences, SeriesWire
from sync.server import makeups
from sync.server.core import NotFound
from sync.server.schedules import usable_wires
from sync.server.storage.repo import DeviceAuth, FeedState, Tx
from sync.server.storage.repo_program import ProgramRow
from sync.server.storage.runner import batched
from sync.server.storage.tables import stamp, unstamp

SETTLED = timedelta(seconds=2)


def salt(refresh_min: int) -> str:
    """The part of the ETag that stands for the renderer: another server version or
    refresh interval writes other bytes for the same data."""
    return hashlib.sha256(f"{__version__}/{refresh_min}".encode()).hexdigest()[:8]


def etag_of(state: FeedState, salt: str) -> str:
    return (f'"{state.program_id}.{state.last_change}.{state.feed_rev}.{state.device_rev}'
            f'-{salt}"')  # fmt: skip


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """One request for a feed: the token's digest and the conditional headers as sent."""

    feed_hash: str
    if_none_match: str | None
    if_modified_since: str | None
    now: datetime
    salt: str


@dataclass(frozen=True, slots=True)
class Validators:
    """The headers that identify the feed's current content."""

    etag: str
    last_modified: datetime | None  # None while the last change is not settled

    def headers(self) -> dict[str, str]:
        out = {"ETag": self.etag}
        if self.last_modified is not None:
            out["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        return out


@dataclass(frozen=True, slots=True)
class NotModified:
    validators: Validators


@dataclass(frozen=True, slots=True)
class FeedData:
    """What the calendar feed shows; rendered by ``companion.ics.export_calendar``."""

    validators: Validators
    program: ProgramRow
    client_id: int
    calendar_uid: str
    series: list[SeriesWire]
    series_modified: dict[str, datetime]
    excused: dict[tuple[str, datetime], datetime]  # (uid, original start) -> received
    changed_at: datetime
    discreet: bool


FeedResult = FeedData | NotModified | NotFound


def _validators(state: FeedState, request: FeedRequest) -> Validators:
    changed = unstamp(state.changed_at).replace(microsecond=0)
    settled = request.now.astimezone(UTC) >= changed + SETTLED
    return Validators(etag_of(state, request.salt), changed if settled else None)


def _not_modified(validators: Validators, request: FeedRequest) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when sent; otherwise If-Modified-Since."""
    if request.if_none_match and request.if_none_match.strip():
        return _matches(request.if_none_match, validators.etag)
    since = http_date(request.if_modified_since)
    if since is None or validators.last_modified is None or since > request.now:
        return False  # no date, no reliable Last-Modified, or a client clock ahead
    return validators.last_modified <= since


def _feed_for(tx: Tx, state: FeedState | None, request: FeedRequest) -> FeedResult:
    if state is None:
        return NotFound("no such calendar feed")
    validators = _validators(state, request)
    if _not_modified(validators, request):
        return NotModified(validators)
    program = tx.program(state.program_id)
    assert program is not None
    rows = tx.series_bodies(program.id)
    excused = {
        (uid, unstamp(start)): unstamp(received)
        for uid, start, received in tx.advance_notice_times(state.client_id)
    }
    made_up = makeups.accepted_series(tx, program.id, state.client_id)
    chosen = {makeup_uid(r): unstamp(c["received_at"])
              for r, c in tx.standing_choices(client_id=state.client_id).items()}  # fmt: skip
    return FeedData(
        validators=validators, program=program, client_id=state.client_id,
        calendar_uid=calendar_uid(state, request.feed_hash),
        series=usable_wires(rows) + made_up,
        series_modified={uid: unstamp(at) for uid, _, at in rows} | chosen,
        excused=excused, changed_at=unstamp(state.changed_at), discreet=state.is_discreet,
    )  # fmt: skip


def calendar_uid(state: FeedState, feed_hash: str) -> str:
    """The calendar's UID: stable per device; in a discreet feed derived from the feed
    token's digest, so it names neither the program nor the app and cannot be guessed."""
    if not state.is_discreet:
        return f"companion-feed-{state.program_id}-{state.client_id}"
    return hashlib.sha256(f"calendar/{feed_hash}".encode()).hexdigest()[:32]


def _feeds_many(tx: Tx, calls: list[tuple[FeedRequest]]) -> list[FeedResult]:
    states = tx.feeds_by_tokens({request.feed_hash for (request,) in calls})
    return [_feed_for(tx, states.get(request.feed_hash), request) for (request,) in calls]


@batched(_feeds_many)
def feed(tx: Tx, request: FeedRequest) -> FeedResult:
    """The calendar feed's content, or NotModified when the client's copy is current."""
    return _feed_for(tx, tx.feed_by_token(request.feed_hash), request)


def _matches(header: str, etag: str) -> bool:
    """If-None-Match semantics (RFC 9110 13.1.2): weak comparison, ``*`` matches all."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def http_date(value: str | None) -> datetime | None:
    """An HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) as an aware
    UTC datetime; None for anything else (RFC 9110 13.1.3: an invalid date is ignored)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # asctime carries no zone: HTTP-dates are all GMT
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# -- the device's preferences (PUT /v1/preferences) -------------------------------------


def preferences(tx: Tx, auth: DeviceAuth) -> Preferences:
    """The calling device's preferences and what its feed serves because of them."""
    found = tx.device_discreet(auth.device_id)
    assert found is not None  # the token lookup just found this device
    return _preferences(*found)


def set_preferences(tx: Tx, auth: DeviceAuth, discreet: bool | None,
                    now: datetime) -> Preferences:  # fmt: skip
    """Store the device's discreet choice. Its feed revision (and so its ETag) changes
    only when what the feed serves changes: not for a repeat, nor for a choice equal to
    the program's default it followed already."""
    found = tx.device_discreet(auth.device_id, lock=True)
    assert found is not None
    before, default = found
    if discreet != before:
        after = _preferences(discreet, default)
        changed = after.feed_discreet != _preferences(before, default).feed_discreet
        tx.set_device_discreet(auth.device_id, discreet, stamp(now), feed_changed=changed)
    return _preferences(discreet, default)


def _preferences(discreet: bool | None, default: bool) -> Preferences:
    default = bool(default)
    effective = default if discreet is None else bool(discreet)
    return Preferences(discreet=discreet, program_default=default, feed_discreet=effective)
