"""The dashboard's security, over HTTP against the real server: escaping, CSRF, program
scoping, lock-out, cookie flags, sign-out."""

from __future__ import annotations

from contextlib import closing

import httpx

from tests.e2e.conftest import start_server, stop_server
from tests.web.conftest import PASSWORD, SCRIPT_MESSAGE, Site, csrf_of, sign_in


def test_signed_out_pages_send_the_browser_to_sign_in(site: Site) -> None:
    for path in ("/inbox", "/clients", "/attendance", "/schedule", "/export/notices.csv"):
        r = httpx.get(site.url + path)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/signin?next=")


def test_a_clients_script_and_html_show_as_text(site: Site) -> None:
    with closing(sign_in(site.url, site.emails["A"])) as browser:
        page = browser.get("/inbox").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "&amp; &lt;img src=x onerror=alert(1)&gt;" in page
    assert SCRIPT_MESSAGE not in page


def test_pages_forbid_inline_scripts_and_framing(site: Site) -> None:
    with closing(sign_in(site.url, site.emails["A"])) as browser:
        r = browser.get("/inbox")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"


def test_a_form_without_the_csrf_token_is_refused(site: Site) -> None:
    notice = site.notices["A"]
    with closing(sign_in(site.url, site.emails["A"])) as browser:
        missing = browser.post(f"/inbox/{notice}/ack", data={"back": "/inbox"})
        wrong = browser.post(f"/inbox/{notice}/ack", data={"csrf": "0" * 64})
        assert missing.status_code == 403 and wrong.status_code == 403
        page = browser.get("/inbox?status=new").text
        assert f'id="notice-{notice}"' in page  # still new: nothing happened
        for path in ("/signout", "/clients", "/schedule/new", f"/inbox/{notice}/reply"):
            assert browser.post(path, data={"name": "x", "text": "x"}).status_code == 403
        # Another coordinator's token does not fit this session either.
        with closing(sign_in(site.url, site.emails["B"])) as other:
            foreign = csrf_of(other.get("/inbox").text)
        assert browser.post(f"/inbox/{notice}/ack", data={"csrf": foreign}).status_code == 403


def test_the_sign_in_form_needs_its_csrf_token(site: Site) -> None:
    r = httpx.post(site.url + "/signin", data={"email": site.emails["A"], "password": PASSWORD})
    assert r.status_code == 403
    assert "companion_session" not in r.headers.get("set-cookie", "")


def test_another_programs_notice_and_client_are_404(site: Site) -> None:
    theirs, their_client = site.notices["B"], site.clients["B"]
    with closing(sign_in(site.url, site.emails["A"])) as browser:
        token = csrf_of(browser.get("/inbox").text)
        assert "Program B&#39;s private message" not in browser.get("/inbox").text
        for path in (f"/inbox/{theirs}/ack", f"/inbox/{theirs}/reply"):
            r = browser.post(path, data={"csrf": token, "text": "hello"})
            assert r.status_code == 404, path
        r = browser.post(
            f"/inbox/{theirs}/materials",
            data={"csrf": token, "title": "x", "url": "https://example.org/x"},
        )
        assert r.status_code == 404
        assert browser.get(f"/clients/{their_client}").status_code == 404
        assert (
            browser.post(f"/clients/{their_client}/revoke", data={"csrf": token}).status_code == 404
        )
        assert browser.get(f"/inbox?client={their_client}").status_code == 200
        assert theirs not in browser.get(f"/inbox?client={their_client}").text
        assert theirs not in browser.get("/export/notices.csv").text
    with closing(
        sign_in(site.url, site.emails["B"])
    ) as owner:  # B's notice is untouched and B sees it
        page = owner.get("/inbox?status=new").text
        assert f'id="notice-{theirs}"' in page
        assert owner.get(f"/clients/{their_client}").status_code == 200


def test_repeated_failed_sign_ins_lock_the_account(site: Site) -> None:
    email = "locked@example.org"
    browser = httpx.Client(base_url=site.url, timeout=10)
    for _ in range(4):
        token = csrf_of(browser.get("/signin").text)
        r = browser.post("/signin", data={"email": email, "password": "wrong", "csrf": token})
        assert r.status_code == 401 and "Wrong email or password" in r.text
    token = csrf_of(browser.get("/signin").text)
    r = browser.post("/signin", data={"email": email, "password": "wrong", "csrf": token})
    assert r.status_code == 429 and "locked" in r.text
    # Now even the right password is refused, from a fresh browser too.
    fresh = httpx.Client(base_url=site.url, timeout=10)
    token = csrf_of(fresh.get("/signin").text)
    r = fresh.post("/signin", data={"email": email, "password": PASSWORD, "csrf": token})
    assert r.status_code == 429 and "locked" in r.text
    assert "companion_session" not in r.headers.get("set-cookie", "")
    # Other accounts are not locked.
    sign_in(site.url, site.emails["A"]).close()


def test_session_cookie_flags(site: Site) -> None:
    browser = httpx.Client(base_url=site.url, timeout=10)
    token = csrf_of(browser.get("/signin").text)
    r = browser.post(
        "/signin", data={"email": site.emails["A"], "password": PASSWORD, "csrf": token}
    )
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("companion_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http on loopback: a Secure cookie would be dropped


def test_session_cookie_is_secure_over_https(site: Site) -> None:
    # Behind a TLS-terminating proxy on the same host, served with
    # --forwarded-allow-ips 127.0.0.1: the request is https and every cookie says Secure.
    proxied = start_server(site.server.home, "serve", "--forwarded-allow-ips", "127.0.0.1")
    try:
        proxy = {"X-Forwarded-Proto": "https"}
        form = httpx.get(proxied.url + "/signin", headers=proxy)
        pre = form.headers["set-cookie"]
        assert "secure" in {part.strip().lower() for part in pre.split(";")}
        # httpx, like a browser, keeps Secure cookies off plain http: send it as the proxy would.
        r = httpx.post(
            proxied.url + "/signin",
            data={"email": site.emails["A"], "password": PASSWORD, "csrf": csrf_of(form.text)},
            headers={**proxy, "Cookie": pre.split(";")[0]},
        )
        assert r.status_code == 303
        cookie = next(
            c for c in r.headers.get_list("set-cookie") if c.startswith("companion_session=")
        )
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite=lax"} <= flags
    finally:
        stop_server(proxied)


def test_forwarded_proto_from_an_untrusted_peer_is_ignored(site: Site) -> None:
    # The site serves without --forwarded-allow-ips: loopback's header is anyone's.
    form = httpx.get(site.url + "/signin", headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in {part.strip().lower() for part in form.headers["set-cookie"].split(";")}


def test_sign_out_ends_the_session(site: Site) -> None:
    browser = sign_in(site.url, site.emails["A"])
    session = browser.cookies["companion_session"]
    token = csrf_of(browser.get("/inbox").text)
    r = browser.post("/signout", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    # The old cookie no longer opens anything, even if a copy of it was kept.
    stale = httpx.Client(base_url=site.url, cookies={"companion_session": session})
    assert stale.get("/inbox").status_code == 303


def test_redirect_after_sign_in_stays_on_this_site(site: Site) -> None:
    browser = httpx.Client(base_url=site.url, timeout=10)
    token = csrf_of(browser.get("/signin").text)
    r = browser.post(
        "/signin",
        data={
            "email": site.emails["A"],
            "password": PASSWORD,
            "csrf": token,
            "next": "//evil.example/phish",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/inbox"
