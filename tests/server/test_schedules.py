"""How the server finds the occurrence a notice names (sync/server/schedules.py): from the
program's schedule as stored, moved and cancelled sessions included, a change to the
schedule seen at once, and the expansion kept while only other changes come in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from sync.protocol import SeriesWire
from sync.server import admin
from sync.server.schedules import Occurrence, Refused, Schedules
from sync.server.storage.runner import transaction
from sync.server.storage.tables import stamp
from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, publish

MON = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)


def _program(engine: Engine) -> tuple[int, int]:
    made = admin.create_program(engine, "P", "America/New_York", 0.8, 3, "", FROZEN_NOW)
    client = admin.add_client(engine, "Alex", "P", FROZEN_NOW)["client_id"]
    publish(engine, "P", FROZEN_NOW)
    return made["program_id"], client


def _find(engine: Engine, schedules: Schedules, pid: int, cid: int, uid: str,
          original: datetime) -> Occurrence | Refused:  # fmt: skip
    with transaction(engine) as tx:
        program = tx.program(pid)
        assert program is not None
        return schedules.find(tx, pid, program.last_change, cid, uid, original, FROZEN_NOW)


def _put(engine: Engine, pid: int, body: dict) -> None:
    wire = SeriesWire.model_validate(body)
    with transaction(engine) as tx:
        tx.put_series(pid, wire.uid, wire.model_dump_json(), stamp(FROZEN_NOW), new=False)
        tx.append_changes(pid, [(None, "{}")], stamp(FROZEN_NOW))


def test_a_notice_names_an_occurrence_of_the_stored_schedule(engine: Engine) -> None:
    pid, cid = _program(engine)
    schedules = Schedules()
    assert _find(engine, schedules, pid, cid, "process-group", MON) == Occurrence(
        "Process Group", MON
    )
    tuesday = MON + timedelta(days=1)
    assert isinstance(_find(engine, schedules, pid, cid, "process-group", tuesday), Refused)
    assert isinstance(_find(engine, schedules, pid, cid, "other", MON), Refused)
    far = MON + timedelta(days=7 * 60)
    assert "within a year" in _find(engine, schedules, pid, cid, "process-group", far).detail  # type: ignore[union-attr]

    moved = MON + timedelta(hours=2)
    _put(engine, pid, GROUP | {"overrides": [
        {"original_start": MON.isoformat(), "start": moved.isoformat()},
        {"original_start": (MON + timedelta(days=2)).isoformat(), "cancelled": True},
    ]})  # fmt: skip
    assert _find(engine, schedules, pid, cid, "process-group", MON) == Occurrence(
        "Process Group", moved
    )  # seen at once: the counter moved
    wed = _find(engine, schedules, pid, cid, "process-group", MON + timedelta(days=2))
    assert isinstance(wed, Refused) and "cancelled" in wed.detail


def test_the_expansion_is_kept_while_only_other_changes_come_in(engine: Engine) -> None:
    pid, cid = _program(engine)
    schedules = Schedules()
    _find(engine, schedules, pid, cid, "process-group", MON)
    before = schedules._programs[pid][1]
    with transaction(engine) as tx:  # an acknowledgement: the counter moves, not the series
        tx.append_changes(pid, [(cid, "{}")], stamp(FROZEN_NOW))
    assert isinstance(_find(engine, schedules, pid, cid, "process-group", MON), Occurrence)
    assert schedules._programs[pid][1] is before
    _put(engine, pid, GROUP | {"title": "Renamed"})
    found = _find(engine, schedules, pid, cid, "process-group", MON)
    assert found == Occurrence("Renamed", MON) and schedules._programs[pid][1] is not before
