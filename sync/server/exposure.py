"""Whether ``serve`` may listen where it was asked to: safe by default off loopback.

On loopback anything goes (a proxy on the same host, or tests). On any other address the
server must either terminate TLS itself (``--tls-cert``/``--tls-key``) or sit behind a
trusted reverse proxy that does (``--forwarded-allow-ips``); plain HTTP to the network
needs ``--insecure-http`` and is then loudly warned about. ``--public-url`` (the base of
feed and sign-in links) must be https there.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

REFUSAL = (
    "refusing to serve plain HTTP on {host}: anyone on the network could read clients' "
    "notices, device tokens and coordinators' passwords. Either terminate TLS here "
    "(--tls-cert PATH --tls-key PATH), or put a TLS reverse proxy such as Caddy in front "
    'and name it with --forwarded-allow-ips (see deploy/ and the README section "Running '
    'it for a program"), or listen on 127.0.0.1 only. To serve plain HTTP anyway (a '
    "closed test network), add --insecure-http."
)
INSECURE_WARNING = (
    "WARNING: serving PLAIN HTTP on {host} (--insecure-http): passwords, device tokens and "
    "notices cross the network unencrypted, and browsers get no Secure cookies. Do not use "
    "this for a real program."
)


class ExposureError(ValueError):
    """``serve`` must not start like this; ``str()`` says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class Exposure:
    """How the server is reached: its scheme and what to warn about at start-up."""

    scheme: str
    warnings: list[str] = field(default_factory=list)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_tls_files(cert: str | None, key: str | None) -> bool:
    """True when TLS is asked for and both files load; :class:`ExposureError` if not."""
    if not cert and not key:
        return False
    if not cert or not key:
        raise ExposureError("--tls-cert and --tls-key go together (the certificate and its key)")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        raise ExposureError(f"TLS: {exc.filename or cert}: no such file") from None
    except (ssl.SSLError, OSError) as exc:
        why = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or "unreadable"
        raise ExposureError(
            f"TLS: {cert} and {key} are not a PEM certificate and its private key ({why})"
        ) from None
    return True


def decide(
    host: str, *, tls: bool, trusted: list[str], insecure_http: bool, public_url: str = ""
) -> Exposure:
    """The exposure of ``serve --host host``; :class:`ExposureError` when it must not start."""
    scheme = "https" if tls else "http"
    if is_loopback(host):
        return Exposure(scheme)
    warnings = []
    if not tls and not trusted:
        if not insecure_http:
            raise ExposureError(REFUSAL.format(host=host))
        warnings.append(INSECURE_WARNING.format(host=host))
    if public_url and urlsplit(public_url).scheme != "https":
        if not insecure_http:
            raise ExposureError(
                f"--public-url {public_url} must be https:// when serving on {host}: "
                "clients and calendar apps follow it over the network"
            )
        warnings.append(f"WARNING: --public-url {public_url} is not https")
    return Exposure(scheme, warnings)
