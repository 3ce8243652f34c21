"""Which certificates the client trusts: the CA file saved at enrolment
(``companion enroll --ca-file``), else ``$SSL_CERT_FILE``, else the system's and certifi's.

httpx runs with ``trust_env=False`` (no proxy settings from the environment), so
``SSL_CERT_FILE`` is read here instead. Errors are one line for the client.
"""

from __future__ import annotations

import os
import ssl

import certifi

CERT_HINT = (
    "if the program uses its own certificate authority, enrol with "
    "`companion enroll --ca-file PATH` (or set SSL_CERT_FILE)"
)


class TlsSetupError(ValueError):
    """The CA file cannot be used; ``str()`` says which and why."""


def ssl_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying context trusting ``ca_file`` (or ``$SSL_CERT_FILE``), else the defaults."""
    chosen = ca_file or os.environ.get("SSL_CERT_FILE", "")
    if not chosen:
        context = ssl.create_default_context(cafile=certifi.where())
        context.load_default_certs()
        return context
    source = "--ca-file" if ca_file else "SSL_CERT_FILE"
    try:
        return ssl.create_default_context(cafile=chosen)
    except FileNotFoundError:
        raise TlsSetupError(f"{source} {chosen}: no such file") from None
    except (ssl.SSLError, OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "not a PEM certificate file"
        raise TlsSetupError(f"{source} {chosen}: cannot be used ({why})") from None


def certificate_problem(text: str) -> str:
    """A one-line reason for a failed TLS handshake, or '' when ``text`` is not one."""
    if "CERTIFICATE_VERIFY_FAILED" not in text and "certificate verify failed" not in text:
        if "SSL" not in text and "TLS" not in text:
            return ""
        return f"the secure connection failed ({text.splitlines()[0][:120]})"
    detail = text.split("certificate verify failed:", 1)[-1].split("(")[0].strip(" )")
    what = f" ({detail})" if detail and detail != text else ""
    return f"the server's certificate is not trusted{what}; {CERT_HINT}"
