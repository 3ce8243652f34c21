"""The device token: kept 0600 in the config dir, apart from the database, never printed
or logged. The server keeps only its hash."""

from __future__ import annotations

import json

from companion.actions.profile import Profile
from companion.paths import write_private


def read_token(profile: Profile) -> str | None:
    """The device token, or None when this profile is not enrolled."""
    path = profile.paths.credentials_file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def write_token(profile: Profile, server_url: str, token: str) -> None:
    write_private(
        profile.paths.credentials_file,
        json.dumps({"server_url": server_url, "token": token}) + "\n",
    )


def forget_token(profile: Profile) -> bool:
    """Delete the credentials file; True when there was one."""
    try:
        profile.paths.credentials_file.unlink()
    except FileNotFoundError:
        return False
    return True
