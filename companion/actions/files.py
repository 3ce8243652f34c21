"""Files a user hands to Companion (an .ics to import), checked before a byte is read, and
files Companion writes where the user said (an export), privately and atomically.

Only a regular file up to :data:`MAX_IMPORT` is read, and never more than that: a folder, a
device such as /dev/zero, a pipe or a huge file is refused with one line saying what it is.
The file is opened non-blocking, so even a named pipe with no writer cannot hang the app.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from companion.actions.profile import UserError

MAX_IMPORT = 10 * 1024 * 1024  # a program's calendar is a few hundred KB at most


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder; choose an .ics file in it"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "a pipe or socket, not a file"
    return "not a regular file"


def _too_big(path: Path) -> UserError:
    return UserError(f"{path} is larger than {MAX_IMPORT // 2**20} MB; not a calendar to import")


def check_import_file(path: Path) -> Path:
    """``path`` when it is a regular file of a size to import; else a one-line UserError."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{path} is {_kind(st.st_mode)}")
    if st.st_size > MAX_IMPORT:
        raise _too_big(path)
    return path


def read_import_file(path: Path) -> bytes:
    """The bytes of ``path``, checked as :func:`check_import_file` says, read boundedly."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UserError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path} is {_kind(stat.S_IFDIR)}") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    st = os.fstat(fd)  # what was opened, not what the name pointed to a moment before
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UserError(f"{path} is {_kind(st.st_mode)}")
    if st.st_size > MAX_IMPORT:
        os.close(fd)
        raise _too_big(path)
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(MAX_IMPORT + 1)  # a file that grows (or lies, as /proc does)
        except OSError as exc:
            raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMPORT:
        raise _too_big(path)
    return data


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a file the user named, readable only by them (0600), atomically:
    a temporary file beside it, flushed to disk, then renamed over it, so a crash or a full
    disk leaves the old file whole and no temporary file behind. The folder is the user's
    (their home, say): it must exist and is never created or tightened, unlike the
    profile's own folders (``companion.paths.write_private``). A symlink at ``path`` is
    replaced, never written through."""
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name, e.g. {path / 'companion.json'}")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"cannot write {path}: the folder {folder} does not exist")
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        why = exc.strerror or exc
        raise UserError(f"cannot write {path}: {why}; nothing was written") from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass  # renamed into place, or never made
