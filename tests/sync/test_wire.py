"""The wire models' bounds (sync/wire.py): one definition both ends use, published in the
schema exactly as enforced, so a generator of requests and the server agree."""

from __future__ import annotations

import inspect
import re
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from companion.domain.links import is_web_link
from companion.domain.schedule import ScheduleError, check_rule
from sync import protocol
from sync.protocol import Link, NoticeIn, SeriesWire
from sync.wire import LOCAL_TIME, RFC3339, describe_all
from tests.server.conftest import GROUP, notice

FREE_TEXT = {("ErrorBody", "detail")}  # the server's own one-line messages


def models() -> list[type[BaseModel]]:
    return [m for _, m in inspect.getmembers(protocol, inspect.isclass)
            if issubclass(m, protocol.Wire) and m is not protocol.Wire]  # fmt: skip


def strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas of a property (also inside anyOf/items)."""
    found = [schema] if schema.get("type") == "string" else []
    for alt in schema.get("anyOf", []):
        found += strings(alt)
    if isinstance(schema.get("items"), dict):
        found += strings(schema["items"])
    return found


@pytest.mark.parametrize("model", models(), ids=lambda m: m.__name__)
def test_every_text_field_says_what_it_may_hold(model: type[BaseModel]) -> None:
    """A new field without a bounded type would let control characters (or a NUL, which
    PostgreSQL refuses) through: every string has a pattern, a format or an enum."""
    props = model.model_json_schema(ref_template="{model}")["properties"]
    for name, prop in props.items():
        for s in strings(prop):
            if (model.__name__, name) in FREE_TEXT:
                continue
            assert {"pattern", "enum", "const", "format"} & set(s), (model.__name__, name)


def test_the_date_patterns_admit_exactly_the_days_that_exist() -> None:
    rfc, local = re.compile(RFC3339), re.compile(LOCAL_TIME)
    day = date(1899, 12, 25)
    while day <= date(2201, 1, 5):
        inside = 1900 <= day.year <= 2200
        assert bool(rfc.match(f"{day}T18:00:00Z")) is inside, day
        assert bool(local.match(f"{day}T18:00")) is inside, day
        day += timedelta(days=1)
    for wrong in ("2026-02-29", "1900-02-29", "2100-02-29", "2026-04-31", "2026-13-01"):
        assert not local.match(f"{wrong}T18:00") and not rfc.match(f"{wrong}T18:00:00Z")
    assert local.match("2000-02-29T18:00") and local.match("2028-02-29T18:00:30.5")
    for time in ("24:00:00Z", "23:60:00Z", "23:00:60Z", "23:00:00+24:00", "23:00Z", "23:00:00"):
        assert not rfc.match(f"2026-11-30T{time}"), time


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (0, "created_at"),
        ("0", "created_at"),
        ("1700000000", "created_at"),
        ("2026-11-30", "created_at"),
        ("2026-11-30 23:00:00Z", "created_at"),
        ("2026-11-30T23:00:00", "created_at"),
        ("0001-01-01T00:00:00+01:00", "created_at"),
        ("9999-12-31T23:59:59-01:00", "created_at"),
    ],  # fmt: skip
)
def test_a_time_is_only_an_rfc_3339_string_in_the_window(value: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        NoticeIn.model_validate(notice(created_at=value))
    assert describe_all(caught.value.errors()).startswith(f"{field}: must be an RFC 3339")


def test_every_time_the_pattern_admits_is_accepted() -> None:
    for text in ("2026-11-30T23:00:00Z", "2026-11-30t23:00:00.123456789z",
                 "1900-01-01T00:00:00+23:59", "2200-12-31T23:59:59-23:59"):  # fmt: skip
        assert re.match(RFC3339, text)
        NoticeIn.model_validate(notice(created_at=text))


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://meet.example.org/pg?pwd=1#x", True),
        ("http://127.0.0.1:8080/a", True),
        ("https://xn--bcher-kva.example/", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<b>", False),
        ("file:///etc/passwd", False),
        ("https://bank.example@evil.example/", False),
        ("https://", False),
        ("https://a b/", False),
        ("https://a/\x00", False),
        (" https://a/", False),
        ("https:/a", False),
        ("ftp://a/", False),
        ("https://a/" + "x" * 2000, False),
    ],  # fmt: skip
)
def test_links_are_https_or_http_only_in_the_app_and_on_the_wire(url: str, ok: bool) -> None:
    assert is_web_link(url) is ok
    try:
        Link(title="Notes", url=url)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted is ok


def test_a_series_is_refused_in_the_domains_own_words() -> None:
    for rule in ("FREQ=SECONDLY", "FREQ=DAILY;COUNT=5001", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"):
        with pytest.raises(ValidationError) as caught:
            SeriesWire.model_validate(dict(GROUP, rrule=rule))
        try:
            check_rule(rule)
            words = "gives no session"
        except ScheduleError as exc:
            words = str(exc)
        assert words in describe_all(caught.value.errors())


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"sequence": 2**31}, "sequence: Input should be less than or equal to 2147483647"),
        ({"sequence": "1"}, "sequence: Input should be a valid integer"),
        ({"sequence": True}, "sequence: Input should be a valid integer"),
        ({"duration_min": 24 * 60 + 1}, "duration_min: Input should be less than or equal to 1440"),
        ({"reminders_min": [14 * 24 * 60 + 1]}, "reminders_min.0: Input should be less than"),
        ({"title": "a\tb"}, "title: must be one line without control characters"),
        ({"uid": "a/b"}, "uid: must be printable"),
        ({"start_local": "2026-11-02T18:00:00Z"}, "start_local: must be a local date and time"),
    ],  # fmt: skip
)
def test_a_series_field_out_of_bounds_is_named(changes: dict, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SeriesWire.model_validate(dict(GROUP, **changes))
    assert words in describe_all(caught.value.errors())
