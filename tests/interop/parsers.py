"""Run calendar parsers we did not write on an .ics file and read back their occurrences.

Each returns (uid or title, UTC start, UTC end) tuples where the tool tells them, so the
tests can compare them with our own expansion. Every call runs in a throwaway directory
with a timeout; nothing touches the user's real configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
TIMEOUT_S = 60


def icaljs_available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "ical.js").is_dir()


def libical_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True,
                          timeout=TIMEOUT_S).returncode == 0  # fmt: skip


def _run(args: list[str], **kwargs: object) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S,
                          check=False, **kwargs)  # type: ignore[call-overload]  # fmt: skip
    assert done.returncode == 0, f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def icaljs(path: Path, start: datetime, end: datetime) -> list[dict]:
    """Mozilla's ical.js: occurrences with summaries and alarm times (UTC)."""
    out = _run(["node", str(HERE / "expand.mjs"), str(path), _iso(start), _iso(end)])
    return json.loads(out)


def libical(path: Path, start: datetime, end: datetime) -> list[dict]:
    """libical (Evolution): occurrences with summaries and alarm offsets in seconds."""
    lo, hi = (t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (start, end))
    out = _run([SYSTEM_PYTHON, str(HERE / "libical_expand.py"), str(path), lo, hi])
    return json.loads(out)


KHAL_CONFIG = """[calendars]
[[companion]]
path = {dir}/calendar
type = calendar
[sqlite]
path = {dir}/khal.db
[locale]
local_timezone = {tz}
default_timezone = {tz}
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
"""


def khal(path: Path, workdir: Path, tz: str, first: str, last: str) -> list[tuple[str, str, str]]:
    """khal: `import --batch` into a throwaway config, then `list`: (uid, local start,
    local end) as "YYYY-MM-DD HH:MM" in ``tz``."""
    (workdir / "calendar").mkdir(parents=True)
    config = workdir / "khal.conf"
    config.write_text(KHAL_CONFIG.format(dir=workdir, tz=tz))
    env = dict(os.environ, XDG_CONFIG_HOME=str(workdir), XDG_DATA_HOME=str(workdir), TZ=tz)
    _run(["khal", "-c", str(config), "import", "--batch", "-a", "companion", str(path)], env=env)
    out = _run(["khal", "-c", str(config), "list", "--day-format", "",
                "--format", "{uid}|{start}|{end}", first, last], env=env)  # fmt: skip
    return sorted(tuple(line.split("|")) for line in out.splitlines() if "|" in line)  # type: ignore[misc]


def calcurse(path: Path, workdir: Path, tz: str, first: str, last: str) -> tuple[list, str]:
    """calcurse: `-i` into a throwaway directory with TZ set (it converts to local time on
    import), then a query: (title, local start, local end), and its appointments file."""
    env = dict(os.environ, TZ=tz, HOME=str(workdir))
    _run(["calcurse", "-D", str(workdir), "-i", str(path)], env=env)
    fmt = "%(start:%Y-%m-%d %H:%M)|%(end:%Y-%m-%d %H:%M)|%m\\n"
    out = _run(["calcurse", "-D", str(workdir), "--input-datefmt", "4", "-Q", "--filter-type",
                "cal", "--from", first, "--to", last, "--format-recur-apt", fmt,
                "--format-apt", fmt], env=env)  # fmt: skip
    rows = sorted((t, s, e) for s, e, t in (line.split("|", 2) for line in out.splitlines()
                                           if line.count("|") >= 2))  # fmt: skip
    return rows, (workdir / "apts").read_text(encoding="utf-8")


def calcurse_events(workdir: Path, tz: str, first: str, last: str) -> list[tuple[str, str]]:
    """calcurse's all-day events after :func:`calcurse` imported a file: (title, day)."""
    env = dict(os.environ, TZ=tz, HOME=str(workdir))
    out = _run(["calcurse", "-D", str(workdir), "--input-datefmt", "4", "-Q", "--filter-type",
                "event,recur-event", "--from", first, "--to", last, "--format-event", "%m\\n",
                "--format-recur-event", "%m\\n"], env=env)  # fmt: skip
    rows, day = [], ""
    for line in out.splitlines():
        if line.endswith(":") and line[:2].isdigit():
            month, dom, year = line[:-1].split("/")
            day = f"20{year}-{month}-{dom}"
        elif line.strip():
            rows.append((line.strip(), day))
    return sorted(rows)


def local(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
