"""Whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` the server believes.

Only the proxies named by ``serve --forwarded-allow-ips`` (default: none). Anyone can
send those headers; a TLS proxy on the same host connects from 127.0.0.1 exactly as a
local attacker does, so loopback is not trusted by default either. The address decided
here is the one every rate limit, lock-out and log line keys on.

The app applies uvicorn's own :class:`ProxyHeadersMiddleware` itself (``app.py``), so
the rule holds however the app is served; ``serve`` turns uvicorn's copy off, whose
default would trust 127.0.0.1.
"""

from __future__ import annotations

import ipaddress

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

__all__ = ["ProxyHeadersMiddleware", "TrustError", "parse_trusted"]


class TrustError(ValueError):
    """A ``--forwarded-allow-ips`` entry that is neither an address nor a network."""


def parse_trusted(text: str) -> list[str]:
    """The entries of a comma-separated list of IP addresses and networks (``*``: any
    peer, only for a server reachable from its proxy alone); [] for none.

    uvicorn would take a mistyped entry as a literal that never matches, silently
    trusting no one; here it is refused with a line saying which entry.
    """
    entries = [e.strip() for e in text.split(",") if e.strip()]
    if entries == ["*"]:
        return entries
    out = []
    for entry in entries:
        try:
            if "/" in entry:  # 10.0.0.1/8 means 10.0.0.0/8 (uvicorn would refuse it)
                out.append(str(ipaddress.ip_network(entry, strict=False)))
            else:
                out.append(str(ipaddress.ip_address(entry)))
        except ValueError:
            raise TrustError(
                f"--forwarded-allow-ips: {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1, 10.0.0.0/8, ::1)"
            ) from None
    return out
