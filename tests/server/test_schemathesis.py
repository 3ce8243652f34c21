"""Property-based API tests: schemathesis generates requests from /openapi.json, valid and
invalid, against the real server on both backends, with a device and a coordinator token.
Every check is on (``tests/server/schemathesis.toml`` says what a schema cannot: which
refusals depend on stored state): an answer is never a 5xx, always a documented status
with a body matching its schema, invalid data is refused and valid data accepted.

At least 100 examples per operation in CI; fewer locally (``SCHEMATHESIS_EXAMPLES``
overrides). ``bench/schemathesis_long.py`` runs the CLI with ``--max-examples 300``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.conftest import IN_CI
from tests.server.conftest import Server, notice

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES") or (100 if IN_CI else 25))


@pytest.fixture
def tokens(server: Server) -> Iterator[dict[str, str]]:
    """A program with a series, a coordinator, and an enrolled client with one notice;
    their tokens in the environment the config reads them from."""
    program = server.publish(server.program())
    coordinator = server.coordinator("c@example.org", program)
    client = server.enrol("Alex", program)
    assert client.post(notice()).status_code == 201
    found = {"COMPANION_COORDINATOR_TOKEN": coordinator, "COMPANION_DEVICE_TOKEN": client.token}
    with pytest.MonkeyPatch.context() as env:
        for name, value in found.items():
            env.setenv(name, value)
        yield found


@pytest.fixture
def api_schema(server: Server, tokens: dict[str, str]) -> schemathesis.BaseSchema:
    config = SchemathesisConfig.from_path(CONFIG)
    return schemathesis.openapi.from_url(server.url + "/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, server: Server) -> None:
    case.call_and_validate(base_url=server.url, timeout=10)
