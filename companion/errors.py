"""What can go wrong with a profile's files, said in one line a person can act on.

The advice differs by cause, so the causes are told apart: a folder or disk that cannot be
written (read-only, permission denied, full) is the machine's problem and the data is fine;
only a file that really is damaged gets "move it aside". Nothing here imports sqlite3.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

LOW_SPACE = 1024 * 1024  # below this much free space a write failure is the disk being full
READ_ONLY = (errno.EROFS,)
DENIED = (errno.EACCES, errno.EPERM)
FULL = (errno.ENOSPC, errno.EDQUOT)
WRITABLE_ADVICE = "make it writable, or set COMPANION_HOME to a folder you can write"
FULL_ADVICE = "free some space and try again"


class UserError(Exception):
    """A mistake in what the user asked for; the message is one line meant for them."""


class ProfileError(Exception):
    """A profile's files cannot be used as asked; the message is one line for the user."""


class FolderError(ProfileError, OSError):
    """A folder or file the profile needs cannot be created or written (read-only, no
    permission, disk full). An OSError too, so every handler of those still catches it."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "a folder cannot be written"


class JournalLocked(ProfileError):
    """The journal is protected and its passphrase was not given: its text cannot be read
    or written."""


WRONG_PASSPHRASE = "that is not the passphrase"
JOURNAL_LOCKED = (
    "the journal is locked: give its passphrase (at a terminal, or in the file "
    "COMPANION_PASSPHRASE_FILE names) to read or write its text"
)
STALE_KEY = "the journal's passphrase was changed elsewhere; unlock it again; nothing was saved"


class WrongPassphrase(UserError):
    """The passphrase does not open the journal; nothing changed."""

    def __init__(self, message: str = WRONG_PASSPHRASE) -> None:
        super().__init__(message)


def one_line(text: str) -> str:
    """``text`` with any line breaks folded, so every message fits on one line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _statvfs(folder: Path) -> os.statvfs_result | None:
    for candidate in (folder, *folder.parents):
        try:
            return os.statvfs(candidate)
        except OSError:
            continue
    return None


def free_bytes(folder: Path) -> int | None:
    """Space left for this user on the disk holding ``folder``; None when unknown or when
    the disk is mounted read-only (which reports no free space at all)."""
    st = _statvfs(folder)
    if st is None or st.f_flag & os.ST_RDONLY:
        return None
    return st.f_bavail * st.f_frsize


def disk_is_full(folder: Path) -> bool:
    free = free_bytes(folder)
    return free is not None and free < LOW_SPACE


def writable(path: Path) -> bool:
    """Whether this user can write ``path`` (create files in it, for a folder); False on a
    read-only mount too."""
    return os.access(path, os.W_OK | (os.X_OK if path.is_dir() else 0))


def why_not_writable(folder: Path) -> str:
    """Why files cannot be written in ``folder``, with what to do; '' when they can."""
    if disk_is_full(folder):
        return f"the disk holding {folder} is full; {FULL_ADVICE}"
    if not writable(folder):
        st = _statvfs(folder)
        read_only = bool(st and st.f_flag & os.ST_RDONLY)
        what = "is on a read-only file system" if read_only else "is not writable for you"
        return f"{folder} {what}; {WRITABLE_ADVICE}"
    return ""


def os_problem(exc: OSError, path: Path, doing: str = "write") -> str:
    """One line for an OSError met while ``doing`` ``path``: the cause and what to do."""
    code = exc.errno
    if code in FULL:
        reason = f"the disk is full; {FULL_ADVICE}"
    elif code in READ_ONLY:
        reason = f"it is on a read-only file system; {WRITABLE_ADVICE}"
    elif code in DENIED:
        reason = f"permission denied; {WRITABLE_ADVICE}"
    elif code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        reason = "something else is in the way (a file where a folder should be, or the reverse)"
    else:
        reason = exc.strerror or str(exc)
    return one_line(f"cannot {doing} {path}: {reason}")
