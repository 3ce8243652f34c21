"""Sending one email over SMTP with :mod:`smtplib` (blocking: run it in a thread).

``smtp://user:pass@host:port`` speaks plain SMTP and upgrades with STARTTLS when the
server offers it; ``smtps://`` is TLS from the first byte. Credentials, when given, log in.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


class BadSmtpUrl(ValueError):
    """The ``--smtp-url`` is not ``smtp://`` or ``smtps://`` with a host."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to send."""

    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """The target an ``smtp://`` or ``smtps://`` URL names (ports default to 25 / 465)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadSmtpUrl("the SMTP URL must look like smtp://user:pass@host:port or smtps://...")
    tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if tls else 25)
    except ValueError as exc:
        raise BadSmtpUrl("the SMTP URL's port is not a number") from exc
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpTarget(parts.hostname, port, tls, user, password)


def send(target: SmtpTarget, sender: str, to: str, subject: str, body: str,
         timeout: float = 10) -> None:  # fmt: skip
    """Send one plain-text email; raises :class:`OSError` or :class:`smtplib.SMTPException`."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if target.tls:
        smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=timeout)
    with smtp:
        smtp.ehlo()
        if not target.tls and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        if target.user is not None:
            smtp.login(target.user, target.password or "")
        smtp.send_message(msg)
