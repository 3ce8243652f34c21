"""The app's side of sync: one round (drain the outbox, pull changes) and the indicator's
state. Both run on a backend thread and only call the sync layer's public functions
(``sync.client``, ``companion.actions.notify``), imported lazily."""

from __future__ import annotations

from dataclasses import dataclass, replace

from companion.actions.profile import Profile
from companion.tui import optional
from companion.tui.messages import SyncState


@dataclass(frozen=True, slots=True)
class RoundResult:
    """What one round did, for the indicator and the notifications."""

    state: SyncState
    delivered: int = 0
    replies: int = 0
    changed: int = 0
    set_aside: tuple[str, ...] = ()  # one line per change from the server set aside


def outbox_counts(profile: Profile) -> tuple[int, int]:
    """(queued, failed) notices in the outbox; (0, 0) without the notify layer."""
    notify = optional.notify()
    if notify is None:
        return 0, 0
    states = [e.notice.state.value for e in notify.outbox(profile)]
    return states.count("queued"), states.count("failed")


def is_enrolled(profile: Profile) -> bool:
    client = optional.sync_client()
    return bool(client is not None and client.is_enrolled(profile))


def current_state(profile: Profile, previous: SyncState) -> SyncState:
    """The indicator after a local change: enrolment and outbox counts, same online flag."""
    queued, failed = outbox_counts(profile)
    enrolled = is_enrolled(profile)
    return replace(
        previous,
        enrolled=enrolled,
        queued=queued,
        failed=failed,
        online=previous.online if enrolled else None,
    )


def sync_round(profile: Profile, timeout: float = 10.0) -> RoundResult:
    """Run one sync when enrolled; never raises for network trouble."""
    client = optional.sync_client()
    if client is None or not client.is_enrolled(profile):
        return RoundResult(current_state(profile, SyncState()))
    result = client.sync_now(profile, timeout=timeout)
    queued, failed = outbox_counts(profile)
    online = {"ok": True, "offline": False}.get(result.state)
    state = SyncState(
        enrolled=True,
        online=online if online is not None else result.state != "failed",
        queued=queued,
        failed=failed,
        message=result.message,
        last_sync=profile.now(),
    )
    return RoundResult(
        state,
        result.delivered,
        result.changes.replies,
        result.changes.total,
        tuple(result.changes.set_aside),
    )
