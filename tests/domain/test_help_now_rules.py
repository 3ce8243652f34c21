"""Need help now, the pure part: which contacts, in which words, checked how, and when
the app offers the panel after a reflection."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from companion.domain.help_now import (
    DEFAULT_CONTACTS,
    ELSEWHERE,
    LIFELINE,
    LOWEST_MOOD,
    MAX_CONTACTS,
    ContactError,
    CrisisContact,
    check_contact,
    check_contacts,
    contacts_to_show,
    low_moment,
    offer_due,
    should_offer,
)
from companion.domain.journal import Barrier, Reflection

E, W = Barrier.EMOTIONAL, Barrier.WORK_SCHOOL
MON, TUE = date(2026, 11, 30), date(2026, 12, 1)


def test_the_defaults_read_as_the_issue_says() -> None:
    assert [c.line() for c in DEFAULT_CONTACTS] == [
        "988 Suicide & Crisis Lifeline — call or text 988 (US)",
        "Outside the US: call your local emergency number",
    ]


def test_the_programs_contacts_come_first_and_988_is_not_repeated() -> None:
    own = CrisisContact("After-hours line", phone="+1 212 555 0100", note="17:00-23:00")
    assert contacts_to_show([]) == [LIFELINE, ELSEWHERE]
    assert contacts_to_show([own]) == [own, LIFELINE, ELSEWHERE]
    their_988 = CrisisContact("988 Lifeline (Spanish: press 2)", phone="988")
    assert contacts_to_show([own, their_988]) == [own, their_988, ELSEWHERE]


@pytest.mark.parametrize(
    ("contact", "line"),
    [
        (CrisisContact("A", phone="112"), "A — call 112"),
        (CrisisContact("A", sms="741741", note="text HOME"), "A — text 741741 (text HOME)"),
        (CrisisContact("A", phone="1", sms="2", url="https://x.org"), "A — call 1, text 2, https://x.org"),
        (CrisisContact("A"), "A"),
    ],
)  # fmt: skip
def test_how_a_contact_reads(contact: CrisisContact, line: str) -> None:
    assert contact.line() == line


@pytest.mark.parametrize(
    "fields",
    [
        {"phone": "988"},
        {"phone": "+1 (212) 555-0100"},
        {"phone": "0800.111.0111"},
        {"sms": "741741"},
        {"url": "https://988lifeline.org/chat"},
        {"url": "http://example.org"},
        {"url": "tel:+1-212-555-0100"},
        {"url": "sms:988"},
        {"url": "TEL:988"},
    ],
)
def test_what_a_program_may_publish(fields: dict[str, str]) -> None:
    check_contact("Line", **fields)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"phone": "12"}, "phone: a phone number of 3-15 digits"),
        ({"phone": "1234567890123456"}, "phone: a phone number"),
        ({"phone": "+1 212 555 0100 ext 3"}, "phone: a phone number"),
        ({"phone": "1-800-FLOWERS"}, "phone: a phone number"),
        ({"sms": "--988"}, "sms: a phone number"),
        ({"url": "javascript:alert(1)"}, "url: only https://"),
        ({"url": "data:text/html,<b>hi</b>"}, "url: only https://"),
        ({"url": "https://user@evil.example"}, "url: only https://"),
        ({"url": "https://"}, "url: only https://"),
        ({"url": "tel:988 1"}, "url: only https://"),
        ({"url": "sms:"}, "url: only https://"),
        ({"url": "https://x.org/" + "a" * 500}, "url: at most 500 characters"),
        ({"phone": "988", "note": "line\nbreak"}, "note: must be one line"),
        ({"phone": "988", "note": "\u202e"}, None),  # bidi override: not Cc, allowed
        ({}, "Line: give a number to call or text, or a link"),
    ],
)
def test_what_is_refused(fields: dict[str, str], reason: str | None) -> None:
    if reason is None:
        check_contact("Line", **fields)
        return
    with pytest.raises(ContactError, match="^" + reason.replace("(", r"\(")):
        check_contact("Line", **fields)


def test_names_and_list_bounds() -> None:
    assert check_contact("  Line  ", phone=" 988 ") == CrisisContact("Line", phone="988")
    for name, reason in (
        ("", "give a name"),
        ("x" * 101, "at most 100"),
        ("a\x00b", "must be one line"),
    ):
        with pytest.raises(ContactError, match=f"^name: {reason}"):
            check_contact(name, phone="988")
    many = [CrisisContact("Line", phone="988")] * (MAX_CONTACTS + 1)
    with pytest.raises(ContactError, match="at most 10 crisis contacts"):
        check_contacts(many)
    assert len(check_contacts(many[:MAX_CONTACTS])) == MAX_CONTACTS


@pytest.mark.parametrize(
    ("mood", "barriers", "hard"),
    [
        (1, (), True),  # the lowest mood on the journal's 1-5 scale
        (1, (W,), True),
        (2, (E,), True),  # emotional/symptoms and low
        (2, (W, E), True),
        (2, (W,), False),
        (3, (E,), False),
        (5, (E,), False),
        (None, (E,), False),  # no mood given: never assume
    ],
)
def test_a_hard_moment(mood: int | None, barriers: tuple[Barrier, ...], hard: bool) -> None:
    assert low_moment(mood, barriers) is hard


def test_the_offer_comes_at_most_once_a_day() -> None:
    assert offer_due(None, MON) and offer_due(MON, TUE)
    assert not offer_due(MON, MON)
    assert not offer_due(TUE, MON)  # the clock went back: no second offer
    assert should_offer(1, (), None, MON)
    assert not should_offer(1, (), MON, MON)
    assert not should_offer(4, (), None, MON)


def test_the_lowest_mood_is_the_journals_lowest() -> None:
    when = datetime(2026, 11, 30, tzinfo=UTC)
    assert Reflection(when=when, barriers=(E,), mood=LOWEST_MOOD).mood == 1
    with pytest.raises(ValueError):
        Reflection(when=when, barriers=(E,), mood=LOWEST_MOOD - 1)
