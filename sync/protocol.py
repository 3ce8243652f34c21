"""The wire models of API v1: the one definition both the client and the server use.

Versioned JSON (``PROTOCOL_VERSION``). Times on the wire are ISO 8601 with an offset,
always UTC; a series' first start travels as local wall-clock time plus its TZID so both
ends expand recurrences identically. Pure: no I/O (a test checks ``sys.modules``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    field_validator,
)

from companion.domain.journal import Barrier
from companion.domain.notices import MESSAGE_LIMIT, REFLECTION_LIMIT, Timing
from companion.domain.schedule import (
    DESCRIPTION_LIMIT,
    LOCATION_LIMIT,
    TITLE_LIMIT,
    Kind,
    Override,
    Series,
    zone,
)

PROTOCOL_VERSION = 1


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time on the wire must carry its offset")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def _line(value: str | None) -> str | None:
    """One line of text: no control characters at all (a title, a place, a link)."""
    if value is not None and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError("text must not contain control characters")
    return value


def _block(value: str | None) -> str | None:
    """Text of several lines (a description): control characters but newline and tab
    refused."""
    if value is not None and any(
        (ord(c) < 32 and c not in "\n\t") or 127 <= ord(c) < 160 for c in value
    ):
        raise ValueError("text must not contain control characters other than newline and tab")
    return value


def _link(value: str | None) -> str | None:
    """An http(s) link, or empty."""
    _line(value)
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValueError("a join link must start with https:// or http://")
    return value


Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_LIMIT),
                  AfterValidator(_line)]  # fmt: skip
Place = Annotated[str, StringConstraints(max_length=LOCATION_LIMIT), AfterValidator(_line)]
JoinLink = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_link)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_LIMIT),
                        AfterValidator(_block)]  # fmt: skip


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        """NUL is valid JSON but no database text (PostgreSQL refuses it): a 422, not a 500."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        return value


class ProgramInfo(Wire):
    name: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    threshold: float = Field(0.8, gt=0, le=1)
    unexcused_limit: int = Field(3, ge=0)
    coordinator: str = Field("", max_length=200)
    discreet_default: bool = False
    """Calendar feeds are discreet unless a device chooses otherwise (PUT /v1/preferences)."""


class OverrideWire(Wire):
    """One occurrence changed: moved, cancelled, or with its own end, title, place, join
    link or description (None keeps the series')."""

    original_start: UtcDatetime
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    cancelled: bool = False
    title: Title | None = None
    location: Place | None = None
    join_url: JoinLink | None = None
    description: Description | None = None


class SeriesWire(Wire):
    uid: str = Field(min_length=1, max_length=255)
    title: str = Field(min_length=1, max_length=200)
    kind: Kind
    tzid: str = Field(max_length=64)
    start_local: datetime  # naive wall-clock time in ``tzid``
    duration_min: int = Field(gt=0, le=24 * 60)
    rrule: str | None = Field(None, max_length=500)
    rdates: list[UtcDatetime] = Field(default_factory=list, max_length=500)
    join_url: str = Field("", max_length=2000)
    facilitator: str = Field("", max_length=200)
    reminders_min: list[int] = Field(default_factory=lambda: [1440, 30], max_length=10)
    sequence: int = Field(0, ge=0)
    overrides: list[OverrideWire] = Field(default_factory=list, max_length=2000)
    description: Description = ""  # the program's own text (passcode, dial-in), verbatim
    location: Place = ""
    cancelled_from: UtcDatetime | None = None  # every session from here is called off


class EnrollRequest(Wire):
    code: str = Field(min_length=1, max_length=64)
    device_name: str = Field("", max_length=100)


class EnrollResponse(Wire):
    token: str
    feed_url: str
    client_name: str
    program: ProgramInfo
    schedule: list[SeriesWire]
    cursor: str  # changes before this are already reflected in ``schedule``


class NoticeIn(Wire):
    """An absence notice as the client sends it. ``id`` is the idempotency key."""

    id: UUID
    series_uid: str = Field(min_length=1, max_length=255)
    original_start: UtcDatetime
    title: str = Field(min_length=1, max_length=200)
    start: UtcDatetime
    timing: Timing
    barrier: Barrier
    message: str = Field("", max_length=MESSAGE_LIMIT)
    makeup: bool = False
    shared_reflection: str | None = Field(None, max_length=REFLECTION_LIMIT)
    created_at: UtcDatetime


NoticeStatus = Literal["new", "acknowledged", "replied"]


class NoticeOut(NoticeIn):
    status: NoticeStatus
    received_at: UtcDatetime


class MakeupSlot(Wire):
    start: UtcDatetime
    end: UtcDatetime
    join_url: str = Field("", max_length=2000)
    title: str = Field("Make-up session", max_length=200)


class Link(Wire):
    title: str = Field(max_length=200)
    url: HttpUrl


class SeriesChanged(Wire):
    type: Literal["series"] = "series"
    series: SeriesWire


class SeriesRemoved(Wire):
    type: Literal["series_removed"] = "series_removed"
    uid: str


class MaterialAdded(Wire):
    """A link a coordinator attached to an occurrence (notes, handout, recording)."""

    type: Literal["material"] = "material"
    id: int
    series_uid: str
    original_start: UtcDatetime
    kind: Literal["notes", "handout", "recording", "other"] = "other"
    title: str
    url: str


class ReplyPosted(Wire):
    """A coordinator's acknowledgement or reply to one of the client's notices."""

    type: Literal["reply"] = "reply"
    id: int
    notice_id: UUID
    status: NoticeStatus
    text: str = ""
    makeup: MakeupSlot | None = None
    materials: list[Link] = Field(default_factory=list)
    at: UtcDatetime


class AttendanceRecorded(Wire):
    """The program's attendance record for one of the client's occurrences (authoritative)."""

    type: Literal["attendance"] = "attendance"
    series_uid: str
    original_start: UtcDatetime
    status: Literal["attended", "missed", "excused", "made_up"]
    at: UtcDatetime


Change = Annotated[
    SeriesChanged | SeriesRemoved | MaterialAdded | ReplyPosted | AttendanceRecorded,
    Field(discriminator="type"),
]


class ChangesResponse(Wire):
    changes: list[Change]
    cursor: str
    more: bool = False


class NoticesPage(Wire):
    """One page of GET /v1/notices, newest first. ``more`` says older notices follow:
    ask again with ``?cursor=`` set to ``cursor`` (None on the last page)."""

    notices: list[NoticeOut]
    cursor: str | None = None
    more: bool = False


class ErrorBody(Wire):
    detail: str


class PreferencesIn(Wire):
    """The calling device's choices (PUT /v1/preferences); every field must be given."""

    discreet: StrictBool | None = Field(
        description="the device's calendar feed: true discreet (neutral titles, nothing "
        "naming treatment or attendance), false session titles, null the program's default"
    )


class Preferences(PreferencesIn):
    """The device's choices as stored, and what its calendar feed serves because of them."""

    program_default: bool = Field(description="the program's default for discreet feeds")
    feed_discreet: bool = Field(description="whether the device's feed is discreet now")


def series_to_wire(series: Series) -> SeriesWire:
    return SeriesWire(
        uid=series.uid,
        title=series.title,
        kind=series.kind,
        tzid=series.tzid,
        start_local=series.start.astimezone(series.zone).replace(tzinfo=None),
        duration_min=int(series.duration.total_seconds() // 60),
        rrule=series.rrule,
        rdates=list(series.rdates),
        join_url=series.join_url,
        facilitator=series.facilitator,
        reminders_min=[int(r.total_seconds() // 60) for r in series.reminders],
        sequence=series.sequence,
        overrides=[
            OverrideWire(
                original_start=o.original_start, start=o.start, end=o.end, cancelled=o.cancelled,
                title=o.title, location=o.location, join_url=o.join_url,
                description=o.description,
            )
            for o in series.overrides.values()
        ],
        description=series.description,
        location=series.location,
        cancelled_from=series.cancelled_from,
    )  # fmt: skip


def series_from_wire(wire: SeriesWire, origin: str = "program") -> Series:
    """The domain series for ``wire``; raises ``ScheduleError`` when it cannot be expanded."""
    tz = zone(wire.tzid)
    return Series(
        uid=wire.uid,
        title=wire.title,
        kind=wire.kind,
        start=wire.start_local.replace(tzinfo=tz),
        duration=timedelta(minutes=wire.duration_min),
        tzid=wire.tzid,
        rrule=wire.rrule,
        rdates=tuple(wire.rdates),
        join_url=wire.join_url,
        facilitator=wire.facilitator,
        reminders=tuple(timedelta(minutes=m) for m in wire.reminders_min),
        overrides={
            o.original_start: Override(
                o.original_start, o.start, o.end, o.cancelled, title=o.title,
                location=o.location, join_url=o.join_url, description=o.description,
            )
            for o in wire.overrides
        },
        sequence=wire.sequence,
        origin=origin,
        description=wire.description,
        location=wire.location,
        cancelled_from=wire.cancelled_from,
    )  # fmt: skip


# -- the coordinator API (program server, issue 4; the dashboard builds on the same layer) --


class CoordinatorLogin(Wire):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1000)


class CoordinatorToken(Wire):
    token: str
    expires_at: UtcDatetime


class CoordinatorNotice(NoticeOut):
    """A notice as the coordinator sees it: with the client who sent it."""

    client_id: int
    client_name: str


class ReplyIn(Wire):
    text: str = Field("", max_length=MESSAGE_LIMIT)
    makeup: MakeupSlot | None = None
    materials: list[Link] = Field(default_factory=list, max_length=20)


MaterialKind = Literal["notes", "handout", "recording", "other"]


class MaterialIn(Wire):
    series_uid: str = Field(min_length=1, max_length=255)
    original_start: UtcDatetime
    kind: MaterialKind = "other"
    title: str = Field(min_length=1, max_length=200)
    url: HttpUrl


class CancelIn(Wire):
    original_start: UtcDatetime


class RosterEntry(Wire):
    client_id: int
    status: Literal["attended", "absent"]


class AttendanceIn(Wire):
    series_uid: str = Field(min_length=1, max_length=255)
    original_start: UtcDatetime
    roster: list[RosterEntry] = Field(min_length=1, max_length=500)


class AttendanceOut(Wire):
    """What was recorded: ``absent`` becomes ``excused`` when the client gave advance notice."""

    series_uid: str
    original_start: UtcDatetime
    recorded: dict[int, Literal["attended", "missed", "excused", "made_up"]]


class WeekForecast(Wire):
    week_start: UtcDatetime
    attended: int
    missed: int
    excused: int
    remaining: int
    counted: int
    threshold: float
    needed_to_stay_above: int | None
    forecast: str


class ClientSummary(Wire):
    """A client of the program with this week's attendance against the policy."""

    id: int
    name: str
    devices: int
    revoked: bool
    at_risk: bool
    week: WeekForecast
    unexcused: int
    unexcused_limit: int
