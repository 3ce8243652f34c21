"""How fast the terminal app starts and switches screens, with five years of data.

Runs the real ``companion`` in a pseudo-terminal (120x40), as a person's terminal would:

- start-up: from process start until the Today screen is painted with its data (the week's
  attendance line, which appears only once the profile is loaded). Budget: at most 1.3x a
  bare one-widget Textual app started the same way in the same run.
- screen switch: from writing a key (s, j, c, t) until the new screen's frame has been
  written, the first visit to each screen (1.5 s after Today shows, as a person reads it
  first; the app builds the other screens meanwhile) and later ones. Budget < 50 ms.
- reference: the wall time of ``khal list`` on the same schedule, exported as .ics.

    .venv/bin/python bench/tui_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import compileall
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fixtures import build_five_years  # noqa: E402

NOW = datetime(2026, 11, 26, 22, 12, tzinfo=UTC)
ANSI = re.compile(rb"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()=>78]")
TODAY_MARK = b"attended \xc2\xb7 policy"  # "attended · policy"
SWITCHES = [("s", b"Week of"), ("j", b"Reflections"), ("c", b"reflect on what"),
            ("t", TODAY_MARK)]  # fmt: skip


class Terminal:
    """``companion`` running in a pty of a given size; read until text shows up."""

    def __init__(self, home: Path, cols: int = 120, rows: int = 40,
                 argv: list[str] | None = None) -> None:  # fmt: skip
        env = dict(os.environ, COMPANION_HOME=str(home), COMPANION_NOW=NOW.isoformat(),
                   TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))  # fmt: skip
        env.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the app
            os.execve(sys.executable, [sys.executable, *(argv or ["-m", "companion"])], env)
        winsize = struct.pack("HHHH", rows, cols, 0, 0)
        import fcntl

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, winsize)
        self.seen = b""

    def wait_for(self, marker: bytes, timeout: float = 10.0) -> float:
        """Seconds until ``marker`` appears in the (escape-stripped) output since last call."""
        raw = b""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            raw += chunk
            if marker in ANSI.sub(b"", raw):
                return time.perf_counter()
        raise TimeoutError(f"{marker!r} did not appear within {timeout} s")

    def cpu_seconds(self) -> float:
        """The child's CPU time so far (user + system), from /proc: a figure that a busy
        machine inflates less than the wall time."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def press(self, key: str) -> float:
        t0 = time.perf_counter()
        os.write(self.fd, key.encode())
        return t0

    def close(self) -> None:
        os.write(self.fd, b"\x11")  # ctrl+q
        deadline = time.time() + 5
        while time.time() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            try:
                select.select([self.fd], [], [], 0.05)
                os.read(self.fd, 65536)
            except OSError:
                pass
        else:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("bare textual painted")
Bare().run()
"""


CPU: dict[str, list[float]] = {"bare": [], "app": []}  # CPU seconds at the paint


def time_bare(home: Path, runs: int) -> list[float]:
    """The floor on this machine right now: a one-widget Textual app's start to paint."""
    script = home / "bare.py"
    script.write_text(BARE_APP)
    starts = []
    for _ in range(runs):
        term = Terminal(home, argv=[str(script)])
        try:
            starts.append(term.wait_for(b"bare textual painted") - term.started)
            CPU["bare"].append(term.cpu_seconds())
        finally:
            term.close()
    return starts


def time_app(home: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Start-ups, first visits of each screen (built then), and revisits (redraws)."""
    starts, first, again = [], [], []
    for _ in range(runs):
        term = Terminal(home)
        try:
            starts.append(term.wait_for(TODAY_MARK) - term.started)
            CPU["app"].append(term.cpu_seconds())
            time.sleep(1.5)  # a person reads Today first; the app builds the rest meanwhile
            for round_ in range(3):
                for key, marker in SWITCHES:
                    t0 = term.press(key)
                    took = term.wait_for(marker) - t0
                    (first if round_ == 0 and key != "t" else again).append(took)
                    time.sleep(0.2)
        finally:
            term.close()
    return starts, first, again


def time_khal(home: Path, ics: bytes, runs: int) -> list[float] | None:
    """Wall time of `khal list` over the same schedule (a vdir holding the export)."""
    if shutil.which("khal") is None:
        return None
    vdir = home / "khal" / "cal"
    vdir.mkdir(parents=True)
    config = home / "khal" / "config"
    config.write_text(f"[calendars]\n[[cal]]\npath = {vdir}\n\n[locale]\ntimeformat = %H:%M\n"
                      "dateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\ndatetimeformat = "
                      "%Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n")  # fmt: skip
    source = home / "khal" / "schedule.ics"
    source.write_bytes(ics)
    env = dict(os.environ, XDG_DATA_HOME=str(home / "khal" / "data"),
               XDG_CACHE_HOME=str(home / "khal" / "cache"))  # fmt: skip
    subprocess.run(["khal", "-c", str(config), "import", "--batch", "-a", "cal", str(source)],
                   env=env, capture_output=True, timeout=120, check=True)  # fmt: skip
    subprocess.run(["khal", "-c", str(config), "list"], env=env, capture_output=True, timeout=60)
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(["khal", "-c", str(config), "list"], env=env, capture_output=True,
                       timeout=60, check=True)  # fmt: skip
        timings.append(time.perf_counter() - t0)
    return timings


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, worst {max(values) * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    # Bytecode as a normal install has it (this machine sets PYTHONDONTWRITEBYTECODE, which
    # would make every start compile the edited sources again).
    for package in ("companion", "sync"):
        compileall.compile_dir(Path(__file__).resolve().parent.parent / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        profile, count = build_five_years(home, NOW)
        from companion.actions.ics import export_profile

        ics = export_profile(profile)
        profile.close()
        bare = time_bare(home, args.runs)
        starts, first, again = time_app(home, args.runs)
        khal = time_khal(home, ics, args.runs)
    load = os.getloadavg()[0]
    print(f"five years: {count} occurrences, 500 reflections; {args.runs} starts at 120x40; "
          f"load average {load_before:.1f} before, {load:.1f} after, on {os.cpu_count()} "
          "cores")  # fmt: skip
    ratio = statistics.median(starts) / statistics.median(bare)
    ok_start = ratio <= 1.3
    ok_switch = statistics.median(again) < 0.05 and statistics.median(first) < 0.05
    print(f"reference, a bare one-widget Textual app: {ms(bare)}")
    print(f"start to painted Today: {ms(starts)}, {ratio:.2f}x the bare app  (budget 1.3x: "
          f"{'ok' if ok_start else 'OVER'})")  # fmt: skip
    cpu_ratio = statistics.median(CPU["app"]) / statistics.median(CPU["bare"])
    print(f"CPU time to that paint: app {ms(CPU['app'])}, bare {ms(CPU['bare'])}, "
          f"{cpu_ratio:.2f}x")  # fmt: skip
    print(f"keypress screen switch, screen already built: {ms(again)} over {len(again)} "
          f"switches  (budget < 50 ms: {'ok' if ok_switch else 'OVER'})")  # fmt: skip
    print(f"keypress screen switch, first visit (built ahead): {ms(first)}  (budget < 50 ms: "
          f"{'ok' if statistics.median(first) < 0.05 else 'OVER'})")  # fmt: skip
    if khal is None:
        print("khal list: khal is not installed (reference skipped)")
    else:
        print(f"reference, `khal list` on the same schedule: {ms(khal)}")
    return 0 if ok_start and ok_switch else 1


if __name__ == "__main__":
    raise SystemExit(main())
