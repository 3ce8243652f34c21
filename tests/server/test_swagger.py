"""/docs and the Content-Security-Policy: Swagger UI comes from the package, never a CDN,
and every kind of answer the server gives a browser carries a policy of 'self' only."""

from __future__ import annotations

import re

from tests.server.conftest import Server

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def sources(csp: str) -> list[str]:
    """Every source expression in a policy (directive names dropped)."""
    return [s for d in csp.split(";") for s in d.split()[1:]]


def assert_self_only(csp: str) -> None:
    allowed = {"'self'", "'none'", "data:"}
    assert set(sources(csp)) <= allowed, csp


def test_docs_loads_nothing_from_another_origin(server: Server) -> None:
    r = server.http.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert not EXTERNAL.search(r.text), "an absolute URL in /docs"
    assert "<script>" not in r.text  # no inline script: the policy forbids them
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert_self_only(csp)
    referenced = re.findall(r'(?:src|href)="(/[^"]+)"', r.text)
    assert "/docs/assets/swagger-ui-bundle.js" in referenced
    for path in referenced:
        got = server.http.get(path)
        assert got.status_code == 200, path
        assert got.headers["x-content-type-options"] == "nosniff"
    start = server.http.get("/docs/assets/start.js").text
    assert '"/openapi.json"' in start and "//" not in start.replace('"/openapi.json"', "")
    bundle = server.http.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert len(bundle.content) > 500_000  # Swagger UI itself, not a placeholder


def test_the_cdn_pages_and_unknown_assets_are_gone(server: Server) -> None:
    for path in ("/redoc", "/docs/oauth2-redirect", "/docs/assets/index.html",
                 "/docs/assets/../../__init__.py", "/docs/assets/swagger-ui.js.map"):  # fmt: skip
        assert server.http.get(path).status_code == 404, path


def test_every_kind_of_answer_carries_a_self_only_policy(server: Server) -> None:
    """Pages, the API description, JSON answers and errors, redirects, files."""
    server.program()
    client = server.enrol("Alex", "Evening IOP")
    answers = {
        "docs page": server.http.get("/docs"),
        "docs asset": server.http.get("/docs/assets/swagger-ui.css"),
        "openapi": server.http.get("/openapi.json"),
        "health": server.http.get("/healthz"),
        "client JSON": server.http.get("/v1/notices", headers=client.headers),
        "401": server.http.get("/v1/notices"),
        "422": server.http.get("/v1/notices", params={"limit": 0}, headers=client.headers),
        "unknown path": server.http.get("/no/such/page"),
        "sign-in page": server.http.get("/signin"),
        "redirect": server.http.get("/inbox"),
        "stylesheet": server.http.get("/static/style.css"),
    }
    assert answers["redirect"].status_code == 303 and answers["unknown path"].status_code == 404
    for kind, r in answers.items():
        csp = r.headers.get("content-security-policy")
        assert csp, f"{kind}: no Content-Security-Policy"
        assert_self_only(csp)
        assert "frame-ancestors 'none'" in csp, kind
