"""/docs in a real Chromium: Swagger UI renders the API from the package's files, every
request stays on the server's origin, the page's policy blocks nothing it needs, and
"Try it out" reaches the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_swagger_ui_runs_on_the_servers_origin_alone(live_server: LiveServer, browser: Any) -> None:
    page = browser.new_page()
    requests: list[str] = []
    complaints: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".info .title").inner_text().startswith("Companion program server")
    assert page.locator(".opblock-summary-path", has_text="/v1/notices").count() == 2

    health = page.locator(
        ".opblock", has=page.locator(".opblock-summary-path", has_text="/healthz")
    )
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table .response-col_status", timeout=10_000)
    assert '"status": "ok"' in health.locator(".live-responses-table").inner_text()

    origin = urlsplit(live_server.url).netloc
    assert {urlsplit(u).netloc for u in requests} == {origin}, sorted(set(requests))
    assert not [c for c in complaints if "Content Security Policy" in c], complaints
