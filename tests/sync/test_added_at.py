"""The day the program added the client reaches the client at enrolment (issue 14), so the
app's 12-week picture counts from the same day as the coordinator's pages; a client that
does not name the feature gets the answer it always had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from companion.actions.progress import client_started
from companion.store import repo_schedule, repo_sync
from sync.protocol import ADDED_AT, FEATURES_HEADER
from tests.sync.conftest import Enrolled
from tests.sync.harness import ProgramServer


def test_enrolment_keeps_the_day_the_program_added_the_client(enrolled: Enrolled) -> None:
    state = repo_sync.get_state(enrolled.profile.store.conn)
    assert state is not None and state.added_at is not None
    assert abs(state.added_at - datetime.now(UTC)) < timedelta(minutes=5)  # the admin's clock
    series = repo_schedule.list_series(enrolled.profile.store.conn)
    # This device's (frozen) clock says it enrolled before it was added: the earlier wins.
    assert client_started(enrolled.profile, series) == min(state.added_at, state.enrolled_at)


def test_the_added_day_is_only_for_a_client_that_asks(program: ProgramServer) -> None:
    _, old_code = program.add_client("Old C.")
    old = httpx.post(program.url + "/v1/enroll", json={"code": old_code}, timeout=10)
    assert old.status_code == 200 and "added_at" not in old.json()
    _, code = program.add_client("New C.")
    new = httpx.post(program.url + "/v1/enroll", json={"code": code},
                     headers={FEATURES_HEADER: ADDED_AT}, timeout=10)  # fmt: skip
    assert new.status_code == 200
    assert datetime.fromisoformat(new.json()["added_at"].replace("Z", "+00:00")) <= datetime.now(
        UTC
    )
