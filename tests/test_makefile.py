"""The Makefile's Python probe: quiet about pyenv shims of versions that are not installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
SHIM = '#!/bin/sh\necho "pyenv: $(basename "$0"): command not found" >&2\nexit 127\n'


def test_the_python_probe_skips_missing_pyenv_versions_quietly(tmp_path: Path) -> None:
    """It printed "pyenv: python3.13: command not found" twice before every make."""
    require_tool(shutil.which("make") is not None, "needs make")
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3.13", "python3.12"):
        (shims / name).write_text(SHIM)
        (shims / name).chmod(0o755)
    (shims / "python3.11").symlink_to(sys.executable)
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), f"{venv}/.installed", f"VENV={venv}"],
        capture_output=True,
        text=True,
        env={"PATH": f"{shims}:/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "command not found" not in done.stderr + done.stdout
    assert f"python3.11 -m venv {venv}" in done.stdout
