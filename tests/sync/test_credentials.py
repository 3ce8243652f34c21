"""A damaged credentials.json says so: it is never taken for "not enrolled" (issue 11)."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.sync.conftest import Enrolled

DAMAGE = {
    "not JSON": "{ half a fi",
    "no device token in it": '{"server_url": "https://iop.example.org"}',
    "not text": b"\xff\xfe\x00garbage",
}


@pytest.mark.parametrize("why", list(DAMAGE))
def test_a_damaged_token_is_named_by_sync_notify_and_status(enrolled: Enrolled, why: str) -> None:
    creds = enrolled.profile.paths.credentials_file
    token = enrolled.token
    damage = DAMAGE[why]
    creds.write_bytes(damage.encode() if isinstance(damage, str) else damage)
    occ = enrolled.occurrence_id("2026-11-30")

    sent = run_cli("notify", occ, "--barrier", "work")
    assert sent.returncode == 0, sent.stderr
    assert f"credentials.json is damaged ({why})" in sent.stdout
    assert "it goes out as soon as you are online" not in sent.stdout

    synced = run_cli("sync")
    assert synced.returncode == 1 and "Traceback" not in synced.stderr
    assert f"credentials.json is damaged ({why})" in synced.stdout
    assert "1 notice stays queued; nothing is lost." in synced.stdout
    assert "`companion unenroll`" in synced.stdout

    status = run_cli("status")
    assert status.returncode == 0 and "Cannot sync:" in status.stdout
    assert "Notices: 1 queued" in status.stdout
    assert enrolled.program.notices_of(token) == []
    assert creds.read_bytes() == (damage.encode() if isinstance(damage, str) else damage)


def test_unenroll_forgets_a_damaged_token_and_names_the_server(enrolled: Enrolled) -> None:
    creds = enrolled.profile.paths.credentials_file
    creds.write_text("{ half a fi")
    gone = run_cli("unenroll")
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.startswith(f"Forgot {enrolled.program.url}.")
    assert not creds.exists()
    again = run_cli("unenroll")
    assert again.returncode == 2 and "not enrolled" in again.stderr
