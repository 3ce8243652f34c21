"""Issue 10, the boundary: each reproduction as filed, on SQLite and PostgreSQL, now a clear
4xx that changes nothing (the series, reminders and links a coordinator sends; the
notices a device sends, judged by the server's own clock; dashboard dates and ranges)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import httpx

from tests.conftest import FROZEN_NOW
from tests.server.conftest import GROUP, Client, Server, notice

# FROZEN_NOW is Thu 26 Nov 2026 17:12 in New York; the Process Group is Mon/Wed/Fri 18:00.
FRI_20 = "2026-11-20T23:00:00Z"  # six days ago: long over
FRI_27 = "2026-11-27T23:00:00Z"  # tomorrow


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def setup(server: Server) -> tuple[dict[str, str], Client]:
    """The program with its Process Group, its coordinator's headers and one client."""
    program = server.publish(server.program())
    h = auth(server.coordinator("c@example.org", program))
    return h, server.enrol("Alex", program)


def refused(r: httpx.Response, field: str, words: str) -> None:
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith(field) and words in detail, detail


def nothing_changed(server: Server, h: dict[str, str], client: Client) -> None:
    """The schedule is the Process Group alone, and no change reached the client."""
    listed = server.http.get("/v1/coordinator/series", headers=h).json()
    assert [s["uid"] for s in listed] == ["process-group"]
    assert client.poll() == []


def test_a_sequence_no_database_holds_is_a_422(server: Server) -> None:
    h, client = setup(server)
    r = server.http.post(
        "/v1/coordinator/series", json=dict(GROUP, uid="s1", sequence=10**19), headers=h
    )
    refused(r, "sequence", "less than or equal to 2147483647")
    for bad in (-1, 2**31, "5", 1.0):
        r = server.http.post("/v1/coordinator/series", json=dict(GROUP, uid="s1", sequence=bad),
                             headers=h)  # fmt: skip
        assert r.status_code == 422, bad
    nothing_changed(server, h, client)


def test_repeats_finer_than_daily_are_a_422_and_the_program_stays_quick(server: Server) -> None:
    h, client = setup(server)
    for rule in ("FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY", "FREQ=DAILY;BYHOUR=9,18"):
        r = server.http.post("/v1/coordinator/series", json=dict(GROUP, uid="s", rrule=rule),
                             headers=h)  # fmt: skip
        assert r.status_code == 422, rule
        assert "more often than daily" in r.json()["detail"]
        r = server.http.put("/v1/coordinator/series/process-group",
                            json=dict(GROUP, rrule=rule), headers=h)  # fmt: skip
        assert r.status_code == 422, rule
    began = time.monotonic()
    assert server.http.get("/v1/coordinator/clients", headers=h).status_code == 200
    assert server.http.get("/healthz").status_code == 200
    assert time.monotonic() - began < 5  # was 53 s with a SECONDLY series stored
    nothing_changed(server, h, client)


def test_reminders_beyond_fourteen_days_are_a_422_never_a_500(server: Server) -> None:
    h, client = setup(server)
    for minutes in (10**15, 10**12, 20161, -1):
        body = dict(GROUP, uid="s", reminders_min=[minutes])
        r = server.http.post("/v1/coordinator/series", json=body, headers=h)
        refused(r, "reminders_min.0", "")
    nothing_changed(server, h, client)
    body = dict(GROUP, uid="s", reminders_min=[20160, 0])
    r = server.http.post("/v1/coordinator/series", json=body, headers=h)
    assert r.status_code == 201 and r.json()["reminders_min"] == [20160, 0]


def test_a_back_dated_advance_notice_for_a_past_session_is_stored_as_after(
    server: Server,
) -> None:
    h, client = setup(server)
    r = client.post(notice(original_start=FRI_20, start=FRI_20, timing="advance",
                           created_at="2026-11-15T12:00:00Z"))  # fmt: skip
    assert r.status_code == 201
    out = r.json()
    assert (out["timing"], out["claimed_timing"]) == ("after", "advance")
    assert out["created_at"] == "2026-11-15T12:00:00Z"  # kept for the record
    [seen] = server.http.get("/v1/coordinator/notices", headers=h).json()
    assert seen["timing"] == "after"
    roster = {"series_uid": "process-group", "original_start": FRI_20,
              "roster": [{"client_id": client.id, "status": "absent"}]}  # fmt: skip
    r = server.http.post("/v1/coordinator/attendance", json=roster, headers=h)
    assert r.json()["recorded"] == {str(client.id): "missed"}  # not excused
    inbox = sign_in(server, "c@example.org").get("/inbox").text
    line = inbox[inbox.index(f'id="notice-{out["id"]}"') :].split("</li>")[0]
    assert "5 days after" in line and "ahead" not in line.split("written")[0]


def test_a_clock_two_hours_behind_or_ahead_does_not_decide_the_timing(server: Server) -> None:
    """The injected server clock plays the true time; the device's Date header and
    created_at say what its wrong clock read."""
    h, client = setup(server)
    server.clock.now = FROZEN_NOW.replace(day=27, hour=23, minute=0) + timedelta(hours=1)
    behind = server.clock.now - timedelta(hours=2)  # the device thinks the session is ahead
    late = notice(original_start=FRI_27, start=FRI_27, timing="advance",
                  created_at=behind.isoformat())  # fmt: skip
    r = server.http.post("/v1/notices", json=late,
                         headers={**client.headers, "Date": http_date(behind)})  # fmt: skip
    assert (r.json()["timing"], r.json()["clock_offset_s"]) == ("after", -7200)

    sam = server.enrol("Sam", "Evening IOP")
    server.clock.now = FROZEN_NOW.replace(day=30, hour=22, minute=0)  # Mon, an hour before
    ahead = server.clock.now + timedelta(hours=2)  # the device thinks it is over
    early = notice(original_start="2026-11-30T23:00:00Z", timing="after",
                   created_at=ahead.isoformat())  # fmt: skip
    r = server.http.post("/v1/notices", json=early,
                         headers={**sam.headers, "Date": http_date(ahead)})  # fmt: skip
    assert (r.json()["timing"], r.json()["clock_offset_s"]) == ("advance", 7200)

    inbox = sign_in(server, "c@example.org").get("/inbox").text
    assert "device clock 2 h behind" in inbox and "device clock 2 h ahead" in inbox
    assert "1 h after" in inbox and "1 h ahead" in inbox
    assert h


def test_a_notice_naming_no_session_is_a_422_and_the_title_comes_from_the_schedule(
    server: Server,
) -> None:
    h, client = setup(server)
    cases = {
        "this session is not on your program's schedule": notice(series_uid="nope"),
        "Process Group has no session at that time": notice(
            original_start="2026-12-01T23:00:00Z", title="=1+1"),  # a Tuesday
        "within a year": notice(original_start="2028-11-27T23:00:00Z"),
    }  # fmt: skip
    for words, body in cases.items():
        r = client.post(body)
        assert r.status_code == 422 and words in r.json()["detail"], r.text
    assert server.http.get("/v1/notices", headers=client.headers).json()["notices"] == []
    r = client.post(notice(title="=1+1"))
    assert r.status_code == 201 and r.json()["title"] == "Process Group"
    [seen] = server.http.get("/v1/coordinator/notices", headers=h).json()
    assert seen["title"] == "Process Group"
    csv_text = sign_in(server, "c@example.org").get("/export/notices.csv").text
    assert "=1+1" not in csv_text and "Process Group" in csv_text


def test_a_cancelled_session_takes_no_notice(server: Server) -> None:
    h, client = setup(server)
    r = server.http.post("/v1/coordinator/series/process-group/cancel",
                         json={"original_start": FRI_27}, headers=h)  # fmt: skip
    assert r.status_code == 200
    r = client.post(notice(original_start=FRI_27))
    assert r.status_code == 422 and "cancelled" in r.json()["detail"]


def test_impossible_coordinator_actions_are_a_422(server: Server) -> None:
    h, client = setup(server)
    sent = notice()
    assert client.post(sent).status_code == 201
    reply = f"/v1/coordinator/notices/{sent['id']}/reply"
    slot = {"start": "2020-03-02T23:00:00Z", "end": "2020-03-03T00:00:00Z"}
    r = server.http.post(reply, json={"makeup": slot}, headers=h)
    assert r.status_code == 422 and "in the future" in r.json()["detail"]
    far = {"start": "2030-03-04T23:00:00Z", "end": "2030-03-05T00:00:00Z"}
    assert server.http.post(reply, json={"makeup": far}, headers=h).status_code == 422
    soon = {"start": "2026-12-02T23:00:00Z", "end": "2026-12-02T22:00:00Z"}  # ends first
    assert server.http.post(reply, json={"makeup": soon}, headers=h).status_code == 422
    link = dict(soon, end="2026-12-03T00:00:00Z", join_url="javascript:alert(1)")
    refused(server.http.post(reply, json={"makeup": link}, headers=h), "makeup.join_url",
            "https:// or http://")  # fmt: skip
    assert client.poll() == []  # no reply went out

    ahead = {
        "series_uid": "process-group",
        "original_start": "2026-12-04T23:00:00Z",
        "roster": [{"client_id": client.id, "status": "attended"}],
    }  # 9 days ahead
    r = server.http.post("/v1/coordinator/attendance", json=ahead, headers=h)
    assert r.status_code == 422 and "once the session has started" in r.json()["detail"]

    past = dict(ahead, original_start=FRI_20)
    assert server.http.post("/v1/coordinator/attendance", json=past, headers=h).status_code == 200
    r = server.http.post("/v1/coordinator/series/process-group/cancel",
                         json={"original_start": FRI_20}, headers=h)  # fmt: skip
    assert r.status_code == 422 and "attendance recorded" in r.json()["detail"]
    [kept] = server.http.get("/v1/coordinator/series", headers=h).json()
    assert kept["overrides"] == []


def test_links_are_https_or_http_only(server: Server) -> None:
    h, client = setup(server)
    for link in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                 "https://bank.example@evil.example/", "https://a b", "ftp://x.org/"):  # fmt: skip
        r = server.http.post("/v1/coordinator/series",
                             json=dict(GROUP, uid="s", join_url=link), headers=h)  # fmt: skip
        refused(r, "join_url", "https:// or http://")
        material = {"series_uid": "process-group", "original_start": FRI_27, "title": "Notes",
                    "url": link}  # fmt: skip
        r = server.http.post("/v1/coordinator/materials", json=material, headers=h)
        refused(r, "url", "https:// or http://")
    nothing_changed(server, h, client)
    feed = server.http.get(client.enrolled["feed_url"]).text
    assert "javascript:" not in feed


def test_control_characters_and_numbers_as_times_are_a_422(server: Server) -> None:
    h, client = setup(server)
    for body, field in ((notice(created_at=0), "created_at"),
                        (notice(created_at="1700000000"), "created_at"),
                        (notice(original_start="2026-11-30 23:00:00Z"), "original_start"),
                        (notice(message="bell\x07"), "message"),
                        (notice(title="two\nlines"), "title"),
                        (notice(makeup="true"), "makeup")):  # fmt: skip
        refused(client.post(body), field, "")
    r = server.http.post("/v1/coordinator/series", json=dict(GROUP, uid="s", title="a\x1bb"),
                         headers=h)  # fmt: skip
    refused(r, "title", "control characters")
    assert server.http.get("/v1/notices", headers=client.headers).json()["notices"] == []


def test_dates_and_ranges_of_exports_and_filters_are_a_4xx(server: Server) -> None:
    setup(server)
    browser = sign_in(server, "c@example.org")
    for path in ("/export/notices.csv?from=1900-01-01&to=9999-12-31",
                 "/export/attendance.csv?from=0001-01-01&to=9999-12-31",
                 "/export/notices.csv?from=2026-12-01&to=2026-11-01",
                 "/export/attendance.csv?from=yesterday",
                 "/inbox?from=0001-01-01", "/inbox?to=9999-12-31",
                 "/inbox?client=99999999999999999999", "/attendance?week=9999-12-31",
                 "/attendance?week=10000-01-01"):  # fmt: skip
        r = browser.get(path)
        assert r.status_code == 422, (path, r.status_code)
        assert (
            "between 1900-01-01 and 2200-12-31" in r.text
            or "YYYY-MM-DD" in r.text
            or ("comes after" in r.text or "not a client" in r.text)
        ), path
    for path in ("/attendance/roster?series=process-group&start=9999-12-31T23:59:59%2B00:00",
                 "/attendance/roster?series=process-group&start=2026-11-30",
                 "/clients/99999999999999999999"):  # fmt: skip
        assert browser.get(path).status_code == 404, path
    ok = browser.get("/export/notices.csv?from=2026-11-01&to=2026-11-30")
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/csv")


def test_cursors_and_methods_match_the_schema(server: Server) -> None:
    _, client = setup(server)
    r = server.http.get("/v1/changes", params={"since": "9" * 19}, headers=client.headers)
    refused(r, "since", "")
    r = server.http.get("/v1/changes", params={"since": "9" * 18}, headers=client.headers)
    assert r.status_code == 400  # a cursor this server never gave
    spec = server.http.get("/openapi.json").json()
    [since] = spec["paths"]["/v1/changes"]["get"]["parameters"]
    assert re.fullmatch(since["schema"]["pattern"], "9" * 18)
    assert not re.fullmatch(since["schema"]["pattern"], "9" * 19)
    for method, path, allow in (
        ("OPTIONS", "/v1/notices", "GET, POST"),
        ("DELETE", "/v1/notices", "GET, POST"),
        ("OPTIONS", "/v1/coordinator/series/x", "PUT, DELETE"),
    ):
        r = server.http.request(method, path)
        assert (r.status_code, r.headers.get("allow")) == (405, allow)


# -- helpers ---------------------------------------------------------------------------


def http_date(moment: Any) -> str:
    from email.utils import format_datetime

    return format_datetime(moment, usegmt=True)


def sign_in(server: Server, email: str) -> httpx.Client:
    """A browser-like client signed in to the dashboard of ``server``."""
    browser = httpx.Client(base_url=server.url, timeout=10)
    form = browser.get("/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    r = browser.post("/signin", data={"email": email, "password": "correct horse", "csrf": csrf})
    assert r.status_code == 303, r.text
    return browser
