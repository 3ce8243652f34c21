"""Reflections, barrier insights, strategies and checklist templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from companion.domain.catchup import REFLECT, TELL, template_items, tick
from companion.domain.journal import (
    Barrier,
    JournalError,
    Reflection,
    insights,
    suggested_strategies,
)
from companion.domain.schedule import Kind

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def refl(days_ago: int, *barriers: Barrier) -> Reflection:
    return Reflection(when=NOW - timedelta(days=days_ago), barriers=barriers, what_happened="x")


def test_insights_count_per_barrier_in_the_period() -> None:
    found = insights(
        [
            refl(1, Barrier.WORK_SCHOOL),
            refl(8, Barrier.WORK_SCHOOL, Barrier.TECHNICAL),
            refl(20, Barrier.TECHNICAL, Barrier.TECHNICAL),
            refl(100, Barrier.HEALTH),
        ],
        NOW - timedelta(weeks=12),
        NOW,
    )
    # ties keep the barriers' own order
    assert [(i.barrier, i.count) for i in found] == [
        (Barrier.TECHNICAL, 2),
        (Barrier.WORK_SCHOOL, 2),
    ]
    assert any("camera" in s for s in found[0].strategies)


def test_every_barrier_has_strategies_from_the_seeds() -> None:
    joined = " ".join(s for b in Barrier for s in suggested_strategies([b]))
    for phrase in (
        "reminders",
        "quiet space",
        "block session times",
        "test camera",
        "family and friends",
        "coordinator",
    ):
        assert phrase in joined
    assert len(suggested_strategies([Barrier.WORK_SCHOOL, Barrier.FORGOT])) == len(
        set(suggested_strategies([Barrier.WORK_SCHOOL, Barrier.FORGOT]))
    )


@pytest.mark.parametrize("text", ["work", "work/school", "work_school", "Family/Childcare", "emo"])
def test_barrier_parse_accepts_people_words(text: str) -> None:
    assert isinstance(Barrier.parse(text), Barrier)


def test_barrier_parse_rejects_unknown() -> None:
    with pytest.raises(JournalError, match="unknown barrier"):
        Barrier.parse("aliens")


def test_reflection_is_private_by_default_and_validated() -> None:
    assert refl(0, Barrier.HEALTH).shared is False
    with pytest.raises(JournalError):
        Reflection(when=NOW, barriers=(), mood=3)
    with pytest.raises(JournalError):
        Reflection(when=NOW, barriers=(Barrier.HEALTH,), mood=9)


def test_templates_differ_by_kind() -> None:
    group = [i.text for i in template_items(Kind.GROUP)]
    workshop = [i.text for i in template_items(Kind.WORKSHOP)]
    individual = [i.text for i in template_items(Kind.INDIVIDUAL)]
    assert "read the session notes" in group and "watch the recording" not in group
    assert "watch the recording" in workshop
    assert individual[0] == "tell the coordinator" and "ask about a make-up session" in individual
    assert [i.key for i in template_items("unknown-kind")] == [TELL, REFLECT]


def test_tick_by_key_keeps_existing_ticks() -> None:
    items = template_items(Kind.GROUP)
    once = tick(items, REFLECT, NOW)
    again = tick(once, REFLECT, NOW + timedelta(days=1))
    reflect = next(i for i in again if i.key == REFLECT)
    assert reflect.done_at == NOW
