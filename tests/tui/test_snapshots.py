"""How every screen looks on the demo data at the frozen clock, at 80x24 and 120x40.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and review the
SVGs in ``tests/tui/__snapshots__``.
"""

from __future__ import annotations

import pytest

from companion.actions.profile import Profile
from tests.tui.conftest import SIZES, settle

SCREENS = ["today", "schedule", "journal", "catchup", "notify", "settings"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", SCREENS)
def test_screen(mode: str, size: tuple[int, int], demo_profile: Profile, app_for,
                snap_compare) -> None:  # fmt: skip
    async def go(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.app.switch_mode(mode)
        await settle(pilot)

    assert snap_compare(app_for(demo_profile), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_schedule_list_view(size: tuple[int, int], demo_profile: Profile, app_for,
                            snap_compare) -> None:  # fmt: skip
    async def go(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(app_for(demo_profile), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_journal_insights(size: tuple[int, int], demo_profile: Profile, app_for,
                          snap_compare) -> None:  # fmt: skip
    async def go(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(app_for(demo_profile), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_schedule_twelve_weeks(size: tuple[int, int], demo_profile: Profile, app_for,
                               snap_compare) -> None:  # fmt: skip
    async def go(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(app_for(demo_profile), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_welcome(size: tuple[int, int], profile: Profile, app_for, snap_compare) -> None:
    assert snap_compare(app_for(profile), terminal_size=size, run_before=settle)


async def _series_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("plus")


async def _reflection_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("j")
    await settle(pilot)
    await pilot.press("w")


async def _checklist_item(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("plus")


async def _notice_preview(pilot) -> None:  # type: ignore[no-untyped-def]
    from companion.domain.journal import Barrier

    await pilot.press("n")
    await settle(pilot)
    pilot.app.screen.query_one("#barrier").value = Barrier.WORK_SCHOOL
    await pilot.click("#message-input")
    await pilot.press(*"Shift moved to evenings this week.")
    await pilot.click("#makeup")


async def _help_now(pilot) -> None:  # type: ignore[no-untyped-def]
    from companion.domain.help_now import CrisisContact
    from companion.store import repo_help
    from tests.conftest import FROZEN_NOW

    own = CrisisContact("Evening IOP after-hours line", phone="+1 212 555 0100",
                        note="17:00-23:00, every day")  # fmt: skip
    await pilot.app.backend.call(lambda profile: _contacts(profile, [own], FROZEN_NOW, repo_help))
    await pilot.press("exclamation_mark")


def _contacts(profile, contacts, now, repo_help) -> None:  # type: ignore[no-untyped-def]
    with profile.store.transaction() as conn:
        repo_help.set_program_contacts(conn, contacts, now)


async def _help_offer(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("j")
    await settle(pilot)
    pilot.app.offer_help()


DIALOGS = {
    "series_form": _series_form,
    "reflection_form": _reflection_form,
    "checklist_item": _checklist_item,
    "notice_preview": _notice_preview,
    "help_now": _help_now,
    "help_offer": _help_offer,
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", list(DIALOGS))
def test_dialog(dialog: str, size: tuple[int, int], demo_profile: Profile, app_for,
                snap_compare) -> None:  # fmt: skip
    async def go(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await DIALOGS[dialog](pilot)
        await settle(pilot)

    assert snap_compare(app_for(demo_profile), terminal_size=size, run_before=go)
