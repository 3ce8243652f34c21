"""What kind of session an imported event is, from its CATEGORIES or its title.

The strongest word wins, not the first one listed: "DBT Skills Group" is a group (the
format, "group", says more than the content, "skills"), "Relapse Prevention Workshop" a
workshop, "IOP Check-in" an individual session. Words are matched whole ("class" is not
in "classic"), but for the parts of compound words ("~gruppe" in "Angehörigengruppe",
"~einzel" in "Einzelgespräch"). CATEGORIES, when one of them names a kind, win over the
title: the program chose them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from companion.domain.schedule import Kind

# Strongest first. Tier 1 names the format of the session; tier 2 what happens in it.
WORDS: tuple[tuple[Kind, tuple[str, ...]], ...] = (
    (Kind.GROUP, ("group", "groups", "~gruppe", "groupe", "grupo", "grupa", "circle")),
    (Kind.INDIVIDUAL, ("individual", "1:1", "1-on-1", "one-on-one", "one to one", "~einzel",
                       "individuel", "individuelle", "individuales")),
    (Kind.WORKSHOP, ("workshop", "workshops", "class", "seminar", "webinar", "lecture",
                     "course", "taller", "atelier")),
    (Kind.INDIVIDUAL, ("intake", "check-in", "checkin", "check in", "psychiatry",
                       "psychiatric", "psychiatrist", "medication", "med management",
                       "counselling", "counseling", "therapist", "assessment")),
    (Kind.WORKSHOP, ("skills", "psychoeducation", "psycho-education", "~psychoedukation",
                     "education", "educational", "training", "~schulung")),
    (Kind.GROUP, ("process", "dbt", "cbt", "peer support", "support", "smart recovery",
                  "12-step")),
)  # fmt: skip


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    whole = "|".join(re.escape(w) for w in words if not w.startswith("~"))
    parts = "|".join(re.escape(w[1:]) for w in words if w.startswith("~"))
    alternatives = [f"(?<![\\w-])({whole})(?![\\w-])"] + ([parts] if parts else [])
    return re.compile("|".join(alternatives))


_PATTERNS = tuple((kind, _pattern(words)) for kind, words in WORDS)


def kind_of_text(text: str) -> Kind | None:
    """The kind the strongest word of ``text`` names, or None."""
    low = text.lower()
    for kind, pattern in _PATTERNS:
        if pattern.search(low):
            return kind
    return None


def classify(title: str, categories: Iterable[str] = ()) -> Kind:
    """The kind of an event: its CATEGORIES first (a kind's own name or its words), then
    its title; ``other`` when neither says."""
    for category in categories:
        name = category.strip().lower()
        if name in {k.value for k in Kind}:
            return Kind(name)
        found = kind_of_text(name)
        if found is not None:
            return found
    return kind_of_text(title) or Kind.OTHER
