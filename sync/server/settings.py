"""The server's settings: one typed object, built from the command line or the environment.

``create_app(settings)`` takes one of these; nothing reads the environment at import
time, so every test builds its own server. ``serve --workers N`` hands the settings to
the worker processes through ``COMPANION_SERVER_*`` variables (:meth:`to_env`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path

import platformdirs

APP = "companion-server"
ENV_PREFIX = "COMPANION_SERVER_"


def data_dir() -> Path:
    """``COMPANION_SERVER_HOME`` when set, else the platform's user data dir."""
    home = os.environ.get("COMPANION_SERVER_HOME")
    return Path(home).expanduser() if home else Path(platformdirs.user_data_dir(APP))


def default_db_url() -> str:
    """The zero-set-up database: a SQLite file in the data dir."""
    return f"sqlite:///{data_dir() / 'server.sqlite3'}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a running server needs to know."""

    db_url: str = ""
    """SQLAlchemy URL; empty means :func:`default_db_url`."""
    public_url: str = ""
    """Base URL clients reach this server at (for feed links); empty: from the request."""
    max_body: int = 64 * 1024
    """Largest request body accepted, in bytes (larger: 413)."""
    enrol_code_days: int = 7
    """How long a one-time enrolment code stays valid."""
    attempts_limit: int = 10
    """Failed enrolment codes, or failed sign-ins to any accounts, allowed per remote
    address per window (then 429)."""
    attempts_window_s: int = 15 * 60
    """The rate-limit window, in seconds (the sign-in throttle's too)."""
    signin_pair_limit: int = 5
    """Failed sign-ins to one account from one address within the window that lock that
    pair (only that pair: the account still signs in from elsewhere)."""
    signin_slow_after: int = 10
    """Failed sign-ins to one account, from anywhere, within the window after which the
    account is slowed down for addresses it has not signed in from before: one attempt
    per wait, the wait doubling with each further failure up to ``signin_slow_max_s``."""
    signin_slow_max_s: int = 60
    """The longest wait of the account-wide slow-down, in seconds."""
    usual_address_days: int = 90
    """A successful sign-in from an address makes it one the account usually signs in
    from, exempt from the slow-down, for this many days."""
    session_hours: int = 12
    """How long a coordinator's login token lasts."""
    idle_minutes: int = 30
    """A coordinator's session unused for this many minutes ends (on top of
    ``session_hours``); its last use is written at most once a minute."""
    purge_check_s: int = 3600
    """How often a server process checks whether today's retention purge has run (the
    first of several processes to check runs it; ``sync/server/retention.py``)."""
    changes_page: int = 500
    """Most changes in one GET /v1/changes answer."""
    feed_refresh_min: int = 60
    """REFRESH-INTERVAL suggested to calendar apps, in minutes."""
    request_timeout_s: int = 5
    """Seconds a new connection has to send a whole request, head and body (then it is
    closed: slow loris)."""
    keep_alive_s: int = 5
    """Seconds an idle keep-alive connection has to send its next whole request."""
    max_connections: int = 4096
    """Most client connections one server process keeps open; the open-file limit may
    allow fewer (``serve`` says so at start-up)."""
    forwarded_allow_ips: str = ""
    """Comma-separated addresses and networks of the reverse proxies whose
    ``X-Forwarded-For``/``-Proto`` are believed (``proxies.py``); empty: nobody's, not
    even loopback's. Rate limits, lock-outs and logs key on the address so decided."""
    smtp_url: str = ""
    """``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://``; empty (and
    no ``COMPANION_SMTP_URL``): no mail is queued or sent."""
    mail_from: str = ""
    """The From address of alert emails (or ``COMPANION_MAIL_FROM``)."""
    mail_window_s: int = 5 * 60
    """New-notice alerts wait this long after the first notice, so one email covers them."""
    mail_poll_ms: int = 5000
    """How often the mail task looks for due mail, in milliseconds."""
    mail_digest_hour: int = 7
    """The daily at-risk digest goes out from this hour, in the program's time zone (24: never)."""

    @property
    def database_url(self) -> str:
        return self.db_url or default_db_url()

    @property
    def attempts_window(self) -> timedelta:
        return timedelta(seconds=self.attempts_window_s)

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables, for worker processes."""
        return {ENV_PREFIX + f.name.upper(): str(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from ``COMPANION_SERVER_*`` variables (defaults for the rest)."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = int(raw) if f.type in ("int", int) else raw
        for name, var in (("smtp_url", "COMPANION_SMTP_URL"), ("mail_from", "COMPANION_MAIL_FROM")):
            if name not in values and os.environ.get(var):
                values[name] = os.environ[var]
        return cls(**values)  # type: ignore[arg-type]
