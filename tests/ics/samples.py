"""A year of a program's sessions that crosses every DST change the issue names, with a
cancelled and a moved occurrence, and the helpers that compare parsers with ``expand``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from companion.domain.schedule import Kind, Override, Series, expand_all
from companion.ics import export_calendar

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
FROZEN = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 15, tzinfo=UTC))

# Process Group, Mon 9 Mar 2026 18:00 EDT: the first Monday after the March change, moved.
MOVED_FROM = datetime(2026, 3, 9, 18, tzinfo=NY).astimezone(UTC)
MOVED_TO = datetime(2026, 3, 10, 19, 30, tzinfo=NY).astimezone(UTC)
# Wed 4 Nov 2026 18:00 EST, after the November change: cancelled by the program.
CANCELLED = datetime(2026, 11, 4, 18, tzinfo=NY).astimezone(UTC)
# Berlin workshop, Thu 26 Mar 2026 (before the European change), cancelled.
CANCELLED_BERLIN = datetime(2026, 3, 26, 10, tzinfo=BERLIN).astimezone(UTC)
# The client gave notice for Tue 3 Nov 2026 individual session.
EXCUSED = ("individual@sample.companion", datetime(2026, 11, 3, 17, tzinfo=NY).astimezone(UTC))


def program(moves: bool = True, cancellations: bool = True) -> list[Series]:
    """Five series: New York (both changes) and Berlin (both European changes)."""
    group_overrides: dict[datetime, Override] = {}
    if moves:
        group_overrides[MOVED_FROM] = Override(MOVED_FROM, MOVED_TO, MOVED_TO + timedelta(hours=3))
    if cancellations:
        group_overrides[CANCELLED] = Override(CANCELLED, cancelled=True)
    berlin_overrides = (
        {CANCELLED_BERLIN: Override(CANCELLED_BERLIN, cancelled=True)} if cancellations else {}
    )
    return [
        Series(
            uid="process-group@sample.companion", title="Process Group", kind=Kind.GROUP,
            start=datetime(2026, 2, 2, 18, tzinfo=NY), duration=timedelta(hours=3),
            tzid="America/New_York", rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261218T235959",
            join_url="https://meet.example.org/evening-group", facilitator="Dr. Ana Rivera",
            overrides=group_overrides, sequence=2, origin="program",
        ),
        Series(
            uid="individual@sample.companion", title="Individual counselling",
            kind=Kind.INDIVIDUAL, start=datetime(2026, 2, 3, 17, tzinfo=NY),
            duration=timedelta(minutes=50), tzid="America/New_York", rrule="FREQ=WEEKLY;BYDAY=TU",
            join_url="https://meet.example.org/sam-okafor", facilitator="Sam Okafor, LCSW",
            reminders=(timedelta(hours=2), timedelta(minutes=15)),
        ),
        Series(
            uid="workshop@sample.companion", title="Coping Skills", kind=Kind.WORKSHOP,
            start=datetime(2026, 1, 8, 10, tzinfo=BERLIN), duration=timedelta(hours=2),
            tzid="Europe/Berlin", rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=26",
            join_url="https://meet.example.org/skills", facilitator="Jo Park",
            overrides=berlin_overrides,
        ),
        Series(
            uid="achtsamkeit@sample.companion", title="Achtsamkeit – Gruppe für Ängste 🌱",
            kind=Kind.GROUP, start=datetime(2026, 3, 21, 9, 30, tzinfo=BERLIN),
            duration=timedelta(minutes=90), tzid="Europe/Berlin",
            rdates=(datetime(2026, 4, 4, 9, 30, tzinfo=BERLIN),
                    datetime(2026, 10, 31, 9, 30, tzinfo=BERLIN)),
            facilitator="Jürgen Weiß",
        ),
        Series(
            uid="family@sample.companion", title="Family session", kind=Kind.OTHER,
            start=datetime(2026, 10, 30, 16, tzinfo=NY), duration=timedelta(hours=1),
            tzid="America/New_York", rrule="FREQ=DAILY;COUNT=5", reminders=(),
        ),
    ]  # fmt: skip


def export(series: list[Series], **kwargs: object) -> bytes:
    """The sample export under the frozen clock (golden files compare its bytes)."""
    args: dict[str, object] = dict(
        now=FROZEN, calendar_name="Evening IOP", calendar_uid="evening-iop@sample.companion",
        program_name="Evening IOP", timezone="America/New_York",
    )  # fmt: skip
    args.update(kwargs)
    return export_calendar(series, **args)  # type: ignore[arg-type]


Occ = tuple[str, datetime, datetime]


def ours(series: list[Series], window: tuple[datetime, datetime] = WINDOW) -> list[Occ]:
    """Our own expansion: (uid, UTC start, UTC end) of every session that takes place."""
    return sorted(
        (o.series_uid, o.start, o.end) for o in expand_all(series, *window) if not o.cancelled
    )


def local_view(occs: list[Occ], series: list[Series]) -> list[tuple[str, str]]:
    """(uid, local wall-clock start) in each series' zone: what a person reads."""
    zones = {s.uid: s.zone for s in series}
    return [(uid, f"{start.astimezone(zones[uid]):%Y-%m-%d %a %H:%M}") for uid, start, _ in occs]
