"""`companion erase` on an enrolled profile: the device leaves the program first (its
token and calendar feed stop working), then nothing is left on this device; a server that
cannot be reached stops it, unless asked again or --offline."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from companion.actions.profile import Profile
from companion.paths import Paths
from tests.conftest import run_cli
from tests.sync.conftest import Enrolled
from tests.sync.harness import ProgramServer, free_port
from tests.sync.test_from_demo import ask_at_a_terminal
from tests.test_cli_data import db_dump, everything_under


def test_erase_removes_the_device_from_the_program_first(enrolled: Enrolled, home: Path) -> None:
    token, program = enrolled.token, enrolled.program
    feed = httpx.get(program.url + "/v1/" + feed_path(enrolled.profile))
    assert feed.status_code == 200
    enrolled.profile.close()
    out = run_cli("erase", "--yes")
    assert out.returncode == 0, out.stderr
    assert f"Removed this device from {program.url}." in out.stderr
    assert "first removes this device from your program" in out.stderr
    assert everything_under(home) == []
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(program.url + "/v1/changes", headers=headers).status_code == 401
    assert httpx.get(program.url + "/v1/" + feed.url.path.split("/v1/", 1)[1]).status_code == 404


def feed_path(profile: Profile) -> str:
    state = profile.store.conn.execute("SELECT feed_url FROM sync_state").fetchone()
    return str(state[0]).split("/v1/", 1)[1]


def unreachable(paths: Paths, profile: Profile) -> None:
    """Point the saved enrolment at a port nobody listens on."""
    url = f"http://127.0.0.1:{free_port()}"
    data = json.loads(paths.credentials_file.read_text())
    paths.credentials_file.write_text(json.dumps({**data, "server_url": url}))
    profile.close()


def test_an_unreachable_server_stops_erase_unless_asked_again(
    enrolled: Enrolled, paths: Paths, home: Path
) -> None:
    unreachable(paths, enrolled.profile)
    before = db_dump(paths)
    out = run_cli("erase", "--yes", "--timeout", "1")
    assert out.returncode == 1
    [line] = out.stderr.strip().splitlines()[-1:]
    assert "could not remove this device from your program" in line
    assert "Nothing was erased" in line and "--offline" in line
    assert "stays listed at" in line and "until your coordinator revokes it" in line
    assert db_dump(paths) == before and paths.credentials_file.exists()
    # at a terminal: say so, and erase only when the word is typed again
    status, shown = ask_at_a_terminal(["erase", "--timeout", "1"], "erase\nno")
    assert status == 1 and "Nothing was erased." in shown, shown
    assert "If you erase anyway, this device stays listed" in shown
    status, shown = ask_at_a_terminal(["erase", "--timeout", "1"], "erase\nerase")
    assert status == 0 and "Erased: " in shown, shown
    assert everything_under(home) == []


def test_offline_erases_without_asking_the_server(
    enrolled: Enrolled, program: ProgramServer, home: Path
) -> None:
    token = enrolled.token
    enrolled.profile.close()
    out = run_cli("erase", "--yes", "--offline")
    assert out.returncode == 0, out.stderr
    assert everything_under(home) == []
    # the device stays listed (and working) at the program until a coordinator revokes it
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(program.url + "/v1/changes", headers=headers).status_code == 200


def test_a_device_the_program_revoked_already_is_erased(
    enrolled: Enrolled, program: ProgramServer, home: Path
) -> None:
    program.admin("revoke-client", str(enrolled.client_id))
    enrolled.profile.close()
    out = run_cli("erase", "--yes")
    assert out.returncode == 0, out.stderr
    assert "had already removed this device" in out.stderr
    assert everything_under(home) == []
