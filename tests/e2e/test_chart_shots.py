"""The pictures in Chromium: the demo's clients page has a sparkline per client and the
program's line, a client's page its chart; both fit a 390 px phone. Saves
docs/clients-sparklines.png and docs/client-chart.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import LiveServer, sign_in_page
from tests.e2e.test_demo import credentials, demo  # noqa: F401  (the fixture)

DOCS = Path(__file__).parents[2] / "docs"


def test_the_charts_render_and_fit_a_phone(browser: Any, demo: LiveServer) -> None:  # noqa: F811
    email, password = credentials(demo)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)
    sign_in_page(page, demo.url, email, password, start="/")
    page.goto(demo.url + "/clients")
    assert page.locator("svg.sparkline").count() == 5
    jordan = "svg.sparkline[aria-label^='Jordan R., weekly attendance']"
    assert page.locator(jordan).count() == 1
    assert page.locator("#program-chart svg").bounding_box()["width"] <= 390
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "clients-sparklines.png"), full_page=True)
    page.get_by_role("link", name="Jordan R.").click()
    chart = page.locator("#client-chart svg")
    assert chart.bounding_box()["width"] <= 390
    assert chart.locator("line.threshold").count() == 1
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "client-chart.png"), full_page=True)
