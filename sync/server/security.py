"""Secrets: device and feed tokens, enrolment codes, coordinator passwords.

Tokens carry 256 random bits and are stored as SHA-256 digests (a fast hash is right for
high-entropy secrets: nothing to brute-force). Passwords are low-entropy, so they get
argon2id. Enrolment codes are short enough to type (60 bits, Crockford base32) and are
guarded by the database-backed rate limit besides being single-use and expiring.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_hasher = PasswordHasher()


def new_token() -> str:
    """A bearer token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the database keeps of a token or code."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code() -> str:
    """A one-time enrolment code a person can read out: ``XXXX-XXXX-XXXX``."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize_code(code: str) -> str:
    """Forgive case, spaces, dashes and the look-alike letters people type."""
    cleaned = code.strip().upper().replace(" ", "").replace("-", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}" if len(cleaned) == 12 else cleaned


def normalize_email(email: str) -> str:
    """The one form of an email address the server stores, looks up and counts by:
    ``Alice@A.org`` and `` alice@a.org`` are one account everywhere (sign-in, creating an
    account, the sign-in throttle). Revision 0007 brought stored addresses to this form."""
    return unicodedata.normalize("NFC", email).strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_password_check() -> None:
    """Spend the time a real check takes, so an unknown email is not faster to reject."""
    check_password(_DUMMY, "not the password")


_DUMMY = _hasher.hash("companion-dummy")
