"""The kind of session an imported event is: the strongest word of its title, or its
CATEGORIES, on titles programs really use."""

from __future__ import annotations

import pytest

from companion.domain.schedule import Kind
from companion.ics.kinds import classify

TITLES = [
    ("DBT Skills Group", Kind.GROUP),  # "group" is stronger than "skills"
    ("Process Group", Kind.GROUP),
    ("Evening IOP Process Group", Kind.GROUP),
    ("Group Therapy – Relapse Prevention", Kind.GROUP),
    ("Women's Support Group", Kind.GROUP),
    ("Recovery Circle", Kind.GROUP),
    ("Angehörigengruppe (Familie & Freunde)", Kind.GROUP),
    ("Grupo de apoyo", Kind.GROUP),
    ("Peer support", Kind.GROUP),
    ("DBT", Kind.GROUP),
    ("IOP Check-in", Kind.INDIVIDUAL),
    ("Weekly check in with Sam", Kind.INDIVIDUAL),
    ("Intake", Kind.INDIVIDUAL),
    ("Individual therapy", Kind.INDIVIDUAL),
    ("Individual counselling", Kind.INDIVIDUAL),
    ("1:1 with your counselor", Kind.INDIVIDUAL),
    ("Psychiatry follow-up", Kind.INDIVIDUAL),
    ("Medication management", Kind.INDIVIDUAL),
    ("Einzelgespräch", Kind.INDIVIDUAL),
    ("Relapse Prevention Workshop", Kind.WORKSHOP),
    ("Coping Skills", Kind.WORKSHOP),
    ("Skills training: emotion regulation", Kind.WORKSHOP),
    ("Psychoeducation: sleep and recovery", Kind.WORKSHOP),
    ("Psychoedukation", Kind.WORKSHOP),
    ("Nutrition class", Kind.WORKSHOP),
    ("Family Session", Kind.OTHER),
    ("Family program", Kind.OTHER),
    ("Mindfulness practice", Kind.OTHER),
    ("Classic films night", Kind.OTHER),  # "class" only as a whole word
    ("Processing emotions", Kind.OTHER),  # nor "process"
]


@pytest.mark.parametrize(("title", "kind"), TITLES)
def test_title(title: str, kind: Kind) -> None:
    assert classify(title) is kind


def test_categories_win_over_the_title() -> None:
    assert classify("Wellbeing talk for the whole group", ["Workshop", "Northgate"]) is (
        Kind.WORKSHOP
    )
    assert classify("Mindfulness practice", ["Group"]) is Kind.GROUP
    assert classify("DBT Skills Group", ["individual"]) is Kind.INDIVIDUAL
    # categories that name no kind leave it to the title
    assert classify("DBT Skills Group", ["Business", "Blue category"]) is Kind.GROUP
