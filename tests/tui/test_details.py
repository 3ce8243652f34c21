"""The smaller things a user notices: the theme in Settings, the Journal's columns, the
footer and layout at 80x24, wording in Today and in the notice preview, the series form's
first look, and check boxes that say ticked or not without colour."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Select

from companion.actions import journal, schedule
from companion.actions.profile import Profile
from companion.domain.journal import Barrier
from companion.tui.app import CompanionApp
from companion.tui.dialogs.series_form import SeriesForm
from companion.tui.screens.welcome import WelcomeScreen
from companion.tui.widgets.keys import KeysBar
from companion.tui.widgets.tick import TickBox, TickList
from tests.tui.conftest import SIZES, settle, text_of

pytestmark = pytest.mark.anyio
SCREENS = ["today", "schedule", "journal", "catchup", "notify", "settings"]


async def test_settings_follows_a_theme_chosen_elsewhere(demo_profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        app.theme = "textual-light"  # what the command palette's theme picker does
        await settle(pilot)
        assert app.screen.query_one("#theme", Select).value == "textual-light"
        await pilot.press("ctrl+s")  # saving keeps it, never writes the old one back
        await settle(pilot)
        assert app.theme == "textual-light"
    assert json.loads(demo_profile.paths.config_file.read_text())["theme"] == "textual-light"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_journal_columns_fit_beside_the_detail(
    size: tuple[int, int], demo_profile: Profile, app_for
) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        table = app.screen.query_one("#journal-list", DataTable)
        detail = app.screen.query_one("#journal-detail")
        assert [str(c.label) for c in table.ordered_columns] == ["Date", "Barriers", "Mood"]
        assert table.virtual_size.width <= table.size.width  # nothing cut, no scrolling
        assert table.region.right <= detail.region.x  # and nothing runs into the detail
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first == ["Thu 26 Nov", "emotional/symptoms +1", "2/5"]
        assert "emotional/symptoms, motivation" in text_of(app, "#journal-detail-body")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_footer_fits_and_keeps_help(
    size: tuple[int, int], demo_profile: Profile, app_for
) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for mode in SCREENS:
            await app.switch_mode(mode)
            await settle(pilot)
            bar = app.screen.query_one(KeysBar)
            text = str(bar.render())
            assert len(text) <= bar.content_size.width, (mode, text)
            if mode == "settings":  # the focus is in a text field: the form's own keys
                assert re.fullmatch(r"\^s \w+ +esc Cancel +tab next field +\^p palette", text)
            elif mode == "notify":  # in the form, on a drop-down: "!" works there too
                assert re.fullmatch(
                    r"\^s \w+ +esc Cancel +tab next field +! Help now +\^p palette", text
                ), text
            else:
                assert re.search(r"! Help now +\? Help +\^p palette$", text.rstrip()), (mode, text)
        await app.switch_mode("today")
        await settle(pilot)
        text = str(app.screen.query_one(KeysBar).render())
        if size == (80, 24):  # the sketch's footer, squeezed: "! Help now" has taken the
            # room of the last two screens (? lists them; Today shows n in its panel)
            for key in ("t Today", "s Schedule", "j Journal", "c Catch-up", "! Help now"):
                assert key in text, text
        else:
            for key in ("n Notify", ", Settings", "! Help now"):
                assert key in text, text


async def test_the_footer_shows_what_works_in_a_form(demo_profile: Profile, app_for) -> None:
    """In a form a typed letter stays in the form, so the footer offers no letter keys;
    once the focus leaves the form (here: the tabs), they work and show again."""
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        bar = app.screen.query_one(KeysBar)
        assert "s Schedule" not in str(bar.render())
        app.screen.query_one("ContentTabs").focus()
        await settle(pilot)
        assert "s Schedule" in str(bar.render())
        await pilot.press("s")
        await settle(pilot)
        assert app.current_mode == "schedule"


async def test_welcome_keeps_its_border_at_80x24(profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        box = app.screen.query_one("#welcome")
        footer = app.screen.query_one(KeysBar)
        assert box.region.y >= 0 and box.region.bottom <= footer.region.y
        assert box.max_scroll_y == 0  # all of it shows, nothing scrolled away
        for button in app.screen.query("Button"):
            assert box.region.contains_region(button.region), button.id


async def test_today_scrollbar_stays_beside_the_text(demo_profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#today-catchup")
        body = app.screen.query_one("#catchup-body")
        assert panel.max_scroll_y > 0  # there is more than fits: a scrollbar shows
        bar = panel.vertical_scrollbar
        assert bar.region.width == 1
        assert body.region.right <= bar.region.x  # the text ends before the scrollbar


async def test_schedule_selection_is_not_under_the_footer(demo_profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for keys in (("s",), ("v",)):
            await pilot.press(*keys)
            await settle(pilot)
            selection = app.screen.query_one("#selection")
            assert selection.region.bottom <= app.screen.query_one(KeysBar).region.y
            assert app.screen.max_scroll_y == 0  # the screen itself does not scroll
            assert "u made up · z clear" in text_of(app, "#selection")  # its last line


async def test_today_names_the_kind_only_when_the_title_does_not(profile: Profile, app_for) -> None:
    start = (profile.now() + timedelta(hours=1)).astimezone(profile.tz()).replace(tzinfo=None)
    schedule.add_series(
        profile, title="Individual counselling", kind="individual", start=start,
        duration=timedelta(hours=1),
    )  # fmt: skip
    app: CompanionApp = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = text_of(app, "#next-session")
        assert text.startswith("Individual counselling\n"), text
    schedule.add_series(
        profile, title="Process Group", kind="group", start=start - timedelta(hours=1),
        duration=timedelta(minutes=30),
    )  # fmt: skip
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert text_of(app, "#next-session").startswith("Process Group (group therapy)")


def friday_group(profile: Profile) -> str:
    views = schedule.occurrences(profile, profile.now(), profile.now() + timedelta(days=2))
    return next(v.occurrence.id for v in views if v.occurrence.title == "Process Group")


@pytest.mark.parametrize(("name", "expected"), [("Jordan R.", "Jordan R. will miss"),
                                                ("", "Will miss")])  # fmt: skip
async def test_preview_uses_the_clients_name(
    name: str, expected: str, demo_profile: Profile, app_for
) -> None:
    demo_profile.settings.client_name = name
    demo_profile.save_settings()
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.action_notify_about(friday_group(demo_profile))
        await settle(pilot)
        app.screen.query_one("#barrier", Select).value = Barrier.WORK_SCHOOL
        await settle(pilot)
        preview = text_of(app, "#preview")
        assert preview.startswith(f"{expected} Process Group on Fri 27 Nov 18:00"), preview
        assert "You will" not in preview


async def test_attach_says_which_session_the_reflection_is_about(
    demo_profile: Profile, app_for
) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.action_notify_about(friday_group(demo_profile))
        await settle(pilot)
        box = app.screen.query_one("#attach", TickBox)
        # The newest reflection is about Wednesday's missed group, written Thursday.
        label = str(box.label)
        assert label == "Attach my reflection on Process Group, Wed 25 Nov (private unless ticked)"
        assert box.region.width <= app.screen.size.width
        journal.add_reflection(demo_profile, barriers=(Barrier.HEALTH,), what_happened="flu")
        app.reload_screens()
        await settle(pilot)
        assert str(box.label) == "Attach my reflection written Thu 26 Nov (private unless ticked)"


async def test_series_form_opens_without_an_error(profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "s")
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SeriesForm)
        title = form.query_one("#title")
        assert not title.has_class("-invalid")  # not before the user had a chance
        assert "→ once" in str(form.query_one("#repeat .field-hint").render())
        await pilot.press("ctrl+s")  # saving an empty title: now it says why
        await settle(pilot)
        assert isinstance(app.screen, SeriesForm)
        assert title.has_class("-invalid")
        assert "a series needs a title" in str(form.query_one("#title .field-error").render())


async def test_check_boxes_show_their_state_in_the_glyph(demo_profile: Profile, app_for) -> None:
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        box = app.screen.query_one("#makeup", TickBox)
        assert "✓" not in str(box.render())
        await pilot.click("#makeup")
        await settle(pilot)
        assert box.value and "✓" in str(box.render())
        await pilot.press("escape", "j", "w")
        await settle(pilot)
        barriers = app.screen.query_one("#barriers", TickList)
        barriers.focus()
        await pilot.press("space")  # tick the first (technical)
        await settle(pilot)
        first, second = (barriers.render_line(y).text for y in (0, 1))
        assert "✓" in first and "technical" in first
        assert "✓" not in second and "work/school" in second


async def test_journal_i_switches_to_insights_and_back(demo_profile: Profile, app_for) -> None:
    """The reflections list has the focus from the start; i still reaches the insights."""
    app: CompanionApp = app_for(demo_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        tabs = app.screen.query_one("TabbedContent")
        assert app.focused is app.screen.query_one("#journal-list")
        await pilot.press("i")
        await settle(pilot)
        assert tabs.active == "insights-tab"  # type: ignore[attr-defined]
        rows = [str(w.render()) for w in app.screen.query("#insights Static")]
        assert rows[0] == "Week by week · last 12 weeks"
        assert "Last 4 weeks · 2 reflections" in rows
        assert "→ try:" in rows and "Last 12 weeks · 4 reflections" in rows
        await pilot.press("i")
        await settle(pilot)
        assert tabs.active == "entries"  # type: ignore[attr-defined]
