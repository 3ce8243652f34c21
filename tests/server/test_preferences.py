"""GET and PUT /v1/preferences: the calling device's discreet-feed choice, validated,
scoped to that device, documented; and the program's default from the admin CLI."""

from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from sync.server import admin
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from tests.server.conftest import Server
from tests.server.test_cli import as_json, server_cli


def test_a_device_reads_and_sets_its_own_choice(server: Server) -> None:
    program = server.program()
    client = server.enrol("Alex", program)
    got = server.http.get("/v1/preferences", headers=client.headers)
    assert got.json() == {"discreet": None, "program_default": False, "feed_discreet": False}
    for choice, feed in ((True, True), (False, False), (None, False)):
        r = server.http.put("/v1/preferences", json={"discreet": choice}, headers=client.headers)
        assert r.status_code == 200
        assert r.json() == {"discreet": choice, "program_default": False, "feed_discreet": feed}
        assert server.http.get("/v1/preferences", headers=client.headers).json() == r.json()


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"discreet": "yes"}',
        b'{"discreet": "true"}',
        b'{"discreet": 1}',
        b'{"discreet": true, "theme": "dark"}',
        b"[true]",
        b"true",
        b"{not json",
        b'{"discreet": "\\u0000"}',
    ],
)
def test_anything_but_true_false_or_null_is_422(server: Server, body: bytes) -> None:
    client = server.enrol("Alex", server.program())
    headers = dict(client.headers, **{"Content-Type": "application/json"})
    r = server.http.put("/v1/preferences", content=body, headers=headers)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    # nothing was stored
    assert server.http.get("/v1/preferences", headers=client.headers).json()["discreet"] is None


def test_choices_are_scoped_to_the_calling_device(server: Server) -> None:
    program = server.program()
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    r = server.http.put("/v1/preferences", json={"discreet": True}, headers=alex.headers)
    assert r.status_code == 200
    assert server.http.get("/v1/preferences", headers=sam.headers).json()["discreet"] is None
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        assert (
            server.http.put("/v1/preferences", json={"discreet": True}, headers=headers).status_code
            == 401
        )
        assert server.http.get("/v1/preferences", headers=headers).status_code == 401
    admin.revoke_client(server.engine, alex.id, server.clock())
    assert server.http.get("/v1/preferences", headers=alex.headers).status_code == 401


def test_the_endpoint_is_documented(server: Server) -> None:
    schema = server.http.get("/openapi.json").json()
    ops = schema["paths"]["/v1/preferences"]
    assert {"get", "put"} <= set(ops)
    body = ops["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/PreferencesIn")
    assert {"401", "422"} <= set(ops["put"]["responses"])
    model = schema["components"]["schemas"]["PreferencesIn"]
    assert model["required"] == ["discreet"]
    assert schema["components"]["schemas"]["ProgramInfo"]["properties"]["discreet_default"]


def test_create_and_set_program_choose_the_default(db_url: str) -> None:
    db = ["--db", db_url]
    as_json("migrate", *db)
    made = as_json(
        "create-program", "Evening IOP", "--timezone", "America/New_York", "--discreet", *db
    )
    assert made["discreet"] is True
    plain = server_cli("create-program", "Day IOP", "--timezone", "America/New_York", *db)
    assert plain.returncode == 0 and "discreet" not in plain.stdout
    changed = as_json("set-program", "--program", "Evening IOP", "--no-discreet", *db)
    assert changed == {"program_id": made["program_id"], "name": "Evening IOP", "discreet": False,
                       "changed": True, "feeds_changed": 0}  # fmt: skip
    again = server_cli("set-program", "--program", "Evening IOP", "--no-discreet", *db)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    text = server_cli("set-program", "--program", "Day IOP", "--discreet", *db)
    assert text.stdout.strip() == (
        "'Day IOP': calendar feeds now default to discreet (0 device feed(s) follow the default)"
    )
    # bad input: one line, exit 2
    for args in (["set-program", "--program", "Evening IOP"], ["set-program", "--discreet"],
                 ["set-program", "--program", "Nope", "--discreet"]):  # fmt: skip
        bad = server_cli(*args, *db)
        assert bad.returncode == 2, bad.stdout
        assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert "Traceback" not in bad.stderr
    assert (
        json.loads(
            server_cli("set-program", "--program", "1", "--no-discreet", "--json", *db).stdout
        )["changed"]
        is False
    )


def test_revision_0005_keeps_existing_devices_and_their_feeds(db_url: str) -> None:
    """A database from before discreet feeds: every device follows its program's default,
    which is off, and its feed opens as before."""
    engine = make_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.SCRIPTS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
    at = "2026-11-26T22:12:00.000000Z"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO programs (id, name, timezone, threshold, unexcused_limit, coordinator,"
            " last_change, last_change_at, created_at) VALUES (1, 'Evening IOP',"
            " 'America/New_York', 0.8, 3, '', 0, :at, :at)"), {"at": at})  # fmt: skip
        conn.execute(text(
            "INSERT INTO clients (id, program_id, name, created_at, feed_rev, feed_changed_at)"
            " VALUES (1, 1, 'Alex', :at, 0, :at)"), {"at": at})  # fmt: skip
        conn.execute(text(
            "INSERT INTO devices (id, client_id, name, token_hash, feed_hash, created_at)"
            " VALUES (1, 1, 'laptop', 'token-hash', 'feed-hash', :at)"), {"at": at})  # fmt: skip
    migrate.upgrade(engine)
    with transaction(engine) as tx:
        state = tx.feed_by_token("feed-hash")
        program = tx.program(1)
        choice = tx.device_discreet(1)
    engine.dispose()
    assert state is not None and program is not None
    assert (state.discreet, state.device_rev, state.is_discreet) == (None, 0, False)
    assert state.changed_at == at and program.discreet_default is False
    assert choice == (None, False)
