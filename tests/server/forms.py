"""The dashboard's forms from a test: a browser-like httpx client (cookies kept, no
redirects followed), the CSRF token of a page, and signing in through the form."""

from __future__ import annotations

import re

import httpx


def browser(url: str, source: str | None = None) -> httpx.Client:
    """A cookie-keeping client; with ``source``, its connections come from that address."""
    transport = httpx.HTTPTransport(local_address=source) if source else None
    return httpx.Client(base_url=url, transport=transport, follow_redirects=False, timeout=10)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def form_signin(client: httpx.Client, email: str, password: str, next_: str = "") -> httpx.Response:
    """Fill in and send the sign-in form as a person would."""
    page = client.get("/signin" + (f"?next={next_}" if next_ else ""))
    data = {"email": email, "password": password, "csrf": csrf_of(page.text)}
    if next_:
        data["next"] = next_
    return client.post("/signin", data=data)
