"""The journal's encryption at rest: a key from the passphrase, and AES-256-GCM per value.

The key comes from the passphrase by Argon2id with a random salt; the parameters travel
with the salt (:class:`KdfParams`) so they can be raised later without locking anyone
out. Whether a passphrase is right is told by a *key check*, an AEAD sealing of a
constant: nothing derived from the passphrase alone is ever stored. Each value is sealed
with a fresh 96-bit nonce and associated data naming its row and field
(:func:`field_aad`), so a value moved to another row or field does not open.

Pure: no files, no database; only the operating system's random numbers. ``cryptography``
and ``argon2`` are imported on first use: the everyday commands (``status``, ``remind``)
import the journal's modules and must not pay their tens of milliseconds.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, GCM's own size
SALT_BYTES = 16
TAG_BYTES = 16
FORMAT = 1  # the first byte of every sealed value: how the rest is laid out
PAD_TO = 32  # plaintexts are padded to a multiple of this: lengths show only roughly
PASSPHRASE_CHARS = (8, 1024)
FORGOTTEN = (
    "A forgotten passphrase cannot be recovered: without it the text of your reflections "
    "is lost for good (their barriers, mood and dates stay readable)."
)
_CHECK = b"Companion journal key check, format 1"
_CHECK_AAD = b"companion/journal_key/check"
# Bounds on stored parameters: a damaged row must not make an unlock take an hour or
# ask for a terabyte of memory.
_TIME_COST = (1, 64)
_MEMORY_KIB = (8 * 1024, 4 * 1024 * 1024)
_PARALLELISM = (1, 64)


class VaultError(ValueError):
    """A sealed value or the key's parameters cannot be used."""


class WrongKey(VaultError):
    """The key does not open this value: another key, or a value that was changed."""


def _random(n: int) -> bytes:
    return os.urandom(n)


@dataclass(frozen=True, slots=True)
class KdfParams:
    """How the key is derived from the passphrase: Argon2id over ``salt``."""

    salt: bytes = field(default_factory=lambda: _random(SALT_BYTES))
    time_cost: int = 3
    memory_kib: int = 64 * 1024  # 64 MiB
    parallelism: int = 1
    kdf: str = "argon2id"

    def __post_init__(self) -> None:
        if self.kdf != "argon2id":
            raise VaultError(f"unknown key derivation {self.kdf!r}")
        if len(self.salt) < SALT_BYTES:
            raise VaultError("the key's salt is too short")
        for name, (low, high) in (
            ("time_cost", _TIME_COST),
            ("memory_kib", _MEMORY_KIB),
            ("parallelism", _PARALLELISM),
        ):
            value = getattr(self, name)
            if not low <= value <= high:
                raise VaultError(f"the key's {name} {value} is outside {low}-{high}")


def normalized(passphrase: str) -> str:
    """The passphrase as the key is derived from it: Unicode NFC, so the same words typed
    on another keyboard (composed or decomposed accents) open the journal too."""
    return unicodedata.normalize("NFC", passphrase)


def check_new_passphrase(passphrase: str) -> str:
    """A passphrase fit to be set, normalized; :class:`VaultError` says what is wrong."""
    text = normalized(passphrase)
    low, high = PASSPHRASE_CHARS
    if len(text.strip()) < low:
        raise VaultError(f"use a passphrase of at least {low} characters")
    if len(text) > high:
        raise VaultError(f"use a passphrase of at most {high} characters")
    return text


def derive_key(passphrase: str, params: KdfParams) -> bytes:
    """The 256-bit key for ``passphrase`` under ``params`` (about 0.2 s and 64 MiB)."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        normalized(passphrase).encode("utf-8"),
        params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def field_aad(table: str, row_id: int, column: str) -> bytes:
    """The associated data binding a sealed value to its row and field."""
    return f"companion/{table}/{int(row_id)}/{column}".encode()


def _pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4: a 0x80 byte, then zeros up to the block.
    data += b"\x80"
    return data + b"\0" * (-len(data) % PAD_TO)


def _unpad(data: bytes) -> bytes:
    body = data.rstrip(b"\0")
    if not body.endswith(b"\x80"):
        raise VaultError("a sealed value is damaged (bad padding)")
    return body[:-1]


def seal_bytes(key: bytes, data: bytes, aad: bytes) -> bytes:
    """``data`` sealed under ``key``: format byte, nonce, ciphertext with its tag."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = _random(NONCE_BYTES)
    head = bytes([FORMAT])
    return head + nonce + AESGCM(key).encrypt(nonce, _pad(data), head + aad)


def open_bytes(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """What :func:`seal_bytes` sealed; :class:`WrongKey` for another key or a changed value."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != FORMAT:
        raise VaultError("a sealed value is damaged (not in a format Companion writes)")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return _unpad(AESGCM(key).decrypt(nonce, body, blob[:1] + aad))
    except InvalidTag:
        raise WrongKey("the key does not open this value") from None


def seal(key: bytes, text: str, aad: bytes) -> bytes:
    """``text`` sealed under ``key``, bound to ``aad``."""
    return seal_bytes(key, text.encode("utf-8"), aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> str:
    """The text :func:`seal` sealed."""
    return open_bytes(key, blob, aad).decode("utf-8")


def make_check(key: bytes) -> bytes:
    """The key check stored beside the parameters: a sealing of a constant."""
    return seal_bytes(key, _CHECK, _CHECK_AAD)


def key_matches(key: bytes, check: bytes) -> bool:
    """Whether ``key`` is the one ``check`` was made with."""
    try:
        return open_bytes(key, check, _CHECK_AAD) == _CHECK
    except VaultError:
        return False
