"""The domain's basic terms: the kinds of session, the barriers, and the bounds every
series keeps. What argument parsing needs, without the recurrence engine or the journal
(``companion.domain.schedule`` and ``companion.domain.journal`` build on these)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

# Bounds that keep every expansion cheap, however a rule is written (issue 10, 11):
# a session repeats at most once a day, and a rule must produce a session soon.
SUB_DAILY = ("SECONDLY", "MINUTELY", "HOURLY")
TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
MAX_INTERVAL = 1000
MAX_COUNT = 5000
MAX_OCCURRENCES = 10_000  # most original starts one expansion returns for one series
FIRST_WITHIN_YEARS = 28  # a rule's first session comes within this (the weekday cycle)
YEARS = (1900, 2200)  # a series starts within these years
MAX_REMINDER = timedelta(days=14)
MAX_DURATION = timedelta(hours=24)
DESCRIPTION_LIMIT = 20_000  # characters of a program's DESCRIPTION (a Teams invite: ~1,500)
LOCATION_LIMIT = 1_000
TITLE_LIMIT = 200


class ScheduleError(ValueError):
    """A series definition that cannot be used (bad rule, bad timezone, bad times)."""


class Kind(StrEnum):
    """What sort of session a series is; picks the catch-up template."""

    GROUP = "group"
    INDIVIDUAL = "individual"
    WORKSHOP = "workshop"
    OTHER = "other"

    @classmethod
    def of(cls, value: str) -> Kind:
        """The kind named ``value``; anything unknown is ``other``."""
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER

    @property
    def label(self) -> str:
        return {
            "group": "group therapy",
            "individual": "individual counselling",
            "workshop": "educational workshop",
            "other": "session",
        }[self.value]

    def after(self, title: str) -> str:
        """' (group therapy)' to follow ``title``; empty when the title already says it
        ("Individual counselling") or the kind says nothing ("session")."""
        if self is Kind.OTHER or self.label.casefold() in title.casefold():
            return ""
        return f" ({self.label})"


class JournalError(ValueError):
    """A reflection that cannot be saved as given."""


class Barrier(StrEnum):
    """Why a session was missed (or nearly missed)."""

    TECHNICAL = "technical"
    WORK_SCHOOL = "work_school"
    FAMILY_CHILDCARE = "family_childcare"
    HEALTH = "health"
    EMOTIONAL = "emotional"
    MOTIVATION = "motivation"
    FORGOT = "forgot"
    NO_PRIVATE_SPACE = "no_private_space"
    OTHER = "other"

    @property
    def label(self) -> str:
        return BARRIER_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Barrier:
        """Accept the value, the label, or a unique prefix ("work", "family/childcare")."""
        key = text.strip().lower()
        for barrier in cls:
            if key in (barrier.value, barrier.label, barrier.label.replace("/", "_")):
                return barrier
        matches = [b for b in cls if b.value.startswith(key) or b.label.startswith(key)]
        if key and len(matches) == 1:
            return matches[0]
        choices = ", ".join(b.value for b in cls)
        raise JournalError(f"unknown barrier {text!r} (choose from {choices})")


BARRIER_LABELS = {
    Barrier.TECHNICAL: "technical",
    Barrier.WORK_SCHOOL: "work/school",
    Barrier.FAMILY_CHILDCARE: "family/childcare",
    Barrier.HEALTH: "health",
    Barrier.EMOTIONAL: "emotional/symptoms",
    Barrier.MOTIVATION: "motivation",
    Barrier.FORGOT: "forgot/scheduling",
    Barrier.NO_PRIVATE_SPACE: "no private space",
    Barrier.OTHER: "other",
}
