"""The journal's encryption: round trips, wrong keys, values bound to their row and field,
the key check, the stored parameters' bounds, and imports kept off the everyday path."""

from __future__ import annotations

import subprocess
import sys

import pytest

from companion.domain import vault

FAST = vault.KdfParams(salt=b"s" * 16, time_cost=1, memory_kib=8 * 1024)  # tests only


@pytest.fixture(scope="module")
def key() -> bytes:
    return vault.derive_key("correct horse battery", FAST)


def test_round_trip(key: bytes) -> None:
    aad = vault.field_aad("reflection", 7, "plan")
    for text in ("", "Leave at five.", "ünïcödé ✓ 😊", "x" * 10_000):
        assert vault.unseal(key, vault.seal(key, text, aad), aad) == text


def test_a_fresh_nonce_every_time(key: bytes) -> None:
    aad = vault.field_aad("reflection", 1, "plan")
    blobs = {vault.seal(key, "same words", aad) for _ in range(50)}
    assert len(blobs) == 50
    assert len({b[1 : 1 + vault.NONCE_BYTES] for b in blobs}) == 50


def test_the_wrong_key_does_not_open(key: bytes) -> None:
    other = vault.derive_key("correct horse batterY", FAST)
    aad = vault.field_aad("reflection", 1, "what_happened")
    with pytest.raises(vault.WrongKey):
        vault.unseal(other, vault.seal(key, "private", aad), aad)


def test_a_value_moved_to_another_row_or_field_does_not_open(key: bytes) -> None:
    blob = vault.seal(key, "private", vault.field_aad("reflection", 1, "what_happened"))
    for moved in (
        vault.field_aad("reflection", 2, "what_happened"),
        vault.field_aad("reflection", 1, "plan"),
    ):
        with pytest.raises(vault.WrongKey):
            vault.unseal(key, blob, moved)


def test_a_changed_value_does_not_open(key: bytes) -> None:
    aad = vault.field_aad("reflection", 1, "plan")
    blob = bytearray(vault.seal(key, "private", aad))
    blob[-1] ^= 1
    with pytest.raises(vault.WrongKey):
        vault.unseal(key, bytes(blob), aad)
    with pytest.raises(vault.VaultError):
        vault.unseal(key, b"\x02" + bytes(blob[1:]), aad)  # a format we do not write
    with pytest.raises(vault.VaultError):
        vault.unseal(key, b"\x01short", aad)


def test_lengths_show_only_roughly(key: bytes) -> None:
    aad = vault.field_aad("reflection", 1, "plan")
    sizes = {len(vault.seal(key, "x" * n, aad)) for n in range(vault.PAD_TO - 1)}
    assert len(sizes) == 1


def test_the_key_check(key: bytes) -> None:
    check = vault.make_check(key)
    assert vault.key_matches(key, check)
    assert not vault.key_matches(vault.derive_key("another one", FAST), check)
    assert not vault.key_matches(key, check[:-1] + bytes([check[-1] ^ 1]))
    assert b"correct horse" not in check


def test_the_key_depends_on_passphrase_salt_and_parameters() -> None:
    base = vault.derive_key("correct horse battery", FAST)
    assert len(base) == vault.KEY_BYTES
    other_salt = vault.KdfParams(salt=b"t" * 16, time_cost=1, memory_kib=8 * 1024)
    more_time = vault.KdfParams(salt=b"s" * 16, time_cost=2, memory_kib=8 * 1024)
    assert vault.derive_key("correct horse battery", other_salt) != base
    assert vault.derive_key("correct horse battery", more_time) != base
    assert vault.derive_key("correct horse battery", FAST) == base


def test_composed_and_decomposed_accents_give_the_same_key() -> None:
    assert vault.derive_key("caf\u00e9 au lait", FAST) == vault.derive_key(
        "cafe\u0301 au lait", FAST
    )


def test_defaults_are_the_issues_and_the_salt_is_random() -> None:
    a, b = vault.KdfParams(), vault.KdfParams()
    assert (a.time_cost, a.memory_kib, a.parallelism, a.kdf) == (3, 65536, 1, "argon2id")
    assert len(a.salt) == vault.SALT_BYTES and a.salt != b.salt


@pytest.mark.parametrize(
    "bad",
    [
        {"time_cost": 0},
        {"time_cost": 10_000},
        {"memory_kib": 1024},
        {"memory_kib": 2**40},
        {"parallelism": 0},
        {"kdf": "scrypt"},
        {"salt": b"short"},
    ],
)
def test_stored_parameters_out_of_bounds_are_refused(bad: dict) -> None:
    with pytest.raises(vault.VaultError):
        vault.KdfParams(**{"salt": b"s" * 16, **bad})


def test_a_new_passphrase_is_checked() -> None:
    with pytest.raises(vault.VaultError, match="at least 8"):
        vault.check_new_passphrase("short")
    with pytest.raises(vault.VaultError, match="at least 8"):
        vault.check_new_passphrase("   x    ")
    with pytest.raises(vault.VaultError, match="at most"):
        vault.check_new_passphrase("x" * 2000)
    assert vault.check_new_passphrase("cafe\u0301 au lait") == "caf\u00e9 au lait"


def test_importing_the_vault_loads_no_crypto_library() -> None:
    """`status` and `remind` import the journal's modules: the libraries load on use."""
    code = (
        "import sys, companion.store.repo_journal, companion.actions.journal; "
        "print([m for m in ('cryptography', 'argon2', '_argon2_cffi_bindings') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
