"""The app's side of sync: one round (drain the outbox, pull changes), the outbox counts,
and how both fold into the header's indicator. The rounds and counts run on a backend
thread and only call the sync layer's public functions (``sync.client``,
``companion.actions.notify``), imported lazily; :func:`merged` runs on the event loop, so
the indicator always starts from its current state, never from one a slow worker saw."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from companion.actions.profile import Profile
from companion.tui import optional
from companion.tui.messages import SyncState

# What a sync round's state says about the server: it answered, it did not, or it
# answered with a refusal. "busy" (another process's sync held the lock) and
# "not_enrolled" made no request of ours, so they leave the indicator's link as it was.
LINK = {"ok": "online", "offline": "offline", "failed": "error"}


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """Enrolment and the outbox counts, as the indicator shows them."""

    enrolled: bool = False
    queued: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class RoundResult:
    """What one round did, for the indicator and the notifications."""

    status: OutboxStatus
    link: str = ""  # "" when no request was made
    message: str = ""
    at: datetime | None = None
    delivered: int = 0
    choices: int = 0  # of ``delivered``: make-up choices
    replies: int = 0
    changed: int = 0
    set_aside: tuple[str, ...] = ()  # one line per change from the server set aside


def outbox_counts(profile: Profile) -> tuple[int, int]:
    """(queued, failed) notices and make-up choices in the outbox; (0, 0) without the
    notify layer."""
    notify = optional.notify()
    if notify is None:
        return 0, 0
    from companion.store import repo_makeup

    states = [e.notice.state.value for e in notify.outbox(profile)]
    states += repo_makeup.states(profile.store.conn).values()
    return states.count("queued"), states.count("failed")


def is_enrolled(profile: Profile) -> bool:
    client = optional.sync_client()
    return bool(client is not None and client.is_enrolled(profile))


def outbox_status(profile: Profile) -> OutboxStatus:
    """Enrolment and the outbox counts after a local change (no request is made)."""
    return OutboxStatus(is_enrolled(profile), *outbox_counts(profile))


def sync_round(profile: Profile, timeout: float = 10.0) -> RoundResult:
    """Run one sync when enrolled; never raises for network trouble."""
    client = optional.sync_client()
    if client is None or not client.is_enrolled(profile):
        return RoundResult(outbox_status(profile))
    result = client.sync_now(profile, timeout=timeout)
    return RoundResult(
        OutboxStatus(True, *outbox_counts(profile)),
        link=LINK.get(result.state, ""),
        message=result.message,
        at=profile.now(),
        delivered=result.delivered,
        choices=result.choices,
        replies=result.changes.replies,
        changed=result.changes.total,
        set_aside=tuple(result.changes.set_aside),
    )


def with_status(state: SyncState, status: OutboxStatus) -> SyncState:
    """The indicator with new counts; leaving the program forgets the link."""
    if not status.enrolled:
        return SyncState(queued=status.queued, failed=status.failed)
    return replace(state, enrolled=True, queued=status.queued, failed=status.failed)


def merged(state: SyncState, result: RoundResult) -> SyncState:
    """The indicator after a round: its counts, and the link of the request it made."""
    state = with_status(state, result.status)
    if not state.enrolled or not result.link:
        return state
    last = result.at if result.link == "online" else state.last_sync
    return replace(state, link=result.link, message=result.message, last_sync=last)
