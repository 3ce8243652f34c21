"""Materials in a real Chromium: a coordinator attaches a material on a session's roster,
corrects it, sees it on the notice about that session in the inbox, and withdraws it
(asked first); each step lands back on the page it started from."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from sync.server.storage.tables import stamp
from tests.e2e.conftest import (
    browser,  # noqa: F401  (the Chromium fixture)
    sign_in_page,
)
from tests.web.conftest import GROUP, PASSWORD, Site, group_start

pytestmark = pytest.mark.browser


def test_attach_edit_and_withdraw_a_material_on_a_roster(browser: Any, site: Site) -> None:  # noqa: F811
    url = site.url
    roster = (
        url
        + "/attendance/roster?"
        + urlencode({"series": GROUP["uid"], "start": stamp(group_start())})
    )
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    sign_in_page(page, url, site.emails["A"], PASSWORD)

    page.goto(roster)
    assert "No materials for this session yet." in page.inner_text("main")
    page.get_by_text("Attach a material").click()
    page.get_by_label("Kind").select_option("handout")
    page.get_by_label("Title").fill("Week 3 handout")
    page.get_by_label("Link").fill("https://files.example.org/w3.pdf")
    page.get_by_label("Note (optional)").fill("pages 2-4")
    page.get_by_role("button", name="Attach").click()
    page.wait_for_url("**done=materials*")
    main = page.inner_text("main")
    assert "Materials attached" in main and "pages 2-4" in main
    assert page.get_by_role("link", name="Week 3 handout").get_attribute("href") == (
        "https://files.example.org/w3.pdf"
    )

    # Correct it: the form comes filled in and returns to the roster.
    page.locator(".material").get_by_role("link", name="Edit").click()
    assert page.get_by_label("Title").input_value() == "Week 3 handout"
    page.get_by_label("Title").fill("Week 3 handout (v2)")
    page.get_by_label("Link").fill("https://files.example.org/w3-v2.pdf")
    page.get_by_role("button", name="Save material").click()
    page.wait_for_url("**done=materialedited*")
    assert "Material corrected" in page.inner_text("main")
    assert page.get_by_role("link", name="Week 3 handout (v2)").count() == 1

    # The notice about that session lists it.
    page.goto(url + "/inbox")
    notice = page.locator(f"#notice-{site.notices['A']}")
    assert notice.get_by_role("link", name="Week 3 handout (v2)").count() == 1

    # Withdraw: asked first, then gone from the roster and the notice.
    page.goto(roster)
    page.locator(".material").get_by_role("link", name="Withdraw").click()
    assert page.get_by_role("heading", name="Withdraw “Week 3 handout (v2)”?").is_visible()
    page.get_by_role("button", name="Withdraw the material").click()
    page.wait_for_url("**done=withdrawn*")
    main = page.inner_text("main")
    assert "Material withdrawn" in main and "Week 3 handout (v2)" not in main
    page.goto(url + "/inbox")
    assert page.locator(f"#notice-{site.notices['A']} .material").count() == 0
