"""GET /v1/feeds/{token}.ics: the client's calendar, with ETag and 304."""

from __future__ import annotations

from icalendar import Calendar

from tests.server.conftest import GROUP, Server, notice


def test_feed_is_a_calendar_with_the_program_series(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    server.http.post(
        "/v1/coordinator/series", json=GROUP, headers={"Authorization": f"Bearer {coord}"}
    )
    client = server.enrol("Alex", program)
    r = server.http.get(client.enrolled["feed_url"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == ["Process Group (group therapy)"]
    assert "FREQ=WEEKLY" in events[0]["RRULE"].to_ical().decode()
    assert str(cal["X-WR-CALNAME"]) == "Evening IOP"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in r.content


def test_etag_gives_304_until_something_changes(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    h = {"Authorization": f"Bearer {coord}"}
    server.http.post("/v1/coordinator/series", json=GROUP, headers=h)
    client = server.enrol("Alex", program)
    url = client.enrolled["feed_url"]
    first = server.http.get(url)
    etag = first.headers["etag"]
    again = server.http.get(url)
    assert again.content == first.content  # stable bytes for an unchanged feed
    cached = server.http.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert server.http.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304

    # an advance notice shows the session as excused: the feed changes
    client.post(notice(original_start="2026-11-30T23:00:00Z", start="2026-11-30T23:00:00Z"))
    after_notice = server.http.get(url, headers={"If-None-Match": etag})
    assert after_notice.status_code == 200
    assert b"Excused: notice sent" in after_notice.content
    etag2 = after_notice.headers["etag"]

    # a series change by the coordinator changes it too
    server.http.put(
        "/v1/coordinator/series/process-group",
        headers=h,
        json=dict(GROUP, title="Process Group (room B)"),
    )
    changed = server.http.get(url, headers={"If-None-Match": etag2})
    assert changed.status_code == 200 and b"room B" in changed.content


def test_unknown_feed_is_404(server: Server) -> None:
    server.program()
    r = server.http.get("/v1/feeds/not-a-token.ics")
    assert r.status_code == 404 and r.json() == {"detail": "no such calendar feed"}
