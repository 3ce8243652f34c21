"""Need help now: the contacts to show (the program's, then the defaults) and the gentle
offer after a low-mood reflection, for the app and `companion help-now`.

Nothing here makes a request or records that the panel was opened; the only thing
written is the day the offer was last shown, so it comes at most once a day.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from companion.actions.profile import Profile
from companion.domain.help_now import (
    DEFAULT_CONTACTS,
    CrisisContact,
    contacts_to_show,
    should_offer,
)
from companion.domain.journal import Reflection
from companion.errors import ProfileError, one_line
from companion.paths import Paths
from companion.store import repo_help

HEADING = "Need help now?"
INTRO = (
    "If you are in danger or thinking about harming yourself, reach out now: you do not "
    "have to wait for your next session."
)
PRIVATE = "Nothing here is sent anywhere: Companion tells no one you looked."
OFFER = "Thank you for writing this down. Would it help to see who you can reach right now?"
CLI_OFFER = "If it would help to talk to someone now, `companion help-now` lists who you can reach."


@dataclass(frozen=True, slots=True)
class Panel:
    """What the panel shows: the program's own contacts (under its name), then those for
    everyone (988 and the local emergency number, less any the program lists itself)."""

    program: str = ""
    own: tuple[CrisisContact, ...] = ()
    everyone: tuple[CrisisContact, ...] = DEFAULT_CONTACTS

    def contacts(self) -> list[CrisisContact]:
        return [*self.own, *self.everyone]


def panel(profile: Profile) -> Panel:
    """The panel's contents; the defaults alone when the store cannot be read."""
    try:
        own = repo_help.program_contacts(profile.store.conn)
    except sqlite3.Error:
        return Panel()
    shown = contacts_to_show(own)
    return Panel(program_label(profile), tuple(own), tuple(shown[len(own) :]))


def contacts(profile: Profile) -> list[CrisisContact]:
    """The program's contacts first, then 988 and the line for outside the US. A store
    that cannot be read still gives the defaults: the panel always has something."""
    try:
        program = repo_help.program_contacts(profile.store.conn)
    except sqlite3.Error:
        return list(DEFAULT_CONTACTS)
    return contacts_to_show(program)


def program_label(profile: Profile) -> str:
    """Whose contacts come first: the program's name when one is enrolled or set."""
    try:
        return profile.program().name if profile.has_program() else ""
    except sqlite3.Error:
        return ""


def panel_lines(found: Panel) -> list[str]:
    """What `companion help-now` prints: the panel as lines of text."""
    return [HEADING, INTRO, "", *(f"- {c.line()}" for c in found.contacts()), "", PRIVATE]


def from_paths(paths: Paths) -> tuple[Panel, str]:
    """The panel for the profile at ``paths``, and why the program's contacts are missing
    ('' when they are not). Never raises for the profile: a missing one is not created,
    and a damaged one (database or settings) still gives the defaults."""
    if not paths.database.exists():
        return Panel(), ""
    try:
        profile = Profile.open(paths)
    except (ProfileError, sqlite3.Error, OSError) as exc:
        return Panel(), f"your program's contacts could not be read ({one_line(str(exc))})"
    try:
        return panel(profile), ""
    finally:
        profile.close()


def offer_after(profile: Profile, reflection: Reflection) -> bool:
    """Whether to offer the panel after ``reflection`` was saved; when yes, today is
    remembered so the offer is not made again until tomorrow (the profile's local day)."""
    today = profile.now().astimezone(profile.tz()).date()
    with profile.store.transaction() as conn:
        last = repo_help.offered_on(conn)
        if not should_offer(reflection.mood, reflection.barriers, last, today):
            return False
        repo_help.mark_offered(conn, today)
    return True
