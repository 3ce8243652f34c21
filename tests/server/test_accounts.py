"""Coordinator accounts: roles (the program's first account is its admin,
``create-coordinator --role``, revision 0009), who is signed in, the team and program
settings an admin manages."""

from __future__ import annotations

import json
import subprocess
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from sync.server.storage import migrate
from sync.server.storage.engine import make_engine
from sync.server.storage.runner import transaction
from tests.server.conftest import Server
from tests.server.forms import browser, form_signin

PASSWORD = "correct horse"


def cli(*args: str, input: str = PASSWORD + "\n") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync.server.cli", *args], input=input,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_the_first_account_of_a_program_is_its_admin(db_url: str) -> None:
    db = ["--db", db_url, "--json"]
    assert cli("migrate", *db).returncode == 0
    for name in ("A", "B"):
        assert cli("create-program", name, "--timezone", "UTC", *db).returncode == 0
    made = [json.loads(cli("create-coordinator", email, "--program", p, *db).stdout)
            for email, p in (("a1@x.org", "A"), ("a2@x.org", "A"), ("b1@x.org", "B"))]  # fmt: skip
    assert [m["role"] for m in made] == ["admin", "coordinator", "admin"]
    second = json.loads(cli("create-coordinator", "a3@x.org", "--program", "A", "--role",
                            "admin", *db).stdout)  # fmt: skip
    assert second["role"] == "admin"
    bad = cli("create-coordinator", "a4@x.org", "--program", "A", "--role", "boss", *db)
    assert bad.returncode == 2 and "invalid choice: 'boss'" in bad.stderr
    text_out = cli("create-coordinator", "a5@x.org", "--program", "A", "--db", db_url).stdout
    assert text_out.startswith("created coordinator a5@x.org for 'A'")


def test_me_says_who_and_which_role(server: Server) -> None:
    program = server.program()
    for email, role in (("boss@x.org", "admin"), ("sam@x.org", "coordinator")):
        token = server.coordinator(email, program)
        r = server.http.get("/v1/coordinator/me", headers={"Authorization": f"Bearer {token}"})
        assert r.json() == {"id": r.json()["id"], "email": email, "role": role,
                            "program": "Evening IOP"}  # fmt: skip


def test_an_admin_sees_the_team_and_changes_the_program(server: Server) -> None:
    program = server.program()
    boss = {"Authorization": f"Bearer {server.coordinator('boss@x.org', program)}"}
    server.coordinator("sam@x.org", program)
    team = server.http.get("/v1/coordinator/accounts", headers=boss).json()
    assert [(a["email"], a["role"]) for a in team] == [
        ("boss@x.org", "admin"),
        ("sam@x.org", "coordinator"),
    ]
    assert all("password" not in json.dumps(a) for a in team)
    r = server.http.put("/v1/coordinator/program", json={"discreet_default": True}, headers=boss)
    assert r.status_code == 200 and r.json() == {"discreet_default": True}
    got = server.http.get("/v1/coordinator/program", headers=boss).json()
    assert got == {"discreet_default": True}
    bad = server.http.put("/v1/coordinator/program", json={"discreet_default": "yes"},
                          headers=boss)  # fmt: skip
    assert bad.status_code == 422


def test_the_dashboard_shows_admin_pages_to_admins_only(server: Server) -> None:
    program = server.program()
    server.coordinator("boss@x.org", program)
    server.coordinator("sam@x.org", program)
    with browser(server.url) as boss, browser(server.url) as sam:
        assert form_signin(boss, "boss@x.org", PASSWORD).status_code == 303
        assert form_signin(sam, "sam@x.org", PASSWORD).status_code == 303
        inbox = boss.get("/inbox").text
        assert 'href="/team"' in inbox and 'href="/program"' in inbox
        team = boss.get("/team").text
        assert "sam@x.org" in team and "coordinator" in team
        inbox = sam.get("/inbox").text
        assert 'href="/team"' not in inbox and 'href="/program"' not in inbox
        r = sam.get("/team")
        assert r.status_code == 403 and "Admins only" in r.text


def test_revision_0009_makes_each_programs_first_account_its_admin(db_url: str) -> None:
    engine = make_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.SCRIPTS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0008")
    at = "2026-11-26T22:12:00.000000Z"
    with engine.begin() as conn:
        for pid in (1, 2):
            values = {"id": pid, "name": f"P{pid}", "at": at}
            conn.execute(text(
                "INSERT INTO programs (id, name, timezone, threshold, unexcused_limit,"
                " coordinator, last_change, last_change_at, created_at) VALUES (:id, :name,"
                " 'UTC', 0.8, 3, '', 0, :at, :at)"), values)  # fmt: skip
        for cid, pid in ((1, 1), (2, 2), (3, 1), (4, 2)):
            conn.execute(text(
                "INSERT INTO coordinators (id, program_id, email, password_hash, created_at)"
                " VALUES (:id, :pid, :email, 'x', :at)"),
                {"id": cid, "pid": pid, "email": f"c{cid}@x.org", "at": at})  # fmt: skip
    migrate.upgrade(engine)
    with transaction(engine) as tx:
        roles = {a.email: a.role for p in (1, 2) for a in tx.accounts_of(p)}
    engine.dispose()
    assert roles == {"c1@x.org": "admin", "c2@x.org": "admin", "c3@x.org": "coordinator",
                     "c4@x.org": "coordinator"}  # fmt: skip
