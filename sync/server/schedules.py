"""The program's schedule as the server judges notices against it: which occurrence a notice
names, when that occurrence starts, and so whether the notice came before it.

A device's clock and its claims (timing, title, start) are never trusted (issue 10): a
notice must name an occurrence the program's schedule produces (series uid + original
start), or a make-up slot the program offered this client, and the server decides
*advance* or *after* from its own receive time against that occurrence's start.

This runs on the notice hot path, so the program's series are expanded once per change
counter (every schedule change bumps it) into a set of original starts around now, and a
notice costs a dictionary lookup. One :class:`Schedules` per server process, used only
from its database writer thread.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from companion.domain.notices import Timing, makeup_reply_id
from companion.domain.schedule import ScheduleError, Series, original_starts
from sync.protocol import MakeupSlot, SeriesWire, series_from_wire
from sync.server.storage.repo import Tx
from sync.wire import MAX_INT

log = logging.getLogger("companion.server")
NOTICE_WINDOW = timedelta(days=366)  # a notice names a session within a year of now
_CACHED = timedelta(days=400)  # original starts expanded around the moment of the build
_REBUILD_AFTER = timedelta(days=30)  # the expanded window follows the clock

NOT_SCHEDULED = "this session is not on your program's schedule"
NOT_AN_OCCURRENCE = "{title} has no session at that time; sync to get the current schedule"
CANCELLED = "{title} on that day was cancelled by the program; there is nothing to tell"
OUT_OF_WINDOW = "notices are for sessions within a year of now"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """What the program says about the occurrence a notice names."""

    title: str
    start: datetime  # as moved, UTC


@dataclass(frozen=True, slots=True)
class Refused:
    """The notice names no occurrence this client may give notice about (a 422)."""

    detail: str


class _Program:
    """One program's series as stored (``bodies``), with their original starts."""

    def __init__(self, bodies: tuple[tuple[str, str], ...], anchor: datetime) -> None:
        self.bodies = bodies
        self.series = usable_series([(uid, body, "") for uid, body in bodies])
        self.anchor = anchor
        self._starts: dict[str, frozenset[datetime]] = {}

    def starts(self, uid: str) -> frozenset[datetime]:
        found = self._starts.get(uid)
        if found is None:
            lo, hi = self.anchor - _CACHED, self.anchor + _CACHED
            found = frozenset(original_starts(self.series[uid], lo, hi))
            self._starts[uid] = found
        return found

    def produces(self, uid: str, original: datetime) -> bool:
        if abs(original - self.anchor) < _CACHED - timedelta(days=1):
            return original in self.starts(uid)
        tick = timedelta(seconds=1)  # outside the expanded window: ask the rule itself
        return original in original_starts(self.series[uid], original - tick, original + tick)


def usable_wires(bodies: list[tuple[str, str, str]]) -> list[SeriesWire]:
    """The stored series bodies (uid, JSON, updated) that still validate. One stored before
    the bounds of issue 10 (or by another version) is skipped and logged, so that it can
    never stop the server answering; migration 0003 repairs what it can."""
    out = []
    for uid, body, _at in bodies:
        try:
            out.append(SeriesWire.model_validate_json(body))
        except ValidationError:
            log.warning("stored series %s no longer validates; skipped", uid)
    return out


def usable_series(bodies: list[tuple[str, str, str]]) -> dict[str, Series]:
    """The domain series of :func:`usable_wires`, by uid."""
    out: dict[str, Series] = {}
    for wire in usable_wires(bodies):
        try:
            out[wire.uid] = series_from_wire(wire, "program")
        except ScheduleError:  # validated above, so only a future rule change lands here
            log.warning("stored series %s cannot be expanded; skipped", wire.uid)
    return out


class Schedules:
    """Each program's schedule, checked again when its change counter moves.

    Most changes are not the schedule's (an acknowledgement, a reply): the stored bodies
    are read again and, when unchanged, the expansion already made is kept."""

    def __init__(self) -> None:
        self._programs: dict[int, tuple[int, _Program]] = {}

    def _program(self, tx: Tx, program_id: int, counter: int, now: datetime) -> _Program:
        cached = self._programs.get(program_id)
        fresh = cached is not None and abs(now - cached[1].anchor) < _REBUILD_AFTER
        if cached is not None and fresh and cached[0] == counter:
            return cached[1]
        bodies = tuple((uid, body) for uid, body, _at in tx.series_bodies(program_id))
        if cached is not None and fresh and cached[1].bodies == bodies:
            built = cached[1]
        else:
            built = _Program(bodies, now)
        self._programs[program_id] = (counter, built)
        return built

    def find(self, tx: Tx, program_id: int, counter: int, client_id: int, series_uid: str,
             original: datetime, now: datetime) -> Occurrence | Refused:  # fmt: skip
        """The occurrence (series uid, original start) of the client's program, or why not."""
        if abs(original - now) > NOTICE_WINDOW:
            return Refused(OUT_OF_WINDOW)
        reply_id = makeup_reply_id(series_uid)
        if reply_id is not None:
            return _makeup(tx, client_id, reply_id, original)
        program = self._program(tx, program_id, counter, now)
        series = program.series.get(series_uid)
        if series is None:
            return Refused(NOT_SCHEDULED)
        override = series.overrides.get(original)
        if override is None and not program.produces(series_uid, original):
            return Refused(NOT_AN_OCCURRENCE.format(title=series.title))
        if override is not None and override.cancelled:
            return Refused(CANCELLED.format(title=series.title))
        start = override.start if override is not None and override.start else original
        return Occurrence(series.title, start)


def _makeup(tx: Tx, client_id: int, reply_id: int, original: datetime) -> Occurrence | Refused:
    """A make-up slot offered in a reply to one of this client's notices."""
    offer = tx.offered_slots(reply_id, client_id) if reply_id <= MAX_INT else None
    if offer is None:
        return Refused(NOT_SCHEDULED)
    slots = slots_of(offer["makeup"], offer["makeup_slots"])
    slot = next((s for s in slots if s.start == original), None)
    if slot is None:
        title = slots[0].title if slots else "The make-up"
        return Refused(NOT_AN_OCCURRENCE.format(title=title))
    return Occurrence(slot.title, slot.start)


def slots_of(makeup: str | None, makeup_slots: str | None) -> list[MakeupSlot]:
    """The slots a stored reply offers, slot 1 first (a reply from before revision 0014
    has only ``makeup``); none when what is stored no longer validates."""
    try:
        if makeup_slots:
            found = json.loads(makeup_slots)
            if not isinstance(found, list):
                return []
            return [MakeupSlot.model_validate(s) for s in found]
        return [MakeupSlot.model_validate_json(makeup)] if makeup else []
    except (ValidationError, ValueError):
        return []


def timing(received_at: datetime, start: datetime) -> Timing:
    """The server's verdict: advance when the notice arrived before the session started."""
    return Timing.ADVANCE if received_at < start else Timing.AFTER
