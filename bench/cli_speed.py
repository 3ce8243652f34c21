"""How long the everyday commands take, next to `python -c pass` in the same venv and run.

DESIGN.md's CLI budget: `status`, `sessions`, `remind`, `mark`, `journal list` and
`--help` run within a few times `python -c pass` (here: at most 4x), on five years of data.
Bytecode is compiled first, as a normal install has it (this machine sets
PYTHONDONTWRITEBYTECODE, which would make every run compile the sources again).

Uses hyperfine when it is installed (Debian's `hyperfine`), else its own loop.

    .venv/bin/python bench/cli_speed.py [--runs 20]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fixtures import build_five_years  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
# "A few times": the stdlib and dependencies alone (dataclasses, sqlite3, dateutil, zoneinfo)
# take 2.4x `python -c pass` to import.
BUDGET = 4.0
COMMANDS = [
    ["--help"],
    ["status"],
    ["status", "--line"],
    ["sessions"],
    ["remind", "--no-notify"],
    ["journal", "list", "--limit", "20"],
    ["mark", "{occurrence}", "attended"],
]


def mean_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    """The mean wall time of ``argv`` in milliseconds."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json",
                 out.name, "--", " ".join(_quote(a) for a in argv)],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            return json.loads(Path(out.name).read_text())["results"][0]["mean"] * 1000
    times = []
    for _ in range(runs + 3):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.mean(times[3:]) * 1000


def _quote(arg: str) -> str:
    return f"'{arg}'" if (" " in arg or not arg) else arg


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    compileall.compile_dir(ROOT / "companion", quiet=1)
    compileall.compile_dir(ROOT / "sync", quiet=1)
    exe = str(Path(sys.executable).with_name("companion"))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        profile, count = build_five_years(home, NOW)
        profile.close()
        env = dict(os.environ, COMPANION_HOME=str(home), COMPANION_NOW=NOW.isoformat())
        sessions = subprocess.run([exe, "sessions"], env=env, capture_output=True, text=True)
        occurrence = sessions.stdout.split()[0]
        base = mean_ms([sys.executable, "-c", "pass"], env, runs)
        print(f"{count:,} occurrences; load {os.getloadavg()[0]:.2f}; {runs} runs each; "
              f"budget {BUDGET:.0f}x")  # fmt: skip
        print(f"{'python -c pass':<28} {base:7.1f} ms   1.00x")
        worst = 0.0
        for argv in COMMANDS:
            argv = [a.format(occurrence=occurrence) for a in argv]
            ms = mean_ms([exe, *argv], env, runs)
            ratio = ms / base
            worst = max(worst, ratio)
            mark = "ok" if ratio <= BUDGET else "OVER"
            print(f"{'companion ' + ' '.join(argv):<28} {ms:7.1f} ms  {ratio:5.2f}x  {mark}")
        print(f"worst ratio {worst:.2f}x ({'within' if worst <= BUDGET else 'over'} budget)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
