"""HTTP to the program server: one httpx client, answers sorted into what to do next.

Every answer becomes either parsed JSON or one of four errors, each with a message meant
for the client:

- :class:`Transient`: worth retrying (no connection, timeout, 5xx, 408, 429, an answer that
  is not the JSON it should be). Retried with exponential backoff and full jitter by
  tenacity; a 429's Retry-After is honoured instead of the backoff.
- :class:`Permanent`: the server refused the request for good (4xx); carries its detail.
- :class:`Unauthorized`: the device token is missing, wrong or revoked (401/403).
- :class:`TlsFailure`: the certificate is not trusted (``tls.py``); not retried.
"""

from __future__ import annotations

import email.utils
import json
import ssl
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from companion import __version__
from sync.tls import TlsSetupError, certificate_problem, ssl_context

MAX_RETRY_AFTER = 300.0
USER_AGENT = f"companion/{__version__}"


class SyncError(Exception):
    """A request that did not succeed; ``str()`` is a one-line message for the client."""


class Transient(SyncError):
    def __init__(self, message: str, *, offline: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.offline = offline
        self.retry_after = retry_after


class Permanent(SyncError):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class Unauthorized(SyncError):
    pass


class TlsFailure(SyncError):
    """The server's certificate is not trusted, or the CA file cannot be used: not worth
    retrying, and not the server refusing the request (queued notices stay queued)."""


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when.timestamp() - (now if now is not None else time.time())
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def server_detail(response: httpx.Response) -> str:
    """The server's own words about a refusal: ``{"detail": ...}`` or a short text body."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        if isinstance(detail, list):  # a validation error: list of {"loc", "msg"}
            parts = [
                f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg', '')}".strip(": ")
                for d in detail
                if isinstance(d, dict)
            ]
            return "; ".join(parts) or "the request was not valid"
        return str(detail)[:300]
    text = response.text.strip() if "html" not in response.headers.get("content-type", "") else ""
    return (text.splitlines()[0][:300] if text else "") or response.reason_phrase or "refused"


def check(response: httpx.Response) -> Any:
    """The JSON body of a successful answer, or the matching :class:`SyncError`."""
    status = response.status_code
    if status in (401, 403):
        raise Unauthorized(
            "the server does not accept this device any more (revoked?): "
            "run `companion unenroll`, then enrol again with a new code"
        )
    if status == 429 or status == 408 or status >= 500:
        what = {429: "is busy (429)", 408: "timed out (408)"}.get(
            status, f"had an error ({status} {response.reason_phrase})"
        )
        raise Transient(
            f"the server {what}",
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    if 400 <= status < 500:
        raise Permanent(server_detail(response), status)
    if status not in (200, 201):
        raise Transient(f"unexpected answer from the server ({status} {response.reason_phrase})")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise Transient(
            f"the server answered with {ctype or 'no content type'} instead of JSON "
            "(is the URL right, or is a proxy in the way?)"
        )
    try:
        return json.loads(response.content)
    except ValueError:
        raise Transient("the server's answer was cut short or is not valid JSON") from None


def _wait(backoff: Callable[[RetryCallState], float]) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(state)

    return wait


class Api:
    """A session with one program server. ``attempts`` and ``budget_s`` bound the retries
    of each call; ``timeout`` bounds each network wait (connect, read, write)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        budget_s: float = 20.0,
        backoff_max: float = 4.0,
        ca_file: str = "",
    ) -> None:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url
        self.timeout = timeout
        # A CA file that cannot be used fails each request (one line), not construction.
        self.tls_problem = ""
        try:
            verify: ssl.SSLContext | bool = ssl_context(ca_file)
        except TlsSetupError as exc:
            self.tls_problem, verify = str(exc), True
        self.client = httpx.Client(
            verify=verify,
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )
        self.retrying = Retrying(
            retry=retry_if_exception_type(Transient),
            wait=_wait(wait_random_exponential(multiplier=0.2, max=backoff_max)),
            stop=stop_after_attempt(max(1, attempts)) | stop_before_delay(budget_s),
            reraise=True,
        )

    def _once(self, method: str, path: str, **kwargs: Any) -> Any:
        if self.tls_problem:
            raise TlsFailure(self.tls_problem)
        try:
            response = self.client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if problem := certificate_problem(str(exc)):
                raise TlsFailure(f"{self.base_url}: {problem}") from None
            raise Transient(
                f"cannot reach {self.base_url} ({_reason(exc)})", offline=True
            ) from None
        except httpx.TimeoutException:
            raise Transient(f"{self.base_url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise Transient(f"the connection to {self.base_url} failed ({_reason(exc)})") from None
        return check(response)

    def call(self, method: str, path: str, *, retry: bool = True, **kwargs: Any) -> Any:
        """One request, retried on :class:`Transient` errors when ``retry``."""
        if not retry:
            return self._once(method, path, **kwargs)
        return self.retrying(self._once, method, path, **kwargs)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    return text.splitlines()[0][:120] if text else type(exc).__name__
