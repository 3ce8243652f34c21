"""GET and HEAD /v1/feeds/{token}.ics: the device's calendar, with its validators (a strong
ETag, Last-Modified) and conditional requests as RFC 9110 has them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.utils import format_datetime

import httpx
from icalendar import Calendar
from sqlalchemy import Engine

from sync.server import admin
from sync.server.app import create_app
from sync.server.settings import Settings
from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, Client, Server, notice

SETTLE = timedelta(seconds=5)  # beyond the two seconds a change takes to get Last-Modified


def _enrolled(server: Server) -> tuple[dict[str, str], Client, str]:
    """The coordinator's headers, an enrolled client with the group series, its feed path."""
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    h = {"Authorization": f"Bearer {coord}"}
    assert server.http.post("/v1/coordinator/series", json=GROUP, headers=h).status_code == 201
    client = server.enrol("Alex", program)
    return h, client, httpx.URL(client.enrolled["feed_url"]).path


def test_feed_is_a_calendar_with_the_program_series(server: Server) -> None:
    _, _, url = _enrolled(server)
    r = server.http.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert r.headers["cache-control"] == "private, no-cache"
    cal = Calendar.from_ical(r.content)
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == ["Process Group (group therapy)"]
    assert "FREQ=WEEKLY" in events[0]["RRULE"].to_ical().decode()
    assert str(cal["X-WR-CALNAME"]) == "Evening IOP"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in r.content


def test_etag_gives_304_until_something_changes(server: Server) -> None:
    h, client, url = _enrolled(server)
    first = server.http.get(url)
    etag = first.headers["etag"]
    assert not etag.startswith("W/")  # strong: byte-for-byte the same content
    again = server.http.get(url)
    assert again.content == first.content and again.headers["etag"] == etag
    cached = server.http.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag and cached.headers["cache-control"]
    assert server.http.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert server.http.get(url, headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    assert server.http.get(url, headers={"If-None-Match": "*"}).status_code == 304

    # an advance notice shows the session as excused: the feed changes
    client.post(notice(original_start="2026-11-30T23:00:00Z", start="2026-11-30T23:00:00Z"))
    after_notice = server.http.get(url, headers={"If-None-Match": etag})
    assert after_notice.status_code == 200
    assert b"Excused: notice sent" in after_notice.content
    etag2 = after_notice.headers["etag"]
    assert etag2 != etag

    # a series change by the coordinator changes it too
    server.http.put(
        "/v1/coordinator/series/process-group",
        headers=h,
        json=dict(GROUP, title="Process Group (room B)"),
    )
    changed = server.http.get(url, headers={"If-None-Match": etag2})
    assert changed.status_code == 200 and b"room B" in changed.content
    assert changed.headers["etag"] not in (etag, etag2)

    # a PUT that changes nothing leaves the feed (and its ETag) alone
    same = server.http.put(
        "/v1/coordinator/series/process-group",
        headers=h,
        json=dict(GROUP, title="Process Group (room B)"),
    )
    assert same.status_code == 200
    assert (
        server.http.get(url, headers={"If-None-Match": changed.headers["etag"]}).status_code == 304
    )


def test_head_answers_with_the_headers_of_get_and_no_body(server: Server) -> None:
    _, _, url = _enrolled(server)
    server.clock.advance(SETTLE)
    got = server.http.get(url)
    head = server.http.head(url)
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "content-type", "cache-control", "content-disposition"):
        assert head.headers[name] == got.headers[name], name
    assert int(head.headers["content-length"]) == len(got.content)
    cached = server.http.head(url, headers={"If-None-Match": got.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    dated = server.http.head(url, headers={"If-Modified-Since": got.headers["last-modified"]})
    assert dated.status_code == 304
    assert server.http.head("/v1/feeds/not-a-token.ics").status_code == 404
    assert server.http.post(url).status_code == 405


def test_head_works_without_the_hot_path_too(engine: Engine, settings: Settings) -> None:
    """The FastAPI app alone (what /openapi.json documents) serves HEAD the same way."""
    admin.create_program(engine, "Evening IOP", "America/New_York", 0.8, 3, "", FROZEN_NOW)
    code = admin.add_client(engine, "Alex", None, FROZEN_NOW)["code"]
    api = create_app(settings, clock=lambda: FROZEN_NOW + SETTLE).api

    async def run() -> None:
        transport = httpx.ASGITransport(app=api)
        async with (
            api.router.lifespan_context(api),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        ):
            enrolled = await http.post("/v1/enroll", json={"code": code})
            url = httpx.URL(enrolled.json()["feed_url"]).path
            got, head = await http.get(url), await http.head(url)
            assert got.status_code == head.status_code == 200
            assert head.content == b"" and head.headers["etag"] == got.headers["etag"]
            assert int(head.headers["content-length"]) == len(got.content)
            assert head.headers["last-modified"] == got.headers["last-modified"]
            paths = (await http.get("/openapi.json")).json()["paths"]
            feed = paths["/v1/feeds/{feed_token}.ics"]
            assert {"get", "head"} <= set(feed)
            names = {p["name"] for p in feed["get"]["parameters"]}
            assert {"If-None-Match", "If-Modified-Since"} <= names

    asyncio.run(run())


def test_last_modified_and_if_modified_since(server: Server) -> None:
    h, _, url = _enrolled(server)
    created = server.clock()
    server.clock.advance(SETTLE)
    first = server.http.get(url)
    last_modified = first.headers["last-modified"]
    assert last_modified == format_datetime(created.replace(microsecond=0), usegmt=True)
    assert last_modified.endswith(" GMT")  # IMF-fixdate

    def status(**headers: str) -> int:
        return server.http.get(url, headers=headers).status_code

    assert status(**{"If-Modified-Since": last_modified}) == 304
    later = format_datetime(created + timedelta(seconds=3), usegmt=True)
    assert status(**{"If-Modified-Since": later}) == 304
    earlier = format_datetime(created - timedelta(seconds=1), usegmt=True)
    assert status(**{"If-Modified-Since": earlier}) == 200
    assert status(**{"If-Modified-Since": "yesterday"}) == 200  # not a date: ignored
    future = format_datetime(server.clock() + timedelta(days=1), usegmt=True)
    assert status(**{"If-Modified-Since": future}) == 200  # a client clock ahead: ignored
    # RFC 9110 13.2.2: when If-None-Match is sent, it decides and the date is ignored
    assert status(**{"If-None-Match": '"stale"', "If-Modified-Since": last_modified}) == 200
    assert status(**{"If-None-Match": first.headers["etag"], "If-Modified-Since": earlier}) == 304

    # a coordinator's change later on: the old date no longer holds
    server.clock.advance(timedelta(minutes=10))
    edited = dict(GROUP, join_url="https://meet.example.org/new-room")
    assert server.http.put(
        "/v1/coordinator/series/process-group", headers=h, json=edited
    ).is_success
    server.clock.advance(SETTLE)
    newer = server.http.get(url, headers={"If-Modified-Since": last_modified})
    assert newer.status_code == 200 and b"new-room" in newer.content
    assert newer.headers["last-modified"] != last_modified
    cached = server.http.get(url, headers={"If-Modified-Since": newer.headers["last-modified"]})
    assert cached.status_code == 304


def test_last_modified_waits_until_a_change_has_settled(server: Server) -> None:
    """Whole seconds cannot tell two changes within one second apart: until the last
    change is two seconds old, the feed sends no Last-Modified to be compared with."""
    h, _, url = _enrolled(server)
    server.clock.advance(SETTLE)
    settled = server.http.get(url)
    stamp = settled.headers["last-modified"]
    server.clock.advance(timedelta(milliseconds=300))
    edited = dict(GROUP, title="Process Group (moved online)")
    assert server.http.put(
        "/v1/coordinator/series/process-group", headers=h, json=edited
    ).is_success
    fresh = server.http.get(url, headers={"If-Modified-Since": stamp})
    assert fresh.status_code == 200 and b"moved online" in fresh.content
    assert "last-modified" not in fresh.headers and fresh.headers["etag"]
    server.clock.advance(timedelta(seconds=2))
    assert "last-modified" in server.http.head(url).headers


def test_unknown_feed_is_404(server: Server) -> None:
    server.program()
    r = server.http.get("/v1/feeds/not-a-token.ics")
    assert r.status_code == 404 and r.json() == {"detail": "no such calendar feed"}
