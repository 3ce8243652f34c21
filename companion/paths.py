"""Where Companion keeps its files: platformdirs, or everything under ``COMPANION_HOME``.

Directories are created 0700, every missing level of them (``mkdir(parents=True)`` would
make the parents 0755); files the client writes are 0600. A folder that cannot be created
or written is a :class:`~companion.errors.FolderError` naming it and saying what to do.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from companion.errors import FolderError, os_problem

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

    @property
    def config_files(self) -> tuple[Path, Path]:
        """The profile's files outside its data folder."""
        return (self.config_file, self.credentials_file)

    def profile_files(self) -> list[Path]:
        """Every file of this profile that exists (what `companion erase` removes): the
        database with its side files, the sync lock, the settings and the token, and what
        an interrupted write left (``.NAME.PID.new``/``.tmp``). Only names Companion
        writes: anything else in these folders is someone else's and stays."""
        found: list[Path] = []
        for folder, patterns in (
            (self.data_dir, (self.database.name, f"{self.database.name}-*",
                             f".{self.database.name}.*", self.lock_file.name)),
            (self.config_dir, (*(f.name for f in self.config_files),
                               *(f".{f.name}.*.tmp" for f in self.config_files))),
        ):  # fmt: skip
            for pattern in patterns:
                found += (p for p in folder.glob(pattern) if p.is_file() or p.is_symlink())
        return sorted(set(found))


def default_paths() -> Paths:
    """``COMPANION_HOME=DIR`` puts data and config under DIR (tests, several profiles)."""
    home = os.environ.get("COMPANION_HOME")
    if home:
        base = Path(home).expanduser()
        return Paths(base / "data", base / "config")
    return Paths(Path(platformdirs.user_data_dir(APP)), Path(platformdirs.user_config_dir(APP)))


def private_dir(path: Path) -> Path:
    """Create ``path`` and every missing parent as 0700 and return it; an existing folder
    of this user is tightened to 0700. Raises :class:`FolderError` when it cannot be made."""
    missing: list[Path] = []
    level = path
    while not level.exists() and level != level.parent:
        missing.append(level)
        level = level.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass  # made by another process meanwhile
        except OSError as exc:
            raise FolderError(os_problem(exc, folder, "create")) from exc
        _tighten(folder)  # the umask may have taken bits from 0700
    if not path.is_dir():
        raise FolderError(f"cannot use {path}: it is not a folder; move it aside or set "
                          "COMPANION_HOME to another folder")  # fmt: skip
    _tighten(path)
    return path


def _tighten(folder: Path) -> None:
    """Make a folder of ours 0700; a read-only one, or someone else's, is left as it is."""
    try:
        st = folder.stat()
        if stat.S_IMODE(st.st_mode) != 0o700 and st.st_uid == os.getuid():
            os.chmod(folder, 0o700)
    except OSError:
        pass  # reading still works; writing reports its own error


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 if missing, tighten it if present; return it."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise FolderError(os_problem(exc, path, "write")) from exc
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically (temp file + rename) as a 0600 file. On any failure the
    old file is kept whole and no temp file is left behind."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise FolderError(os_problem(exc, path, "write")) from exc
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass  # gone already (renamed), or never made
