"""The storage contract, run on SQLite and PostgreSQL: migrations, the change counter,
single-use codes, and the batch forms answering exactly as single calls do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from sync.protocol import NoticeIn, SeriesWire
from sync.server import admin, core
from sync.server.schedules import Schedules
from sync.server.security import digest, new_token
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import _execute, transaction
from sync.server.storage.tables import metadata, stamp
from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, notice


def test_migrations_build_exactly_the_tables_the_code_declares(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.head()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_the_schema_check_refuses_unknown_schemas(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(migrate.SchemaError, match="run `companion-server migrate`"):
        migrate.check(engine)
    migrate.upgrade(engine)
    migrate.check(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrate.SchemaError, match="newer server"):
        migrate.check(engine)
    engine.dispose()


def test_change_counter_is_gap_free_and_per_program(engine: Engine) -> None:
    a = admin.create_program(engine, "A", "UTC", 0.8, 3, "", FROZEN_NOW)["program_id"]
    b = admin.create_program(engine, "B", "UTC", 0.8, 3, "", FROZEN_NOW)["program_id"]
    at = stamp(FROZEN_NOW)
    with transaction(engine) as tx:
        assert tx.append_changes(a, [(None, "{}"), (None, "{}")], at) == 2
        assert tx.append_changes(b, [(None, "{}")], at) == 1
    with transaction(engine) as tx:
        assert tx.append_changes(a, [(None, "{}")], at) == 3
        assert [r[0] for r in tx.changes_since(a, 0, 0, 10)] == [1, 2, 3]


def test_a_failed_transaction_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as tx:
        tx.add_program("P", "UTC", 0.8, 3, "", stamp(FROZEN_NOW))
        raise RuntimeError("boom")
    with transaction(engine) as tx:
        assert tx.programs() == []


def test_a_code_is_claimed_once(engine: Engine) -> None:
    admin.create_program(engine, "P", "UTC", 0.8, 3, "", FROZEN_NOW)
    code = admin.add_client(engine, "Alex", None, FROZEN_NOW)["code"]
    later = stamp(FROZEN_NOW + timedelta(minutes=1))
    with transaction(engine) as tx:
        assert tx.claim_code(digest(code), later) is not None
        assert tx.claim_code(digest(code), later) is None


def _device(engine: Engine) -> str:
    """A client's device token (digest) in a program whose schedule has the Process Group."""
    program = admin.create_program(engine, "P", "UTC", 0.8, 3, "", FROZEN_NOW)
    client_id = admin.add_client(engine, "Alex", None, FROZEN_NOW)["client_id"]
    token = new_token()
    body = SeriesWire.model_validate(GROUP).model_dump_json()
    with transaction(engine) as tx:
        tx.add_device(client_id, "laptop", digest(token), digest(new_token()), stamp(FROZEN_NOW))
        tx.put_series(program["program_id"], GROUP["uid"], body, stamp(FROZEN_NOW), new=True)
    return digest(token)


def test_batched_notices_answer_like_single_calls(engine: Engine) -> None:
    token = _device(engine)
    schedules = Schedules()
    one = NoticeIn.model_validate(notice())
    clash = NoticeIn.model_validate(dict(notice(), id=str(one.id), message="other"))
    two = NoticeIn.model_validate(notice(timing="after"))
    elsewhen = NoticeIn.model_validate(notice(original_start="2026-12-01T23:00:00Z"))  # a Tue
    calls = [(token, one), (token, one), ("bad", two), (token, clash), (token, two),
             (token, elsewhen)]  # fmt: skip
    with transaction(engine) as tx:
        jobs = [
            (core.post_notice, (h, core.Delivery(n, FROZEN_NOW), schedules), None, None)
            for h, n in calls
        ]
        results = [value for ok, value in _execute(tx, jobs)]  # type: ignore[arg-type]
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["Created", "Duplicate", "Unauthorized", "Conflict", "Created", "Refused"]
    with transaction(engine) as tx:
        assert tx.notice_row(str(two.id)) is not None
        again = core.post_notice(tx, token, core.Delivery(two, FROZEN_NOW), schedules)
        refused = core.post_notice(tx, token, core.Delivery(elsewhen, FROZEN_NOW), schedules)
    assert isinstance(again, core.Duplicate) and again.notice.id == two.id
    assert again.notice.timing.value == "advance"  # the server's verdict, not the claim
    assert again.notice.claimed_timing is not None and again.notice.claimed_timing.value == "after"
    assert isinstance(refused, core.Refused) and "no session at that time" in refused.detail


def test_batched_polls_answer_like_single_calls(engine: Engine) -> None:
    token = _device(engine)
    with transaction(engine) as tx:
        jobs = [(core.changes, (h, 0, 500), None, None) for h in (token, "nope", token)]
        results = [value for ok, value in _execute(tx, jobs)]  # type: ignore[arg-type]
    assert [type(r).__name__ for r in results] == ["ChangesPage", "Unauthorized", "ChangesPage"]
    assert results[0].to_json() == b'{"changes":[],"cursor":"0","more":false}'


def test_batched_lookups_of_any_size_find_exactly_their_keys(engine: Engine) -> None:
    known = _device(engine)
    with transaction(engine) as tx:  # sizes around the padded forms (powers of two)
        for size in (1, 2, 3, 4, 5, 7, 8, 9, 16, 17):
            unknown = {digest(new_token()) for _ in range(size - 1)}
            assert list(tx.devices_by_tokens(unknown | {known})) == [known]
            assert tx.devices_by_tokens(unknown) == {}
            assert tx.notice_rows(unknown) == {}
