"""The pure layers import no I/O: no textual, httpx or sqlite3 in the domain or the protocol."""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = ("textual", "httpx", "sqlite3", "sqlalchemy", "fastapi")


@pytest.mark.parametrize(
    "module",
    [
        "companion.domain.schedule",
        "companion.domain.attendance",
        "companion.domain.journal",
        "companion.domain.catchup",
        "companion.domain.notices",
        "companion.domain.notes",
        "companion.domain.meeting",
        "companion.domain.vault",
        "companion.domain.help_now",
        "sync.protocol",
    ],
)
def test_pure_module_imports_no_io(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulled in {out.stdout.strip()}"
