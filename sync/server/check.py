"""``companion-server check``: what a deployment gets wrong, one line per finding.

Each finding is ``ok``, ``warn`` or ``fail``; any ``fail`` makes the command exit 1. It
looks at the same options ``serve`` takes (how it is exposed, which proxies it trusts,
its TLS files and public URL), the data dir and database file modes, the open-file
limit, whether the database answers and is migrated, and the mail settings
(``COMPANION_SMTP_URL``, when set). It changes nothing: no database is created.
"""

from __future__ import annotations

import os
import resource
import socket
import stat
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from sync.server import exposure, process
from sync.server.proxies import TrustError, parse_trusted
from sync.server.settings import Settings, data_dir, default_db_url
from sync.server.storage import migrate
from sync.server.storage.engine import DatabaseUrlError, make_engine

Status = Literal["ok", "warn", "fail"]
SMTP_ENV = "COMPANION_SMTP_URL"
SMTP_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
EXPIRY_WARN_DAYS = 14


@dataclass(frozen=True, slots=True)
class Finding:
    status: Status
    check: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.check}: {self.detail}"

    def as_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Deployment:
    """What ``serve`` would be started with."""

    host: str = "127.0.0.1"
    db_url: str = ""
    public_url: str = ""
    forwarded_allow_ips: str = ""
    tls_cert: str | None = None
    tls_key: str | None = None
    insecure_http: bool = False


def run_checks(d: Deployment) -> list[Finding]:
    """Every finding for ``d``, in a fixed order."""
    trusted, found = _proxies(d)
    found += _exposure(d, trusted)
    found.append(_public_url(d, trusted))
    found += _files(d)
    found.append(_nofile())
    found.append(_database(d))
    found.append(_mail(os.environ.get(SMTP_ENV, "")))
    return found


def _proxies(d: Deployment) -> tuple[list[str], list[Finding]]:
    try:
        trusted = parse_trusted(d.forwarded_allow_ips)
    except TrustError as exc:
        return [], [Finding("fail", "trusted proxies", str(exc))]
    if trusted == ["*"]:
        return trusted, [Finding("warn", "trusted proxies", "* trusts every peer's "
                                 "X-Forwarded-For: only safe if nothing but the proxy can "
                                 "reach the server")]  # fmt: skip
    if not trusted:
        text = "none (X-Forwarded-For/-Proto are ignored)"
        if exposure.is_loopback(d.host) and urlsplit(d.public_url).scheme == "https":
            return trusted, [Finding("warn", "trusted proxies", f"{text}, yet --public-url is "
                                     "https: name the proxy with --forwarded-allow-ips "
                                     "(e.g. 127.0.0.1), or every client looks like the "
                                     "proxy to rate limits and no cookie is Secure")]  # fmt: skip
        return trusted, [Finding("ok", "trusted proxies", text)]
    return trusted, [Finding("ok", "trusted proxies", ", ".join(trusted))]


def _exposure(d: Deployment, trusted: list[str]) -> list[Finding]:
    out = []
    try:
        tls = exposure.check_tls_files(d.tls_cert, d.tls_key)
        exposed = exposure.decide(d.host, tls=tls, trusted=trusted, insecure_http=d.insecure_http)
    except exposure.ExposureError as exc:
        return [Finding("fail", "exposure", str(exc))]
    if exposed.warnings:
        out.append(Finding("fail", "exposure", f"plain HTTP on {d.host} (--insecure-http): "
                           "passwords and notices cross the network unencrypted"))  # fmt: skip
    elif tls:
        out.append(Finding("ok", "exposure", f"https on {d.host} (TLS terminated here)"))
        out.append(_certificate(d.tls_cert or ""))
    elif trusted:
        out.append(Finding("ok", "exposure", f"plain HTTP on {d.host} behind the trusted "
                           "proxy, which terminates TLS"))  # fmt: skip
    else:
        out.append(Finding("ok", "exposure", f"plain HTTP on loopback ({d.host}) only"))
    return out


def _certificate(path: str) -> Finding:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    left = cert.not_valid_after_utc - datetime.now(UTC)
    until = cert.not_valid_after_utc.date().isoformat()
    if left.total_seconds() <= 0:
        return Finding("fail", "certificate", f"{path} expired on {until}")
    if left.days < EXPIRY_WARN_DAYS:
        return Finding("warn", "certificate", f"{path} expires on {until}: renew it")
    return Finding("ok", "certificate", f"{path} valid until {until}")


def _public_url(d: Deployment, trusted: list[str]) -> Finding:
    scheme = urlsplit(d.public_url).scheme
    if scheme == "https":
        return Finding("ok", "public url", d.public_url)
    local = exposure.is_loopback(d.host) and not trusted and not d.tls_cert
    if not d.public_url:
        status: Status = "ok" if local else "warn"
        return Finding(status, "public url", "not set: feed and reset links use the address "
                       "each request came to (set --public-url https://...)")  # fmt: skip
    if local:
        return Finding("warn", "public url", f"{d.public_url} is not https (fine on this "
                       "machine only)")  # fmt: skip
    return Finding("fail", "public url", f"{d.public_url} must be https://: clients and "
                   "calendar apps follow it over the network")  # fmt: skip


def _sqlite_file(db_url: str) -> Path | None:
    url = make_url(db_url or default_db_url())
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database).expanduser()


def _mode_finding(what: str, path: Path, want: int) -> Finding:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return Finding("warn", what, f"{path} does not exist yet")
    except OSError as exc:
        return Finding("fail", what, f"{path}: {exc.strerror}")
    if mode & 0o077:
        return Finding("fail", what, f"{path} is open to other users (mode {mode:o}): "
                       f"chmod {want:o} {path}")  # fmt: skip
    return Finding("ok", what, f"{path} is {mode:04o}")


def _files(d: Deployment) -> list[Finding]:
    try:
        db_file = _sqlite_file(d.db_url)
    except (ValueError, SQLAlchemyError):
        db_file = None  # the database check says what is wrong with the URL
    out = [_mode_finding("data dir", data_dir(), 0o700)]
    if db_file is not None:
        if db_file.parent.resolve() != data_dir().expanduser().resolve():
            out.append(_mode_finding("database dir", db_file.parent, 0o700))
        out.append(_mode_finding("database file", db_file, 0o600))
    if d.tls_key:
        out.append(_mode_finding("tls key", Path(d.tls_key), 0o600))
    return out


def _nofile() -> Finding:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = process.needed_nofile(Settings().max_connections)
    reach = want if hard == resource.RLIM_INFINITY else min(hard, want)
    if reach < process.MIN_NOFILE:
        return Finding("fail", "open-file limit", f"{soft} (hard {hard}) is too low to serve: "
                       f"LimitNOFILE={want} in the systemd unit")  # fmt: skip
    if reach < want:
        return Finding("warn", "open-file limit", f"hard limit {hard} allows fewer "
                       f"connections than configured: LimitNOFILE={want}")  # fmt: skip
    if soft != resource.RLIM_INFINITY and soft < want:
        return Finding("ok", "open-file limit", f"{soft}; serve raises it to {want} (hard {hard})")
    return Finding("ok", "open-file limit", f"{soft}, enough for every connection")


def _database(d: Deployment) -> Finding:
    url = d.db_url or default_db_url()
    try:
        db_file = _sqlite_file(url)
        if db_file is not None and not db_file.exists():
            return Finding("fail", "database", f"{db_file} does not exist: run "
                           "`companion-server migrate`")  # fmt: skip
        # SQLite read-only: make_engine would fix the file's mode, and check changes nothing.
        engine = (
            create_engine(f"sqlite:///file:{quote(str(db_file))}?mode=ro&uri=true")
            if db_file is not None
            else make_engine(url)
        )
    except (DatabaseUrlError, ValueError, SQLAlchemyError) as exc:
        return Finding("fail", "database", f"bad URL: {str(exc).splitlines()[0]}")
    shown = str(db_file) if db_file else engine.url.render_as_string(hide_password=True)
    try:
        migrate.check(engine)
        return Finding("ok", "database", f"{shown} reachable, schema {migrate.head()} (current)")
    except migrate.SchemaError as exc:
        return Finding("fail", "database", f"{shown}: {exc}")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Finding("fail", "database", f"{shown} cannot be reached: {reason}")
    finally:
        engine.dispose()


def _mail(smtp_url: str) -> Finding:
    if not smtp_url:
        return Finding("ok", "mail", f"{SMTP_ENV} not set: no mail is sent")
    try:
        parts = urlsplit(smtp_url)
        port = parts.port or SMTP_PORTS.get(parts.scheme)
    except ValueError as exc:
        return Finding("fail", "mail", f"{SMTP_ENV} does not parse ({exc})")
    if parts.scheme not in SMTP_PORTS or not parts.hostname or port is None:
        return Finding("fail", "mail", f"{SMTP_ENV} must look like smtp+starttls://USER:PASS@"
                       "HOST:587 (schemes: " + ", ".join(SMTP_PORTS) + ")")  # fmt: skip
    where = f"{parts.hostname}:{port}"
    try:
        socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError:
        return Finding("fail", "mail", f"{parts.hostname} does not resolve")
    try:
        socket.create_connection((parts.hostname, port), timeout=3).close()
    except OSError as exc:
        return Finding("fail", "mail", f"cannot connect to {where} ({exc.strerror or exc})")
    return Finding("ok", "mail", f"{where} answers")
