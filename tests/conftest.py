"""Shared fixtures: a throwaway profile per test, a frozen clock, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.actions.profile import Profile
from companion.clock import fixed_clock
from companion.paths import Paths

# Thu 26 Nov 2026 17:12 in New York: the moment SCREENS.md sketches.
FROZEN_NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Never touch the user's real profile: every test gets its own COMPANION_HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COMPANION_HOME", str(home))
    monkeypatch.setenv("COMPANION_SERVER_HOME", str(home / "server"))
    monkeypatch.delenv("COMPANION_NOW", raising=False)
    return home


@pytest.fixture(autouse=True)
def _umask_kept() -> Iterator[None]:
    """A command run in-process (``companion-server`` sets umask 077 for its files) must not
    leave the next test's files and folders unreadable to other users."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["COMPANION_HOME"])


@pytest.fixture
def paths(home: Path) -> Paths:
    return Paths(home / "data", home / "config")


@pytest.fixture
def now() -> datetime:
    return FROZEN_NOW


@pytest.fixture
def profile(paths: Paths, now: datetime) -> Iterator[Profile]:
    p = Profile.open(paths, clock=fixed_clock(now))
    yield p
    p.close()


@pytest.fixture
def demo_profile(profile: Profile) -> Profile:
    from companion.actions.demo import load_demo

    load_demo(profile)
    return profile


def run_cli(
    *args: str,
    now: datetime | None = FROZEN_NOW,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess:
    """Run the real `companion` in a subprocess against the test's COMPANION_HOME."""
    full_env = dict(os.environ, **(env or {}))
    if now is not None:
        full_env["COMPANION_NOW"] = now.isoformat()
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
    )


def require_tool(available: bool, reason: str) -> None:
    """Skip locally when a tool is missing; fail in CI, where everything must run."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)
