"""Erasing your data (`companion erase`): leave the program, then remove the profile.

The order matters. While the device token exists this device is still enrolled, so the
program's server is asked first to remove it (DELETE /v1/device): its token and calendar
feed stop working, and the coordinator sees it gone. Only then are the files removed:
the token first, then the database with its side files, the settings and the sync lock,
then the profile's folders once empty. Only files Companion writes are removed
(:meth:`~companion.paths.Paths.profile_files`); anything else found in those folders is
named and left alone.

Works on a profile that cannot be opened (a damaged database or config.json): erasing
is the way out of it, so nothing here needs the store.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from companion.errors import ProfileError, one_line
from companion.paths import Paths

CONFIRM_WORD = "erase"


class EraseError(ProfileError):
    """A file could not be removed; the message is one line meant for the user (the CLI
    prints it as any profile problem: one line, exit status 2)."""


@dataclass(frozen=True, slots=True)
class ErasePlan:
    """What erasing this profile means: its files, and the server it is enrolled with."""

    paths: Paths
    files: list[Path]
    server_url: str = ""
    token: str = ""
    credentials_problem: str = ""  # credentials.json is there but cannot be read
    ca_file: str = ""  # `enroll --ca-file`: the CA the server's certificate is checked with

    @property
    def enrolled(self) -> bool:
        return bool(self.token) or bool(self.credentials_problem)

    @property
    def folders(self) -> list[Path]:
        return [self.paths.data_dir, self.paths.config_dir]


@dataclass
class Erased:
    removed: list[Path] = field(default_factory=list)
    left: list[Path] = field(default_factory=list)  # not Companion's: left in place


def plan_erase(paths: Paths) -> ErasePlan:
    """Look, change nothing: the profile's files and its enrolment, if any."""
    files = paths.profile_files()
    url, token, problem, ca = "", "", "", ""
    try:
        data = json.loads(paths.credentials_file.read_text(encoding="utf-8"))
        token = data.get("token", "") if isinstance(data, dict) else ""
        url = data.get("server_url", "") if isinstance(data, dict) else ""
        if not isinstance(token, str) or not token.strip() or not isinstance(url, str) or not url:
            url, token, problem = "", "", "it holds no server and token"
        elif isinstance(data.get("ca_file"), str):
            ca = data["ca_file"]
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problem = getattr(exc, "strerror", None) or "it is not what Companion wrote"
    return ErasePlan(paths, files, url, token, problem, ca)


def describe(plan: ErasePlan) -> list[str]:
    """What erasing removes, for the confirmation."""
    lines = ["This removes everything Companion keeps about you on this device:"]
    lines += [f"  {p}" for p in plan.files]
    if plan.token:
        lines.append(f"and first removes this device from your program ({plan.server_url}):")
        lines.append("  its calendar feed stops; notices you sent stay with your program.")
    lines.append("It cannot be undone. `companion export -o FILE` keeps a copy first.")
    return lines


def erase_files(plan: ErasePlan) -> Erased:
    """Remove the profile's files (the token first), then its folders when empty."""
    done = Erased()
    credentials = plan.paths.credentials_file
    ordered = sorted(plan.paths.profile_files(), key=lambda p: (p != credentials, str(p)))
    for path in ordered:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise EraseError(one_line(
                f"could not remove {path}: {exc.strerror or exc}; "
                f"{len(done.removed)} file(s) were removed before it. Fix the folder's "
                "permissions and run `companion erase` again")) from None  # fmt: skip
        done.removed.append(path)
    for folder in plan.folders:
        _remove_folder(folder, done)
    return done


def _remove_folder(folder: Path, done: Erased) -> None:
    try:
        os.rmdir(folder)
    except FileNotFoundError:
        return
    except OSError:
        try:
            done.left += sorted(folder.iterdir())
        except OSError:
            done.left.append(folder)
