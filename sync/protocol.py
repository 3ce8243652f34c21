"""The wire models of API v1: the one definition both the client and the server use.

Versioned JSON (``PROTOCOL_VERSION``). Times on the wire are RFC 3339 with an offset,
always UTC; a series' first start travels as local wall-clock time plus its TZID so both
ends expand recurrences identically. Every field is one of the bounded types of
:mod:`sync.wire`, and a series must be one the domain can expand (``validate_series``):
nothing either end stores can break the other. Pure: no I/O (a test checks ``sys.modules``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from companion.domain.help_now import (
    LINK_LIMIT,
    MAX_CONTACTS,
    NAME_LIMIT,
    NOTE_LIMIT,
    NUMBER_LIMIT,
    CrisisContact,
    check_contact,
)
from companion.domain.journal import Barrier
from companion.domain.notices import MESSAGE_LIMIT, REFLECTION_LIMIT, Timing
from companion.domain.schedule import (
    DESCRIPTION_LIMIT,
    LOCATION_LIMIT,
    MAX_DURATION,
    TITLE_LIMIT,
    Kind,
    Override,
    Series,
    zone,
)
from sync.wire import (
    Bool,
    Count,
    Id,
    Int,
    Line,
    LocalDatetime,
    OptionalWebLink,
    ReminderMin,
    Secret,
    Text,
    Uid,
    UtcDatetime,
    WebLink,
)

PROTOCOL_VERSION = 1
MAKEUP_LONGEST = timedelta(hours=24)
MAX_MAKEUP_SLOTS = 3

# What a client understands beyond API v1 as first released, named in a request header
# (comma-separated). Every model is ``extra="forbid"``, so a field an older client does not
# know would fail its whole answer: the server adds an optional field only for a client
# that names it here, and an older server simply ignores the header.
FEATURES_HEADER = "Companion-Features"
CRISIS_CONTACTS = "crisis_contacts"  # ``ProgramInfo.crisis_contacts`` in the enrolment answer
ADDED_AT = "added_at"  # ``EnrollResponse.added_at``: the day the client's sessions count from
CLIENT_FEATURES = (CRISIS_CONTACTS, ADDED_AT)


def features_of(header: str | None) -> frozenset[str]:
    """The features a request's ``Companion-Features`` header names."""
    return frozenset(f.strip() for f in (header or "").split(",")[:20] if f.strip())


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrisisContactWire(Wire):
    """One of the program's crisis contacts: a name and at least one way to reach it (a
    number to call, one to text, an https/http/tel/sms link), with a short note."""

    name: Line = Field(min_length=1, max_length=NAME_LIMIT)
    phone: Line = Field("", max_length=NUMBER_LIMIT, description="a number to call")
    sms: Line = Field("", max_length=NUMBER_LIMIT, description="a number to text")
    url: Line = Field("", max_length=LINK_LIMIT, description="https, http, tel: or sms: link")
    note: Line = Field("", max_length=NOTE_LIMIT, description="hours, who it is for")

    @model_validator(mode="after")
    def _usable(self) -> CrisisContactWire:
        self.to_domain()  # ContactError is a ValueError: a 422 (or a set-aside) naming it
        return self

    def to_domain(self) -> CrisisContact:
        return check_contact(self.name, self.phone, self.sms, self.url, self.note)

    @classmethod
    def of(cls, contact: CrisisContact) -> CrisisContactWire:
        return cls(name=contact.name, phone=contact.phone, sms=contact.sms, url=contact.url,
                   note=contact.note)  # fmt: skip


CrisisContacts = Annotated[list[CrisisContactWire], Field(max_length=MAX_CONTACTS)]


class ProgramInfo(Wire):
    name: Line = Field(max_length=200)
    timezone: Line = Field(max_length=64)
    threshold: Annotated[float, Strict()] = Field(0.8, gt=0, le=1)
    unexcused_limit: Annotated[int, Strict()] = Field(3, ge=0, le=1000)
    coordinator: Line = Field("", max_length=200)
    discreet_default: Bool = False
    """Calendar feeds are discreet unless a device chooses otherwise (PUT /v1/preferences)."""
    crisis_contacts: CrisisContacts | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="the program's crisis contacts (empty: none of its own); only in "
        f"answers to a client whose {FEATURES_HEADER} header names {CRISIS_CONTACTS}",
    )


class OverrideWire(Wire):
    """One occurrence changed: moved, cancelled, or with its own end, title, place, join
    link or description (None keeps the series')."""

    original_start: UtcDatetime
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    cancelled: Bool = False
    title: Line | None = Field(None, min_length=1, max_length=TITLE_LIMIT)
    location: Line | None = Field(None, max_length=LOCATION_LIMIT)
    join_url: OptionalWebLink | None = None
    description: Text | None = Field(None, max_length=DESCRIPTION_LIMIT)

    @model_validator(mode="after")
    def _times(self) -> OverrideWire:
        begin = self.start or self.original_start  # an end alone: the session keeps its start
        if self.end is not None and not begin < self.end <= begin + MAX_DURATION:
            raise ValueError("a changed session must end after it starts, within 24 hours")
        return self


class SeriesWire(Wire):
    """A series as the program publishes it; refused unless the domain can expand it."""

    uid: Uid
    title: Line = Field(min_length=1, max_length=200)
    kind: Kind
    tzid: Line = Field(max_length=64)
    start_local: LocalDatetime  # naive wall-clock time in ``tzid``
    duration_min: Annotated[int, Strict()] = Field(gt=0, le=24 * 60)
    rrule: Line | None = Field(None, max_length=500)
    rdates: list[UtcDatetime] = Field(default_factory=list, max_length=500)
    join_url: OptionalWebLink = ""
    facilitator: Line = Field("", max_length=200)
    reminders_min: list[ReminderMin] = Field(default_factory=lambda: [1440, 30], max_length=10)
    sequence: Count = 0
    overrides: list[OverrideWire] = Field(default_factory=list, max_length=2000)
    description: Text = Field("", max_length=DESCRIPTION_LIMIT)  # the program's own, verbatim
    location: Line = Field("", max_length=LOCATION_LIMIT)
    cancelled_from: UtcDatetime | None = None  # every session from here is called off

    @model_validator(mode="after")
    def _expands(self) -> SeriesWire:
        """The domain's one definition of a usable series (``validate_series``): a rule no
        finer than daily that yields within 28 years, a known zone, bounded COUNT/INTERVAL."""
        try:
            series_from_wire(self)  # ScheduleError is a ValueError: a 422 naming the reason
        except (OverflowError, TypeError) as exc:  # belt and braces: never a 500
            raise ValueError(f"the series cannot be expanded ({exc})") from None
        return self


class EnrollRequest(Wire):
    code: Line = Field(min_length=1, max_length=64)
    device_name: Line = Field("", max_length=100)


class EnrollResponse(Wire):
    token: Line
    feed_url: Line
    client_name: Line
    program: ProgramInfo
    schedule: list[SeriesWire]
    cursor: Line  # changes before this are already reflected in ``schedule``
    added_at: UtcDatetime | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="when the program added the client: their attendance counts from then; "
        f"only in answers to a client whose {FEATURES_HEADER} header names {ADDED_AT}",
    )


class NoticeIn(Wire):
    """An absence notice as the client sends it. ``id`` is the idempotency key."""

    id: UUID
    series_uid: Uid
    original_start: UtcDatetime
    title: Line = Field(min_length=1, max_length=200)
    start: UtcDatetime
    timing: Timing
    barrier: Barrier
    message: Text = Field("", max_length=MESSAGE_LIMIT)
    makeup: Bool = False
    shared_reflection: Text | None = Field(None, max_length=REFLECTION_LIMIT)
    created_at: UtcDatetime


NoticeStatus = Literal["new", "acknowledged", "replied"]


class NoticeOut(NoticeIn):
    """A stored notice, as the server judged it: ``title`` and ``start`` come from the
    program's schedule and ``timing`` from the server's receive time against that start;
    what the device claimed is kept beside them (``claimed_timing``, ``created_at``)."""

    status: NoticeStatus
    received_at: UtcDatetime
    claimed_timing: Timing | None = None
    clock_offset_s: Int | None = Field(
        None, description="the device's clock minus the server's when it was delivered"
    )


class MakeupSlot(Wire):
    start: UtcDatetime
    end: UtcDatetime
    join_url: OptionalWebLink = ""
    title: Line = Field("Make-up session", min_length=1, max_length=200)

    @model_validator(mode="after")
    def _times(self) -> MakeupSlot:
        if not self.start < self.end <= self.start + MAKEUP_LONGEST:
            raise ValueError("a make-up slot must end after it starts, within 24 hours")
        return self


MakeupSlots = Annotated[list[MakeupSlot], Field(max_length=MAX_MAKEUP_SLOTS)]
SlotNumber = Annotated[int, Strict(), Field(ge=1, le=MAX_MAKEUP_SLOTS)]


def _distinct(slots: list[MakeupSlot]) -> None:
    if len({s.start for s in slots}) < len(slots):
        raise ValueError("two make-up slots start at the same time")


class MakeupChoiceIn(Wire):
    """A client's answer to the make-up slots of a reply: ``slot`` (1-3) picks one, None
    declines them all. ``id`` is made by the client and is the idempotency key."""

    id: UUID
    reply_id: Id
    slot: SlotNumber | None = None
    created_at: UtcDatetime


class MakeupChoiceOut(MakeupChoiceIn):
    """A stored choice; ``start`` and ``end`` are the chosen slot's (None for a decline)."""

    received_at: UtcDatetime
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None


class Link(Wire):
    title: Line = Field(max_length=200)
    url: WebLink


class SeriesChanged(Wire):
    type: Literal["series"] = "series"
    series: SeriesWire


class SeriesRemoved(Wire):
    type: Literal["series_removed"] = "series_removed"
    uid: Uid


MATERIAL_NOTE_LIMIT = 500


class MaterialAdded(Wire):
    """A link a coordinator attached to an occurrence (notes, handout, recording). The same
    ``id`` again is an edit: it replaces the material the client has. ``note`` is sent
    only when there is one (a client from before notes reads every other material)."""

    type: Literal["material"] = "material"
    id: Id
    series_uid: Uid
    original_start: UtcDatetime
    kind: Literal["notes", "handout", "recording", "other"] = "other"
    title: Line = Field(max_length=200)
    url: WebLink
    note: Line = Field("", max_length=MATERIAL_NOTE_LIMIT)

    def feed_json(self) -> str:
        """The change as the feed stores it (without an empty note)."""
        return self.model_dump_json(exclude=None if self.note else {"note"})


class MaterialWithdrawn(Wire):
    """A coordinator withdrew a material: clients remove it (and its checklist link)."""

    type: Literal["material_withdrawn"] = "material_withdrawn"
    id: Id
    series_uid: Uid
    original_start: UtcDatetime


class ReplyPosted(Wire):
    """A coordinator's acknowledgement or reply to one of the client's notices."""

    type: Literal["reply"] = "reply"
    id: Id
    notice_id: UUID
    status: NoticeStatus
    text: Text = Field("", max_length=MESSAGE_LIMIT)
    makeup: MakeupSlot | None = None
    materials: list[Link] = Field(default_factory=list, max_length=20)
    at: UtcDatetime
    makeups: MakeupSlots | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="every slot offered, when more than one (``makeup`` is the first)",
    )

    def slots(self) -> list[MakeupSlot]:
        """The slots offered, in order (slot 1 first)."""
        return list(self.makeups) if self.makeups else ([self.makeup] if self.makeup else [])


class AttendanceRecorded(Wire):
    """The program's attendance record for one of the client's occurrences (authoritative)."""

    type: Literal["attendance"] = "attendance"
    series_uid: Uid
    original_start: UtcDatetime
    status: Literal["attended", "missed", "excused", "made_up"]
    at: UtcDatetime


class CrisisContactsChanged(Wire):
    """The program's crisis contacts, the whole list in its order (empty: none of its
    own; clients still show 988 and the local emergency number). An older client sets
    this change aside, as it does any type it does not know, and applies the rest."""

    type: Literal["crisis_contacts"] = "crisis_contacts"
    contacts: CrisisContacts = Field(default_factory=list)


Change = Annotated[
    SeriesChanged
    | SeriesRemoved
    | MaterialAdded
    | MaterialWithdrawn
    | ReplyPosted
    | AttendanceRecorded
    | CrisisContactsChanged,
    Field(discriminator="type"),
]


class ChangesResponse(Wire):
    changes: list[Change]
    cursor: Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]
    more: Bool = False


class NoticesPage(Wire):
    """One page of GET /v1/notices, newest first. ``more`` says older notices follow:
    ask again with ``?cursor=`` set to ``cursor`` (None on the last page)."""

    notices: list[NoticeOut]
    cursor: Line | None = Field(None, max_length=200)
    more: Bool = False


class DeviceRemoved(Wire):
    """DELETE /v1/device: the calling device is removed from the program (its token and
    calendar feed stop working); the client's record at the program stays."""

    removed: Bool = True


class ErrorBody(Wire):
    detail: str


class PreferencesIn(Wire):
    """The calling device's choices (PUT /v1/preferences); every field must be given."""

    discreet: Bool | None = Field(
        description="the device's calendar feed: true discreet (neutral titles, nothing "
        "naming treatment or attendance), false session titles, null the program's default"
    )


class Preferences(PreferencesIn):
    """The device's choices as stored, and what its calendar feed serves because of them."""

    program_default: Bool = Field(description="the program's default for discreet feeds")
    feed_discreet: Bool = Field(description="whether the device's feed is discreet now")


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
    email: Line = Field(min_length=3, max_length=254)
    password: Secret = Field(min_length=1, max_length=1000)


class CoordinatorToken(Wire):
    token: Line
    expires_at: UtcDatetime


class CoordinatorNotice(NoticeOut):
    """A notice as the coordinator sees it: with the client who sent it."""

    client_id: Id
    client_name: Line


class ReplyIn(Wire):
    """A reply: text, one make-up slot (``makeup``) or up to three (``makeups``), links."""

    text: Text = Field("", max_length=MESSAGE_LIMIT)
    makeup: MakeupSlot | None = None
    makeups: MakeupSlots = Field(default_factory=list)
    materials: list[Link] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _one_way(self) -> ReplyIn:
        if self.makeup is not None and self.makeups:
            raise ValueError("give the make-up slots as makeups, or one as makeup, not both")
        _distinct(self.makeups)
        return self

    def slots(self) -> list[MakeupSlot]:
        """The slots offered, in order (slot 1 first)."""
        return list(self.makeups) if self.makeups else ([self.makeup] if self.makeup else [])


MaterialKind = Literal["notes", "handout", "recording", "other"]


class MaterialEdit(Wire):
    """What a coordinator can change in a material: its kind, title, link and note."""

    kind: MaterialKind = "other"
    title: Line = Field(min_length=1, max_length=200)
    url: WebLink
    note: Line = Field("", max_length=MATERIAL_NOTE_LIMIT)


class MaterialIn(MaterialEdit):
    """A material for one session (series uid and original start) of the program."""

    series_uid: Uid
    original_start: UtcDatetime


class MaterialOut(MaterialIn):
    """A material as coordinators see it: with its id, who attached it and when it last
    changed."""

    id: Id
    at: UtcDatetime
    by: Line = Field("", max_length=254)


class CancelIn(Wire):
    original_start: UtcDatetime


class RosterEntry(Wire):
    client_id: Id
    status: Literal["attended", "absent"]


class AttendanceIn(Wire):
    series_uid: Uid
    original_start: UtcDatetime
    roster: list[RosterEntry] = Field(min_length=1, max_length=500)


class AttendanceOut(Wire):
    """What was recorded: ``absent`` becomes ``excused`` when the client gave advance notice."""

    series_uid: Uid
    original_start: UtcDatetime
    recorded: dict[int, Literal["attended", "missed", "excused", "made_up"]]


class WeekForecast(Wire):
    week_start: UtcDatetime
    attended: Count
    missed: Count
    excused: Count
    remaining: Count
    counted: Count
    threshold: float
    needed_to_stay_above: Count | None
    forecast: Line


class ClientSummary(Wire):
    """A client of the program with this week's attendance against the policy."""

    id: Id
    name: Line
    devices: Count
    revoked: bool
    at_risk: bool  # never for a discharged client
    discharged: bool = False
    week: WeekForecast
    unexcused: Count
    unexcused_limit: Count
