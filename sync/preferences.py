"""The device's preferences on the program server: today, whether its calendar feed is
discreet. Sent with a sync only when they differ from what the server last acknowledged,
so an idle sync stays one request.

The client's setting is a yes/no (``Settings.discreet``). Yes asks for a discreet feed;
no leaves the feed to the program's default (``null`` on the wire), so a program that
keeps feeds discreet by default stays discreet for a client who never chose. A device
that wants session titles against a discreet default sends ``false`` (the API takes it;
the app does not offer it).
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.actions.profile import Profile
from companion.store import repo_sync
from sync.protocol import Preferences, PreferencesIn
from sync.transport import Api

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class FeedChoice:
    """What a sync told the server, and what the device's feed serves now."""

    sent: bool | None
    feed_discreet: bool


def wanted(profile: Profile) -> bool | None:
    """The choice this device asks the server for (None: the program's default)."""
    return True if profile.settings.discreet else None


def pending(profile: Profile) -> bool:
    """True when the choice differs from what the server last acknowledged."""
    known = repo_sync.get_discreet(profile.store.conn)
    return known is not None and known[0] != wanted(profile)


def send_if_changed(profile: Profile, api: Api) -> FeedChoice | None:
    """PUT /v1/preferences when the choice changed since the server last acknowledged
    it; None when there was nothing to send. Raises ``SyncError`` like any call."""
    if not pending(profile):
        return None
    choice = wanted(profile)
    body = PreferencesIn(discreet=choice).model_dump_json().encode()
    answer = Preferences.model_validate(
        api.call("PUT", "/v1/preferences", content=body, headers=JSON)
    )
    with profile.store.transaction() as conn:
        repo_sync.set_discreet(conn, answer.discreet, answer.program_default)
    return FeedChoice(answer.discreet, answer.feed_discreet)
