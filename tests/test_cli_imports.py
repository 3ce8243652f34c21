"""DESIGN.md's CLI budget: the commands cron and scripts run most import only what they use.

`status`, `sessions`, `remind`, `mark`, `journal list` and `--help` must not load the sync
layer, pydantic, icalendar or textual (each costs tens of milliseconds before the command does
anything); `--help` loads no action, store or recurrence engine either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FROZEN_NOW, run_cli

HEAVY = ("pydantic", "httpx", "icalendar", "textual", "sync.client", "sync.protocol")
HELP_ONLY = ("companion.actions.profile", "companion.store.db", "dateutil", "platformdirs")
PROBE = """
import json, runpy, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["companion", *json.loads(sys.argv[1])]
try:
    runpy.run_module("companion", run_name="__main__")
except SystemExit:
    pass
print(json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["status", "--json"],
        ["status", "--line"],
        ["sessions", "--json"],
        ["remind", "--no-notify"],
        ["mark", "00000000", "attended"],
        ["journal", "list"],
        ["--help"],
        ["status", "--help"],
    ],
)
def test_everyday_commands_import_no_heavy_layer(argv: list[str]) -> None:
    assert run_cli("demo").returncode == 0
    heavy = HEAVY + (HELP_ONLY if "--help" in argv else ())
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(heavy)],
        capture_output=True,
        text=True,
        env={**os.environ, "COMPANION_NOW": FROZEN_NOW.isoformat()},
        timeout=60,
    )
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], f"`companion {' '.join(argv)}` imported {loaded}"
