"""Property-based API tests: schemathesis generates requests from /openapi.json; every
answer must be a documented status with a body matching its schema, and never a 5xx.
Bounded: a few examples per operation, no deadline (a real server on a real database)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.server.conftest import GROUP, Server, notice

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def tokens(server: Server) -> dict[str, str]:
    """A program with a series, a coordinator, and an enrolled client with one notice."""
    program = server.program()
    coordinator = server.coordinator("c@example.org", program)
    server.http.post(
        "/v1/coordinator/series", json=GROUP, headers={"Authorization": f"Bearer {coordinator}"}
    )
    client = server.enrol("Alex", program)
    assert client.post(notice()).status_code == 201
    return {"coordinator": coordinator, "client": client.token}


@pytest.fixture
def api_schema(server: Server, tokens: dict[str, str]) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, server: Server, tokens: dict[str, str]
) -> None:
    role = "coordinator" if case.path.startswith("/v1/coordinator") else "client"
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    if case.path == "/v1/coordinator/logout":  # would end the session the others use
        headers = {"Authorization": "Bearer not-a-session"}
    case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS, timeout=10)
