"""Fixtures for the sync tests: a real program server per test and an enrolled profile."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from companion.actions.profile import Profile
from companion.actions.schedule import occurrences
from sync.client import enroll
from sync.credentials import read_token
from tests.sync.harness import ProgramServer


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProgramServer]:
    """Evening IOP on a loopback port, with its coordinator and the Process Group series.
    Shared by a module's tests (starting one takes seconds); each test enrols its own client."""
    server = ProgramServer(tmp_path_factory.mktemp("program") / "server")
    server.setup()
    yield server
    server.stop()


@dataclass
class Enrolled:
    profile: Profile
    program: ProgramServer
    client_id: int

    @property
    def token(self) -> str:
        token = read_token(self.profile)
        assert token
        return token

    def server_notices(self) -> list[dict]:
        return self.program.notices_of(self.token)

    def occurrence_id(self, day: str, title: str = "Process Group") -> str:
        """The id of ``title`` on ``day`` (YYYY-MM-DD in the program's timezone)."""
        start = datetime.fromisoformat(day).replace(tzinfo=self.profile.tz())
        found = occurrences(self.profile, start, start + timedelta(days=1))
        return next(v.occurrence.id for v in found if v.occurrence.title == title)


def enrol(profile: Profile, program: ProgramServer, url: str | None = None) -> Enrolled:
    client_id, code = program.add_client("Jordan R.")
    enroll(profile, url or program.url, code, "test laptop")
    return Enrolled(profile, program, client_id)


@pytest.fixture
def enrolled(profile: Profile, program: ProgramServer) -> Enrolled:
    return enrol(profile, program)
