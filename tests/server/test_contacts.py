"""Issue 16 on the server: the program's crisis contacts (admin CLI, storage on both
backends, the changes feed, the enrolment answer for a client that asks for them) and a
device removing itself before its profile is erased."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from companion.domain.help_now import CrisisContact
from sync.protocol import FEATURES_HEADER, EnrollResponse
from sync.server import admin
from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from tests.server.conftest import Server
from tests.server.test_cli import as_json, server_cli

LINE = CrisisContact("Evening IOP after-hours line", phone="+1 212 555 0100", note="17:00-23:00")
TEXT_LINE = CrisisContact("Crisis Text Line", sms="741741", note="text HOME")


def set_contacts(server: Server, program: str, *contacts: CrisisContact) -> dict:
    return admin.edit_crisis_contacts(server.engine, program, server.clock(),
                                      lambda old: list(contacts))  # fmt: skip


def test_contacts_reach_clients_in_the_feed_and_only_their_program(server: Server) -> None:
    mine, other = server.program("Evening IOP"), server.program("Day IOP")
    alex, sam = server.enrol("Alex", mine), server.enrol("Sam", other)
    assert alex.poll() == [] and sam.poll() == []
    done = set_contacts(server, mine, LINE, TEXT_LINE)
    assert done["changed"] is True
    [change] = alex.poll()
    assert change["type"] == "crisis_contacts"
    assert [c["name"] for c in change["contacts"]] == [LINE.name, TEXT_LINE.name]
    assert change["contacts"][0] == {"name": LINE.name, "phone": LINE.phone, "sms": "",
                                     "url": "", "note": LINE.note}  # fmt: skip
    assert sam.poll() == []  # another program's clients hear nothing
    # the same list again changes nothing and adds nothing to the feed
    assert set_contacts(server, mine, LINE, TEXT_LINE)["changed"] is False
    assert alex.poll() == []
    # cleared: the clients hear an empty list (they show the defaults)
    set_contacts(server, mine)
    assert alex.poll() == [{"type": "crisis_contacts", "contacts": []}]


def test_the_enrolment_answer_has_them_only_for_a_client_that_asks(server: Server) -> None:
    program = server.program()
    set_contacts(server, program, LINE)
    _, code = server.code("Alex", program)
    old = server.http.post("/v1/enroll", json={"code": code})
    assert old.status_code == 200, old.text
    assert "crisis_contacts" not in old.json()["program"]  # an older client refuses unknowns
    _, code = server.code("Sam", program)
    new = server.http.post(
        "/v1/enroll", json={"code": code}, headers={FEATURES_HEADER: "crisis_contacts"}
    )
    assert new.status_code == 200, new.text
    answer = EnrollResponse.model_validate(new.json())
    assert answer.program.crisis_contacts is not None
    assert [c.to_domain() for c in answer.program.crisis_contacts] == [LINE]
    # a program with none: an empty list, so the client knows there are none
    other = server.program("Day IOP")
    _, code = server.code("Lee", other)
    r = server.http.post("/v1/enroll", json={"code": code},
                         headers={FEATURES_HEADER: "something_else, crisis_contacts"})  # fmt: skip
    assert r.json()["program"]["crisis_contacts"] == []


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        ({"name": "x", "url": "javascript:alert(1)"}, "only https://, http://, tel: or sms:"),
        ({"name": "x", "url": "file:///etc/passwd"}, "only https://"),
        ({"name": "x", "url": "tel:call-me"}, "only https://"),
        ({"name": "x", "phone": "nine one one"}, "phone: a phone number of 3-15 digits"),
        ({"name": "x", "phone": "12"}, "3-15 digits"),
        ({"name": "x", "sms": "1" * 16}, "sms: a phone number"),
        ({"name": "two\nlines", "phone": "988"}, "name: must be one line"),
        ({"name": "bell\x07", "phone": "988"}, "one line without control characters"),
        ({"name": "x" * 101, "phone": "988"}, "name: at most 100 characters"),
        ({"name": "x", "phone": "988", "note": "n" * 201}, "note: at most 200"),
        ({"name": "", "phone": "988"}, "name: give a name"),
        ({"name": "nobody"}, "nobody: give a number to call or text, or a link"),
        ({"name": "x", "phone": "988", "fax": "1"}, "unknown field 'fax'"),
        ({"name": "x", "phone": 988}, "every field of a contact is text"),
        ("988", "a contact is an object"),
    ],
)
def test_a_contact_that_could_break_a_panel_is_refused(contact: object, reason: str) -> None:
    with pytest.raises(admin.AdminError, match="^contact 1: .*" + reason.replace("(", r"\(")):
        admin.contact_of(contact, "contact 1")


def test_at_most_ten_contacts(server: Server) -> None:
    program = server.program()
    with pytest.raises(admin.AdminError, match="at most 10 crisis contacts"):
        set_contacts(server, program, *([LINE] * 11))
    assert admin.crisis_contacts(server.engine, program)["contacts"] == []


def test_a_device_removes_itself(server: Server) -> None:
    program = server.publish(server.program())
    alex = server.enrol("Alex", program)
    second = server.enrol("Alex again", program)
    r = server.http.delete("/v1/device", headers=alex.headers)
    assert r.status_code == 200 and r.json() == {"removed": True}
    assert server.http.get("/v1/changes", headers=alex.headers).status_code == 401
    assert server.http.delete("/v1/device", headers=alex.headers).status_code == 401
    feed = alex.enrolled["feed_url"].split("/v1/", 1)[1]
    assert server.http.get("/v1/" + feed).status_code == 404
    # the client stays (the program's record), and their other devices keep working
    assert server.http.get("/v1/changes", headers=second.headers).status_code == 200
    with transaction(server.engine) as tx:
        [row] = [c for c in tx.clients_of(tx.programs()[0].id) if c.name == "Alex"]
    assert row.revoked_at is None and row.devices == 0
    assert server.http.delete("/v1/device").status_code == 401


def test_the_admin_cli(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'server.sqlite3'}"]
    assert server_cli("migrate", *db).returncode == 0
    as_json("create-program", "Evening IOP", "--timezone", "America/New_York", *db)
    shown = server_cli("crisis-contacts", *db)
    assert shown.returncode == 0, shown.stderr
    assert "'Evening IOP' has no crisis contacts of its own." in shown.stdout
    assert "988 Suicide & Crisis Lifeline — call or text 988 (US)" in shown.stdout
    added = as_json("crisis-contacts", "--add", LINE.name, "--phone", LINE.phone,
                    "--note", LINE.note, *db)  # fmt: skip
    assert added["changed"] is True and added["contacts"][0]["phone"] == LINE.phone
    text_out = server_cli("crisis-contacts", "--add", "Chat", "--url", "https://chat.example.org",
                          *db).stdout  # fmt: skip
    assert "1. Evening IOP after-hours line — call +1 212 555 0100 (17:00-23:00)" in text_out
    assert "2. Chat — https://chat.example.org" in text_out
    assert "Clients see the change on their next sync." in text_out
    removed = as_json("crisis-contacts", "--remove", "1", *db)
    assert [c["name"] for c in removed["contacts"]] == ["Chat"]
    listing = tmp_path / "contacts.json"
    listing.write_text(json.dumps([{"name": "Line", "phone": "988", "sms": "988"}]))
    assert as_json("crisis-contacts", "--from-json", str(listing), *db)["contacts"] == [
        {"name": "Line", "phone": "988", "sms": "988", "url": "", "note": ""}
    ]
    piped = server_cli("crisis-contacts", "--from-json", "-", "--json", *db, input="[]")
    assert json.loads(piped.stdout)["contacts"] == []
    # bad input: one line, exit 2, nothing changed
    listing.write_text(json.dumps([{"name": "Line", "url": "javascript:x"}]))
    (tmp_path / "big.json").write_text("[" + " " * 70_000 + "]")
    for args in (["--add", "x", "--url", "data:text/html,hi"], ["--phone", "988"],
                 ["--remove", "5"], ["--from-json", str(listing)],
                 ["--from-json", str(tmp_path / "missing.json")],
                 ["--from-json", str(tmp_path / "big.json")],
                 ["--program", "Nope"]):  # fmt: skip
        bad = server_cli("crisis-contacts", *args, *db)
        assert bad.returncode == 2, (args, bad.stdout)
        assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert "Traceback" not in bad.stderr
    assert as_json("crisis-contacts", *db)["contacts"] == []


def test_revision_0006_gives_existing_programs_no_contacts(db_url: str) -> None:
    engine: Engine = make_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.SCRIPTS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    at = "2026-11-26T22:12:00.000000Z"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO programs (id, name, timezone, threshold, unexcused_limit, coordinator,"
            " last_change, last_change_at, created_at) VALUES (1, 'Evening IOP',"
            " 'America/New_York', 0.8, 3, '', 0, :at, :at)"), {"at": at})  # fmt: skip
    migrate.upgrade(engine)
    with transaction(engine) as tx:
        program = tx.program(1)
    engine.dispose()
    assert program is not None and program.crisis_contacts == "[]"
