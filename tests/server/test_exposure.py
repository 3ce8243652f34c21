"""exposure.py: where ``serve`` may listen, and with what."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.server.exposure import ExposureError, check_tls_files, decide, is_loopback
from tests.tlscerts import make_pki


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost"])
def test_loopback_serves_plain_http_without_a_word(host: str) -> None:
    assert is_loopback(host)
    exposed = decide(host, tls=False, trusted=[], insecure_http=False, public_url="http://x")
    assert (exposed.scheme, exposed.warnings) == ("http", [])


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "iop.example.org"])
def test_plain_http_off_loopback_is_refused_in_one_paragraph(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ExposureError) as refused:
        decide(host, tls=False, trusted=[], insecure_http=False)
    message = str(refused.value)
    assert "\n" not in message and f"plain HTTP on {host}" in message
    for way_out in ("--tls-cert", "--forwarded-allow-ips", "127.0.0.1", "--insecure-http"):
        assert way_out in message


def test_insecure_http_starts_with_a_loud_warning() -> None:
    exposed = decide("0.0.0.0", tls=False, trusted=[], insecure_http=True, public_url="http://a")
    assert exposed.scheme == "http"
    assert exposed.warnings[0].startswith("WARNING: serving PLAIN HTTP on 0.0.0.0")
    assert "--public-url http://a is not https" in exposed.warnings[1]


def test_tls_or_a_trusted_proxy_is_enough_but_the_public_url_must_be_https() -> None:
    assert decide("0.0.0.0", tls=True, trusted=[], insecure_http=False).scheme == "https"
    proxied = decide("10.0.0.2", tls=False, trusted=["10.0.0.1"], insecure_http=False,
                     public_url="https://iop.example.org")  # fmt: skip
    assert (proxied.scheme, proxied.warnings) == ("http", [])
    with pytest.raises(ExposureError, match="--public-url http://iop.example.org must be https"):
        decide("0.0.0.0", tls=True, trusted=[], insecure_http=False,
               public_url="http://iop.example.org")  # fmt: skip


def test_tls_files_must_come_in_pairs_and_load(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    assert check_tls_files(None, None) is False
    assert check_tls_files(str(pki.cert), str(pki.key)) is True
    with pytest.raises(ExposureError, match="go together"):
        check_tls_files(str(pki.cert), None)
    with pytest.raises(ExposureError, match="no such file"):
        check_tls_files(str(tmp_path / "none.pem"), str(pki.key))
    with pytest.raises(ExposureError, match="are not a PEM certificate and its private key"):
        check_tls_files(str(pki.ca), str(pki.key))  # the CA's certificate, the server's key
