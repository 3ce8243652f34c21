"""Issue 16 on the client: the program's crisis contacts arrive with enrolment and in the
changes feed; one the client cannot use is set aside and the panel keeps what it had;
a change an older version set aside is applied after the upgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from companion.actions import help_now
from companion.actions.profile import Profile
from companion.domain.help_now import LIFELINE, CrisisContact
from companion.store import repo_help, repo_setaside
from sync.changes import usable_contacts
from sync.client import sync_now
from tests.conftest import run_cli
from tests.sync.conftest import enrol
from tests.sync.harness import ProgramServer
from tests.sync.test_set_aside import inject

AFTER_HOURS = {"name": "After-hours line", "phone": "+1 212 555 0100", "note": "17:00-23:00"}


def contacts_of(profile: Profile) -> list[str]:
    return [c.name for c in repo_help.program_contacts(profile.store.conn)]


def set_on_server(program: ProgramServer, *contacts: dict) -> None:
    listing = program.home / "contacts.json"
    listing.write_text(json.dumps(list(contacts)))
    program.admin("crisis-contacts", "--from-json", str(listing))


def test_contacts_come_with_enrolment_and_then_with_sync(
    profile: Profile, program: ProgramServer
) -> None:
    set_on_server(program, AFTER_HOURS)
    try:
        enrol(profile, program)
        assert contacts_of(profile) == ["After-hours line"]
        shown = help_now.contacts(profile)
        assert [c.name for c in shown] == ["After-hours line", LIFELINE.name, "Outside the US"]
        set_on_server(program, {"name": "Chat", "url": "https://chat.example.org"}, AFTER_HOURS)
        out = run_cli("sync")
        assert out.returncode == 0, out.stderr
        assert "received 1 crisis-contacts update" in out.stdout
        assert contacts_of(profile) == ["Chat", "After-hours line"]
        again = json.loads(run_cli("sync", "--json").stdout)
        assert again["changes"]["contacts"] == 0
    finally:
        set_on_server(program)  # the module's other tests start from none


def test_a_contacts_change_it_cannot_use_is_set_aside(
    profile: Profile, program: ProgramServer
) -> None:
    enrolled = enrol(profile, program)
    set_on_server(program, AFTER_HOURS)
    assert sync_now(profile).ok
    inject(program, {"type": "crisis_contacts",
                     "contacts": [{"name": "Trap", "url": "javascript:alert(1)"}]})  # fmt: skip
    result = sync_now(profile)
    assert result.ok and result.changes.contacts == 0
    [line] = result.changes.set_aside
    assert line.startswith("set aside a crisis_contacts change from the server: contacts.0")
    assert "only https://" in line
    assert contacts_of(enrolled.profile) == ["After-hours line"]  # kept what it had
    set_on_server(program)


def test_a_change_an_older_version_set_aside_is_applied_after_the_upgrade(
    profile: Profile, program: ProgramServer
) -> None:
    enrol(profile, program)
    assert sync_now(profile).ok
    at = datetime(2026, 11, 20, tzinfo=UTC)
    body = json.dumps({"type": "crisis_contacts", "contacts": [AFTER_HOURS]})
    with profile.store.transaction() as conn:  # as the version before v8 left it
        conn.execute("DELETE FROM help_now")
        conn.execute("DELETE FROM crisis_contact")
        reason = "Input tag 'crisis_contacts' found using 'type' does not match any expected tag"
        repo_setaside.add(conn, body, "crisis_contacts", "", reason, "1", at)
    result = sync_now(profile)
    assert result.ok and result.changes.contacts == 1
    assert contacts_of(profile) == ["After-hours line"]
    assert sync_now(profile).changes.contacts == 0  # once


def test_the_enrolment_answer_of_an_older_server_or_a_bad_one() -> None:
    assert usable_contacts({"name": "Evening IOP"}) == (None, "")  # an older server: none
    good, problem = usable_contacts({"crisis_contacts": [AFTER_HOURS]})
    assert problem == "" and good is not None
    assert [c.to_domain() for c in good] == [CrisisContact(**AFTER_HOURS)]
    bad, problem = usable_contacts({"crisis_contacts": [{"name": "x", "phone": "abc"}] * 2})
    assert bad == [] and problem.startswith("contacts.0: phone: a phone number")
    many, problem = usable_contacts({"crisis_contacts": [AFTER_HOURS] * 11})
    assert many == [] and "at most 10" in problem
