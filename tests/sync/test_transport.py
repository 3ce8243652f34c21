"""How answers are read: Retry-After forms and the server's reasons for a refusal."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from sync.transport import Permanent, Transient, Unauthorized, check, retry_after_seconds


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("100000") == 300  # capped: never hang a sync for a day
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert retry_after_seconds(date, now=1_000_000) == pytest.approx(30)
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def response(
    status: int, body: bytes, ctype: str = "application/json", **headers: str
) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": ctype, **headers})


def test_refusals_carry_the_servers_words() -> None:
    with pytest.raises(Permanent, match="^a different notice was already stored under this id$"):
        check(response(409, b'{"detail": "a different notice was already stored under this id"}'))
    validation = b'{"detail": [{"loc": ["body", "message"], "msg": "too long"}]}'
    with pytest.raises(Permanent, match="^message: too long$"):
        check(response(422, validation))
    with pytest.raises(Permanent, match="^Not Found$"):  # an HTML 404 page is not repeated
        check(response(404, b"<html><body>404</body></html>", "text/html"))
    with pytest.raises(Unauthorized, match="revoked"):
        check(response(401, b'{"detail": "bad token"}'))


def test_what_is_worth_retrying() -> None:
    with pytest.raises(Transient) as busy:
        check(response(429, b"{}", **{"retry-after": "3"}))
    assert busy.value.retry_after == 3
    for status in (408, 500, 503):
        with pytest.raises(Transient):
            check(response(status, b""))
    assert check(response(200, b'{"ok": true}', "application/json; charset=utf-8")) == {"ok": True}
