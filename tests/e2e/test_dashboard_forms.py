"""Forms that behave, in a real Chromium: adding a client and reloading adds no second
client (POST/redirect/GET) and shows the one-time code no more; revoking asks first on
a page of its own; a reply typed into a form that expired is not lost."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import EMAIL, PASSWORD, LiveServer

pytestmark = pytest.mark.browser


def sign_in(page: Any, url: str, next_path: str = "/inbox") -> None:
    page.goto(url + next_path)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + next_path)


def test_reload_after_adding_a_client_adds_nothing(browser: Any, live_server: LiveServer) -> None:
    url = live_server.url
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url, "/clients")
    page.get_by_label("Name").fill("Jordan R.")
    page.get_by_role("button", name="Add client and show the enrolment code").click()
    page.wait_for_url(re.compile(r".*/clients/\d+\?done=added$"))
    code = page.inner_text("#enrol-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    page.reload()  # no "resend the form?": the page is a GET
    assert page.locator("#enrol-code").count() == 0 and code not in page.content()
    page.goto(url + "/clients")
    assert page.get_by_role("link", name="Jordan R.").count() == 1

    # Revoking asks first, on a page of its own.
    page.get_by_role("link", name="Jordan R.").click()
    page.get_by_role("link", name="Revoke access (every device)…").click()
    assert page.get_by_role("heading", name="Revoke access for Jordan R.?").is_visible()
    page.get_by_role("link", name="Keep it, go back").click()
    assert "revoked" not in page.inner_text("main")
    page.get_by_role("link", name="Revoke access (every device)…").click()
    page.get_by_role("button", name="Revoke access").click()
    assert "Access revoked" in page.inner_text("main")
    page.reload()
    assert page.inner_text("main").count("Access revoked") == 1


def test_a_reply_in_an_expired_form_is_sent_again(browser: Any, live_server: LiveServer) -> None:
    url = live_server.url
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url, "/clients")
    page.get_by_label("Name").fill("Sam K.")
    # The session ends while the form is open (signed out in another tab).
    other = context.new_page()
    other.goto(url + "/inbox")
    other.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Add client and show the enrolment code").click()
    assert "Your session ended before this was sent" in page.inner_text("main")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/resume")
    assert page.get_by_label("Name").input_value() == "Sam K."
    page.get_by_role("button", name="Send again").click()
    page.wait_for_url(re.compile(r".*/clients/\d+\?done=added$"))
    assert page.locator("#enrol-code").count() == 1
