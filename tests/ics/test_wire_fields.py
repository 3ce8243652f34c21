"""What a program's calendar holds beside the time travels on the wire too: a series'
description, place and cancellation, an override's own title, place, join link and
description; bounded, and without control characters (newline and tab in descriptions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from companion.domain.schedule import Override
from sync.protocol import OverrideWire, SeriesWire, series_from_wire, series_to_wire
from sync.wire import describe_all
from tests.ics.samples import MOVED_FROM, program

SLOT = datetime(2026, 3, 11, 22, tzinfo=UTC)  # a Wednesday session of the sample group


def test_every_new_field_round_trips() -> None:
    group = program()[0]
    overrides = {
        **group.overrides,
        SLOT: Override(SLOT, end=SLOT + timedelta(hours=2), title="Process Group – guest",
                       location="Room 3", join_url="https://zoom.us/j/2",
                       description="Guest speaker.\n\tBring questions."),
    }  # fmt: skip
    series = group.with_changes(description="Passcode: 246810\nBring your diary card.",
                                location="Zoom", overrides=overrides,
                                cancelled_from=datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
    wire = series_to_wire(series)
    again = SeriesWire.model_validate_json(wire.model_dump_json())
    assert series_from_wire(again, origin=series.origin) == series
    old = SeriesWire.model_validate_json(
        '{"uid": "u", "title": "T", "kind": "group", "tzid": "UTC",'
        ' "start_local": "2026-11-02T18:00:00", "duration_min": 60}'
    )  # a message from before these fields: every default holds
    assert (old.description, old.location, old.cancelled_from) == ("", "", None)
    assert series_from_wire(old).overrides == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "at least 1 character"),
        ("title", "x" * 201, "at most 200 characters"),
        ("title", "Group\x1b[31m", "one line without control characters"),
        ("location", "Room\n3", "one line without control characters"),
        ("join_url", "javascript:alert(1)", "must be an https:// or http:// link"),
        ("join_url", "https://zoom.us/j/1\r\nX", "must be an https:// or http:// link"),
        ("description", "x" * 20_001, "at most 20000 characters"),
        ("description", "Passcode\x00", "must not contain control characters"),
        ("description", "bell\x07", "must not contain control characters"),
    ],
)
def test_override_fields_are_bounded(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        OverrideWire(original_start=MOVED_FROM, **{field: value})
    assert message in describe_all(refused.value.errors())  # the one line a 422 says


def test_series_fields_are_bounded() -> None:
    base = series_to_wire(program()[1]).model_dump()
    with pytest.raises(ValidationError, match="at most 1000 characters"):
        SeriesWire.model_validate({**base, "location": "x" * 1001})
    with pytest.raises(ValidationError) as refused:
        SeriesWire.model_validate({**base, "description": "a\x0cb"})
    assert "must not contain control characters" in describe_all(refused.value.errors())
    assert SeriesWire.model_validate({**base, "description": "a\n\tb"}).description == "a\n\tb"
