"""Accounts in a real Chromium: an admin invites a coordinator, the invitee accepts the
link (choosing a password signs them in), the admin disables them after a confirmation
page, and their open session ends at once. Reloading after every POST repeats nothing:
each answer is a redirect to a GET."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e import conftest as e2e
from tests.e2e.conftest import EMAIL, PASSWORD, LiveServer, sign_in_page

pytestmark = pytest.mark.browser
# The e2e fixtures: Chromium, and a served program whose first coordinator is its admin.
browser, live_server, program_home = e2e.browser, e2e.live_server, e2e.program_home
NEW = "new.coordinator@example.org"
NEW_PASSWORD = "a password of my own"


def new_page(browser: Any) -> Any:
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    return page


def test_invite_accept_disable_and_the_session_ends(browser: Any, live_server: LiveServer) -> None:
    url = live_server.url
    admin = new_page(browser)
    sign_in_page(admin, url, EMAIL, PASSWORD, start="/team", lands="/team")

    admin.get_by_label("Email").fill(NEW)
    admin.get_by_label("Role").select_option("coordinator")
    admin.get_by_role("button", name="Make an invitation link").click()
    admin.wait_for_url(url + "/team?done=invited")
    link = admin.inner_text("#link-url").strip()
    assert re.fullmatch(re.escape(url) + r"/invite/[A-Za-z0-9_\-]+", link)
    admin.reload()  # a GET: no second invitation, and the link is not shown again
    assert admin.locator("#new-link").count() == 0 and link not in admin.content()

    invitee = new_page(browser)
    invitee.goto(link)
    assert NEW in invitee.inner_text("main")
    invitee.get_by_label("New password (8 characters or more)").fill(NEW_PASSWORD)
    invitee.get_by_label("The same again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set the password").click()
    invitee.wait_for_url(url + "/inbox?done=welcome")
    assert NEW in invitee.inner_text("header")
    invitee.reload()  # a GET of the inbox: no second account
    assert invitee.url == url + "/inbox?done=welcome"

    admin.goto(url + "/team")
    row = admin.locator("tr", has_text=NEW)
    assert row.count() == 1
    row.get_by_role("link", name="Disable…").click()
    assert admin.get_by_role("heading", name=f"Disable {NEW}?").is_visible()
    admin.get_by_role("link", name="Keep it, go back").click()
    admin.wait_for_url(url + "/team")
    assert "disabled" not in admin.locator("tr", has_text=NEW).inner_text()
    admin.locator("tr", has_text=NEW).get_by_role("link", name="Disable…").click()
    admin.get_by_role("button", name="Disable the account").click()
    admin.wait_for_url(url + "/team?done=disabled")
    admin.reload()
    assert admin.inner_text("main").count("Account disabled") == 1
    assert admin.locator("tr", has_text=NEW).count() == 1
    assert "disabled" in admin.locator("tr", has_text=NEW).inner_text()

    # The invitee's open session ended: the next page is the sign-in form, which refuses.
    invitee.goto(url + "/inbox")
    assert "/signin" in invitee.url
    invitee.get_by_label("Email").fill(NEW)
    invitee.get_by_label("Password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Sign in").click()
    assert "Wrong email or password." in invitee.inner_text("main")
