"""The device token: kept 0600 in the config dir, apart from the database, never printed
or logged. The server keeps only its hash.

A missing file means "not enrolled"; a file that is there but cannot be read or is not
what Companion wrote is :class:`CredentialsError`, so a damaged token is never mistaken
for no enrolment (notices would sit queued with nothing saying why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from companion.actions.profile import Profile
from companion.config import ConfigError
from companion.errors import one_line
from companion.paths import write_private


class CredentialsError(ConfigError):
    """credentials.json is there but damaged; the message says so and what to do."""


@dataclass(frozen=True, slots=True)
class Credentials:
    server_url: str
    token: str
    ca_file: str = ""  # `enroll --ca-file`: the CA every request to the server trusts


def read_credentials(profile: Profile) -> Credentials | None:
    """The saved server and token; None when this profile has no credentials file."""
    path = profile.paths.credentials_file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(path, getattr(exc, "strerror", None) or "not text") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, "not JSON") from exc
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise _damaged(path, "no device token in it")
    url = data.get("server_url")
    ca_file = data.get("ca_file")
    return Credentials(
        url if isinstance(url, str) else "", token, ca_file if isinstance(ca_file, str) else ""
    )


def _damaged(path: object, why: str) -> CredentialsError:
    return CredentialsError(
        one_line(
            f"{path} is damaged ({why}), so nothing can be sent to your program; queued "
            "notices stay queued. Run `companion unenroll`, then `companion enroll` with a "
            "new code from your coordinator"
        )
    )


def read_token(profile: Profile) -> str | None:
    """The device token, None when not enrolled; :class:`CredentialsError` when damaged."""
    found = read_credentials(profile)
    return found.token if found else None


def credentials_problem(profile: Profile) -> str:
    """Why the saved credentials cannot be used, or '' (no file, or a good one)."""
    try:
        read_credentials(profile)
    except CredentialsError as exc:
        return str(exc)
    return ""


def write_token(profile: Profile, server_url: str, token: str, ca_file: str = "") -> None:
    data = {"server_url": server_url, "token": token}
    if ca_file:
        data["ca_file"] = ca_file
    write_private(profile.paths.credentials_file, json.dumps(data) + "\n")


def forget_token(profile: Profile) -> bool:
    """Delete the credentials file, damaged or not; True when there was one."""
    try:
        profile.paths.credentials_file.unlink()
    except FileNotFoundError:
        return False
    return True
