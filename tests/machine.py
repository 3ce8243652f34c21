"""Real machines for the robustness tests: a small disk that fills up, a read-only mount,
and the CLI run as a user who is not root (root ignores permission bits).

Each needs Linux and root (to mount a tmpfs, and to switch to ``nobody``); without them a
test skips locally with the reason and fails in CI, where this machine provides both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import FROZEN_NOW, require_tool

ROOT = Path(__file__).resolve().parent.parent
SITE = next(p for p in sys.path if p.endswith("site-packages"))
SYSTEM_PYTHON = "/usr/bin/python3"
NOBODY = "nobody"

# Every command, with arguments that would make it write if the store were usable.
COMMANDS = [
    ["demo"],
    ["status"],
    ["sessions"],
    ["mark", "00000000", "attended"],
    ["series", "add", "--title", "Yoga", "--start", "2026-12-02 08:00"],
    ["series", "list"],
    ["series", "remove", "Yoga"],
    ["journal", "add", "--what", "x"],
    ["journal", "list"],
    ["journal", "insights"],
    ["catchup"],
    ["catchup", "add", "00000000", "call Sam"],
    ["enroll", "https://iop.example.org", "CODE"],
    ["unenroll"],
    ["notify", "00000000", "--barrier", "work"],
    ["sync"],
    ["outbox"],
    ["accept-makeup", "1"],
    ["export-ics"],
    ["import-ics", "/dev/null"],
    ["remind", "--no-notify"],
    ["export"],
]
# Not here: `help-now` (it always answers, with the defaults when the profile cannot be
# read) and `erase` (it removes a profile that cannot be opened): see test_cli_data.py.


def can_mount() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def small_disk(where: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` mounted at ``where`` for the duration."""
    require_tool(can_mount(), "a real small disk needs Linux and root (mount -t tmpfs)")
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                   check=True)  # fmt: skip
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill(disk: Path, leave: int = 0) -> None:
    """Fill ``disk`` until at most ``leave`` bytes are free (a file named ``filler``)."""
    filler = disk / "filler"
    with open(filler, "ab") as fh:
        for chunk in (1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                st = os.statvfs(disk)
                if st.f_bavail * st.f_frsize - chunk < leave:
                    break
                try:
                    fh.write(b"\0" * chunk)
                    fh.flush()
                except OSError:
                    break


def can_switch_user() -> bool:
    """Root, and a system Python of the venv's version that ``nobody`` may run."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("setpriv"):
        return False
    try:
        out = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return False
    return out.strip() == str(sys.version_info[:2])


def run_as_nobody(home: Path, *args: str) -> subprocess.CompletedProcess:
    """The real `companion` run by ``nobody`` (the project from this checkout)."""
    require_tool(can_switch_user(), "running as a non-root user needs root, setpriv and "
                 f"{SYSTEM_PYTHON} of this Python's version")  # fmt: skip
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{ROOT}:{SITE}",
        "COMPANION_HOME": str(home),
        "COMPANION_NOW": FROZEN_NOW.isoformat(),
        "HOME": "/tmp",
    }
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={nogroup()}", "--clear-groups",
         SYSTEM_PYTHON, "-m", "companion", *args],
        capture_output=True, text=True, env=env, timeout=60, cwd="/tmp",
    )  # fmt: skip


def nogroup() -> str:
    import grp
    import pwd

    return grp.getgrgid(pwd.getpwnam(NOBODY).pw_gid).gr_name


def give_to_nobody(path: Path) -> None:
    import pwd

    entry = pwd.getpwnam(NOBODY)
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, entry.pw_uid, entry.pw_gid)
