"""Where Companion keeps its files: platformdirs, or everything under ``COMPANION_HOME``.

Directories are created 0700; files the client writes are 0600 (see :func:`private_file`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "companion"


@dataclass(frozen=True, slots=True)
class Paths:
    data_dir: Path
    config_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "companion.sqlite3"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.json"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.json"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "sync.lock"


def default_paths() -> Paths:
    """``COMPANION_HOME=DIR`` puts data and config under DIR (tests, several profiles)."""
    home = os.environ.get("COMPANION_HOME")
    if home:
        base = Path(home).expanduser()
        return Paths(base / "data", base / "config")
    return Paths(Path(platformdirs.user_data_dir(APP)), Path(platformdirs.user_config_dir(APP)))


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as 0700 and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 if missing, tighten it if present; return it."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically (temp file + rename) as a 0600 file."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
