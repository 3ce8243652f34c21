"""The journal's passphrase on the command line: asked at a terminal (``getpass``, nothing
echoed), or read from a file for scripts: ``COMPANION_PASSPHRASE_FILE`` for the current
one, ``--passphrase-file`` for a new one. Never an argument: it would show in ``ps`` and
in the shell's history."""

from __future__ import annotations

import getpass
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from companion.domain.vault import FORGOTTEN
from companion.errors import JOURNAL_LOCKED, WRONG_PASSPHRASE, UserError, WrongPassphrase

if TYPE_CHECKING:
    from companion.actions.profile import Profile

ENV = "COMPANION_PASSPHRASE_FILE"
TRIES = 3
MAX_FILE_BYTES = 4096


def at_terminal() -> bool:
    return sys.stdin.isatty()


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except EOFError:  # ctrl+d
        return ""


def read_passphrase_file(path: str, what: str) -> str:
    """The passphrase in ``path``: its text less one trailing line break."""
    file = Path(path).expanduser()
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{what} {file} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise UserError(f"{what} {file} holds more than {MAX_FILE_BYTES} bytes")
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{what} {file} is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read {what} {file}: {exc.strerror or exc}") from None
    return text.removesuffix("\n").removesuffix("\r")


def journal_key(profile: Profile, *, need: bool) -> bytes | None:
    """The journal's key, or None when it is not protected. From ``COMPANION_PASSPHRASE_FILE``
    when set, else asked at a terminal (up to three tries; Enter alone leaves it locked
    when ``need`` is False). Without either: None, or :class:`UserError` when ``need``."""
    from companion.actions.journal import is_protected, unlock

    if not is_protected(profile):
        return None
    named = os.environ.get(ENV)
    if named:
        try:
            return unlock(profile, read_passphrase_file(named, ENV))
        except WrongPassphrase:
            raise WrongPassphrase(f"{WRONG_PASSPHRASE} (the one in {ENV})") from None
    if not at_terminal():
        if need:
            raise UserError(JOURNAL_LOCKED)
        return None
    hint = "" if need else " (Enter to leave it locked)"
    for _ in range(TRIES):
        text = _ask(f"Journal passphrase{hint}: ")
        if not text and not need:
            return None
        try:
            return unlock(profile, text)
        except WrongPassphrase:
            print(f"{WRONG_PASSPHRASE}; try again", file=sys.stderr)
    raise WrongPassphrase(f"{WRONG_PASSPHRASE} ({TRIES} tries); nothing was changed")


def new_passphrase(file: str | None) -> str:
    """The passphrase to set: from ``file``, or asked twice at a terminal."""
    if file:
        return read_passphrase_file(file, "--passphrase-file")
    if not at_terminal():
        raise UserError("give the new passphrase at a terminal, or in a file (--passphrase-file)")
    print(FORGOTTEN, file=sys.stderr)
    first = _ask("New passphrase: ")
    if not first:
        raise UserError("no passphrase given; nothing was changed")
    if _ask("The same again: ") != first:
        raise UserError("the two passphrases differ; nothing was changed")
    return first
