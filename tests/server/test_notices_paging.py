"""GET /v1/notices: a client's notices a page at a time, newest first, with an opaque
cursor; nothing is cut off without ``more`` saying so; bad cursors and limits are 422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from tests.server.conftest import Client, Server, notice


def page(client: Client, **params: Any) -> dict[str, Any]:
    r = client.server.http.get("/v1/notices", params=params, headers=client.headers)
    assert r.status_code == 200, r.text
    return r.json()


def post_many(client: Client, n: int) -> list[str]:
    ids = []
    for i in range(n):
        client.server.clock.advance(timedelta(seconds=1))  # received one after another
        body = notice(message=f"note {i}")
        assert client.post(body).status_code == 201
        ids.append(body["id"])
    return ids


def every_page(client: Client, limit: int) -> list[dict[str, Any]]:
    pages, params = [], {"limit": limit}
    while True:
        got = page(client, **params)
        pages.append(got)
        if not got["more"]:
            return pages
        params = {"limit": limit, "cursor": got["cursor"]}


def test_pages_follow_the_cursor_newest_first_and_end_with_more_false(server: Server) -> None:
    alex = server.enrol("Alex", server.publish(server.program()))
    sent = post_many(alex, 7)
    pages = every_page(alex, 3)
    assert [len(p["notices"]) for p in pages] == [3, 3, 1]
    assert [p["more"] for p in pages] == [True, True, False]
    assert pages[-1]["cursor"] is None and all(p["cursor"] for p in pages[:-1])
    listed = [n for p in pages for n in p["notices"]]
    assert sorted(n["id"] for n in listed) == sorted(sent)  # each exactly once
    keys = [(n["received_at"], n["id"]) for n in listed]
    assert keys == sorted(keys, reverse=True)


def test_a_notice_arriving_between_pages_neither_repeats_nor_hides_older_ones(
    server: Server,
) -> None:
    alex = server.enrol("Alex", server.publish(server.program()))
    sent = post_many(alex, 4)
    first = page(alex, limit=2)
    newer = post_many(alex, 1)
    rest = page(alex, limit=10, cursor=first["cursor"])
    assert not rest["more"]
    seen = [n["id"] for n in first["notices"] + rest["notices"]]
    assert sorted(seen) == sorted(sent) and newer[0] not in seen
    assert page(alex, limit=1)["notices"][0]["id"] == newer[0]  # a fresh first page has it


def test_the_default_page_says_more_instead_of_cutting_off(server: Server) -> None:
    alex = server.enrol("Alex", server.publish(server.program()))
    sent = post_many(alex, 103)
    first = page(alex)
    assert len(first["notices"]) == 100 and first["more"] is True
    second = page(alex, cursor=first["cursor"])
    assert len(second["notices"]) == 3 and second["more"] is False
    assert {n["id"] for n in first["notices"] + second["notices"]} == set(sent)


def test_a_client_with_none_gets_an_empty_last_page(server: Server) -> None:
    program = server.publish(server.program())
    post_many(server.enrol("Alex", program), 3)
    sam = server.enrol("Sam", program)
    assert page(sam) == {"notices": [], "cursor": None, "more": False}


def test_another_clients_cursor_pages_only_your_own_notices(server: Server) -> None:
    program = server.publish(server.program())
    alex, sam = server.enrol("Alex", program), server.enrol("Sam", program)
    post_many(alex, 3)
    mine = post_many(sam, 2)
    cursor = page(alex, limit=1)["cursor"]
    got = page(sam, cursor=cursor)["notices"]
    assert {n["id"] for n in got} <= set(mine)
    assert all(n["message"].startswith("note") for n in got)


def test_bad_cursor_or_limit_is_a_one_line_422(server: Server) -> None:
    alex = server.enrol("Alex", server.publish(server.program()))
    post_many(alex, 2)
    for params in (
        {"cursor": "nope"},
        {"cursor": "2026-11-26 not-a-key"},
        {"cursor": "2026-11-26T22:12:00.000000Z_" + "8" * 35},  # one character short
        {"cursor": "x" * 201},
        {"limit": 0},
        {"limit": 501},
        {"limit": "ten"},
    ):
        r = alex.server.http.get("/v1/notices", params=params, headers=alex.headers)
        assert r.status_code == 422, params
        detail = r.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail, params
        assert ("cursor" in detail) or ("limit" in detail), detail


def test_any_cursor_of_the_published_form_pages(server: Server) -> None:
    """The schema publishes the cursor's pattern; every string of that form is a place in
    the newest-first order (schemathesis sends made-up ones and expects them taken)."""
    alex = server.enrol("Alex", server.publish(server.program()))
    post_many(alex, 3)
    newest = page(alex)["notices"]
    later = "9999-12-31T23:59:59.999999Z_" + "f" * 36
    assert [n["id"] for n in page(alex, cursor=later)["notices"]] == [n["id"] for n in newest]
    earlier = "1900-01-01T00:00:00.000000Z_" + "0" * 36
    assert page(alex, cursor=earlier) == {"notices": [], "cursor": None, "more": False}


def test_openapi_documents_the_page_and_its_parameters(server: Server) -> None:
    spec = server.http.get("/openapi.json").json()
    op = spec["paths"]["/v1/notices"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"cursor", "limit"}
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/NoticesPage"}
    fields = spec["components"]["schemas"]["NoticesPage"]["properties"]
    assert set(fields) == {"notices", "cursor", "more"}


def test_the_page_is_read_from_the_clients_index(server: Server) -> None:
    """The query walks the (client_id, received_at, id) index, never the program's
    notices: it stays as fast for a client with none in a program with thousands."""
    if server.engine.dialect.name != "sqlite":
        plan = "EXPLAIN SELECT * FROM notices WHERE client_id = 1 AND program_id = 1 "
        with server.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            rows = conn.execute(text(plan + "ORDER BY received_at DESC, id DESC LIMIT 101"))
            assert "ix_notices_client_received" in " ".join(r[0] for r in rows)
        return
    with server.engine.connect() as conn:
        rows = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM notices WHERE client_id = 1 AND "
                "program_id = 1 AND (received_at < 'x' OR (received_at = 'x' AND id < 'y')) "
                "ORDER BY received_at DESC, id DESC LIMIT 101"
            )
        ).all()
    detail = " ".join(str(r[-1]) for r in rows)
    assert "ix_notices_client_received" in detail and "TEMP B-TREE" not in detail
