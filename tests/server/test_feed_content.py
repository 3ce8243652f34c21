"""What a subscribed calendar app reads in a device's feed: discreet when the device (or
its program's default) asks, SEQUENCE and LAST-MODIFIED rising with every change it
should see, and a real consumer (recurring-ical-events) replacing, not duplicating, a
moved or cancelled session after a refetch."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import recurring_ical_events
from icalendar import Calendar

from sync.server import admin
from tests.server.conftest import GROUP, Client, Server, notice

NY = "America/New_York"
PROCESS = dict(GROUP, facilitator="Dr. Ana Rivera")
COUNSELLING = {
    "uid": "counselling-okafor",
    "title": "Individual counselling",
    "kind": "individual",
    "tzid": NY,
    "start_local": "2026-11-03T10:00:00",
    "duration_min": 50,
    "rrule": "FREQ=WEEKLY;BYDAY=TU",
    "join_url": "https://video.example.net/r/8812",
    "facilitator": "Sam Okafor",
}
WORKSHOP = {
    "uid": "relapse-prevention",
    "title": "Relapse Prevention Workshop",
    "kind": "workshop",
    "tzid": NY,
    "start_local": "2026-11-05T17:00:00",
    "duration_min": 90,
    "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=8",
    "join_url": "https://meet.example.org/ws",
    "facilitator": "Lee Moreno",
}
# Every word of the program's name, the series' titles, kinds and facilitators, and the
# words the issue lists; stems match any word they begin ("counsel" in "counselling").
WORDS = ["Evening", "IOP", "Process", "Group", "Individual", "Relapse", "Prevention",
         "Workshop", "Ana", "Rivera", "Sam", "Okafor", "Lee", "Moreno", "educational",
         "companion"]  # fmt: skip
STEMS = ["therap", "counsel", "excus", "attend", "notice", "facilitat"]
MON_30 = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # Process Group, Mon 30 Nov 18:00 NY
WED_2, FRI_4 = datetime(2026, 12, 2, 23, 0, tzinfo=UTC), datetime(2026, 12, 4, 23, 0, tzinfo=UTC)


class Program:
    """Evening IOP with three series on ``server``, its coordinator, an enrolled client."""

    def __init__(self, server: Server, *, discreet_default: bool = False) -> None:
        self.server = server
        admin.create_program(server.engine, "Evening IOP", NY, 0.8, 3, "", server.clock(),
                             discreet_default)  # fmt: skip
        coord = server.coordinator("coord@example.org", "Evening IOP")
        self.h = {"Authorization": f"Bearer {coord}"}
        for series in (PROCESS, COUNSELLING, WORKSHOP):
            assert self.coordinator("POST", "/v1/coordinator/series", json=series).is_success
        self.client = server.enrol("Alex", "Evening IOP")

    def coordinator(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.server.http.request(method, path, headers=self.h, **kwargs)

    def url(self, client: Client | None = None) -> str:
        return httpx.URL((client or self.client).enrolled["feed_url"]).path

    def choose(self, discreet: bool | None, client: Client | None = None) -> dict[str, Any]:
        c = client or self.client
        r = self.server.http.put("/v1/preferences", json={"discreet": discreet}, headers=c.headers)
        assert r.status_code == 200, r.text
        return r.json()

    def fetch(self, client: Client | None = None) -> httpx.Response:
        r = self.server.http.get(self.url(client))
        assert r.status_code == 200, r.text
        return r


def unfolded(content: bytes) -> str:
    """The feed's text with RFC 5545 folding undone (a word may straddle a fold)."""
    return content.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode()


def telltales(text: str) -> list[str]:
    """Each line of ``text`` that holds one of WORDS or STEMS, with the words it holds."""
    out = []
    for line in text.splitlines():
        found = [w for w in WORDS if re.search(rf"\b{w}\b", line, re.IGNORECASE)]
        found += [s for s in STEMS if re.search(rf"\b{s}", line, re.IGNORECASE)]
        if found:
            out.append(f"{'/'.join(found)}: {line}")
    return out


def events(content: bytes, start: datetime, end: datetime) -> list[Any]:
    """The occurrences a consumer (recurring-ical-events) shows between start and end."""
    return list(recurring_ical_events.of(Calendar.from_ical(content)).between(start, end))


def starts(found: list[Any]) -> list[datetime]:
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in found)


def test_a_discreet_feed_names_no_program_session_or_attendance(server: Server) -> None:
    program = Program(server)
    program.client.post(notice(original_start=MON_30.isoformat(), start=MON_30.isoformat()))
    assert program.choose(True)["feed_discreet"] is True
    text = unfolded(program.fetch().content)
    assert telltales(text) == []
    assert "https://meet.example.org/pg" in text  # the join link stays


def test_a_discreet_feed_shows_an_excused_session_as_cancelled(server: Server) -> None:
    program = Program(server)
    program.client.post(notice(original_start=MON_30.isoformat(), start=MON_30.isoformat()))
    program.choose(True)
    found = events(
        program.fetch().content, MON_30 - timedelta(hours=1), MON_30 + timedelta(hours=1)
    )
    shown = [e for e in found if str(e.get("STATUS", "")).upper() != "CANCELLED"]
    assert shown == [], [str(e["SUMMARY"]) for e in shown]
    assert all(not e.walk("VALARM") for e in found)  # no reminder for it either


def test_the_devices_choice_reaches_the_feed_it_renders(server: Server) -> None:
    program = Program(server)
    plain = program.fetch()
    assert b"Evening IOP" in plain.content and b"Dr. Ana Rivera" in plain.content
    program.choose(True)
    discreet = program.fetch()
    cal = Calendar.from_ical(discreet.content)
    masters = [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" not in e]
    assert {str(e["SUMMARY"]) for e in masters} == {"Appointment"}
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "Appointments"
    text = unfolded(discreet.content)
    for gone in ("Evening", "Facilitator", "Ana Rivera", "X-COMPANION", "group therapy"):
        assert gone not in text, gone
    assert "companion" not in str(cal["UID"]).lower()
    assert discreet.headers["content-disposition"] == 'inline; filename="calendar.ics"'
    assert discreet.headers["etag"] != plain.headers["etag"]
    # null: back to the program's default (titles), with an ETag of its own
    program.choose(None)
    again = program.fetch()
    assert b"Process Group (group therapy)" in again.content
    assert again.headers["etag"] not in (plain.headers["etag"], discreet.headers["etag"])


def test_the_etag_changes_with_the_preference_and_only_then(server: Server) -> None:
    program = Program(server)
    other = server.enrol("Sam K.", "Evening IOP")
    first, theirs = program.fetch().headers["etag"], program.fetch(other).headers["etag"]
    cached = {"If-None-Match": first}
    program.choose(False)  # the program's default already: the same content
    assert server.http.get(program.url(), headers=cached).status_code == 304
    program.choose(True)
    changed = server.http.get(program.url(), headers=cached)
    assert changed.status_code == 200
    program.choose(True)  # a repeat changes nothing
    again = {"If-None-Match": changed.headers["etag"]}
    assert server.http.get(program.url(), headers=again).status_code == 304
    # each device has its own feed: another client's ETag never moved
    assert program.fetch(other).headers["etag"] == theirs


def test_a_program_can_make_discreet_its_default(server: Server) -> None:
    program = Program(server, discreet_default=True)
    enrolled = program.client.enrolled
    assert enrolled["program"]["discreet_default"] is True
    assert b"SUMMARY:Appointment" in program.fetch().content  # with no choice made
    own = program.choose(False)  # this device wants titles against the default
    assert own == {"discreet": False, "program_default": True, "feed_discreet": False}
    follower = server.enrol("Sam K.", "Evening IOP")
    assert b"SUMMARY:Appointment" in program.fetch(follower).content
    tags = {c: program.fetch(c).headers["etag"] for c in (program.client, follower)}

    server.clock.advance(timedelta(minutes=1))
    changed = admin.set_program(server.engine, "Evening IOP", server.clock(), discreet=False)
    assert changed["changed"] is True and changed["feeds_changed"] == 1
    assert b"Process Group (group therapy)" in program.fetch(follower).content
    assert program.fetch(follower).headers["etag"] != tags[follower]
    assert program.fetch().headers["etag"] == tags[program.client]  # its own choice stayed
    again = admin.set_program(server.engine, None, server.clock(), discreet=False)
    assert again["changed"] is False and again["feeds_changed"] == 0


def _master(content: bytes, uid: str) -> Any:
    cal = Calendar.from_ical(content)
    return next(e for e in cal.walk("VEVENT") if str(e["UID"]) == uid and "RECURRENCE-ID" not in e)


def test_every_change_a_calendar_should_see_bumps_sequence_and_last_modified(
    server: Server,
) -> None:
    program = Program(server)
    body = dict(PROCESS)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("title", {"title": "Process Group (room B)"}),
        ("time", {"start_local": "2026-11-02T18:30:00"}),
        ("link", {"join_url": "https://meet.example.org/pg-2"}),
        ("reminders", {"reminders_min": [60]}),
        (
            "move",
            {
                "overrides": [
                    {"original_start": "2026-12-02T23:30:00Z", "start": "2026-12-03T23:30:00Z"}
                ]
            },
        ),  # fmt: skip
    ]
    seen = _master(program.fetch().content, "process-group")
    for what, change in steps:
        server.clock.advance(timedelta(minutes=5))
        body.update(change)
        r = program.coordinator("PUT", "/v1/coordinator/series/process-group", json=body)
        assert r.is_success, r.text
        now = _master(program.fetch().content, "process-group")
        assert int(now["SEQUENCE"]) > int(seen["SEQUENCE"]), what
        assert now["LAST-MODIFIED"].dt == server.clock(), what
        seen = now
    server.clock.advance(timedelta(minutes=5))
    cancelled = {"original_start": FRI_4.replace(minute=30).isoformat()}
    r = program.coordinator("POST", "/v1/coordinator/series/process-group/cancel", json=cancelled)
    assert r.is_success, r.text
    now = _master(program.fetch().content, "process-group")
    assert int(now["SEQUENCE"]) > int(seen["SEQUENCE"])
    assert now["LAST-MODIFIED"].dt == server.clock() and "EXDATE" in now
    # removing a series takes it out of the feed (and changes the ETag)
    tag = program.fetch().headers["etag"]
    assert program.coordinator("DELETE", "/v1/coordinator/series/process-group").is_success
    after = program.fetch()
    assert after.headers["etag"] != tag and b"UID:process-group" not in after.content


def test_the_clients_own_excused_marker_bumps_its_override(server: Server) -> None:
    program = Program(server)
    master = _master(program.fetch().content, "process-group")
    server.clock.advance(timedelta(hours=1))
    sent = program.client.post(notice(original_start=MON_30.isoformat(), start=MON_30.isoformat()))
    assert sent.status_code == 201
    cal = Calendar.from_ical(program.fetch().content)
    override = next(e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e)
    assert override["RECURRENCE-ID"].dt.astimezone(UTC) == MON_30
    assert int(override["SEQUENCE"]) > int(master["SEQUENCE"])
    received = datetime.fromisoformat(sent.json()["received_at"]).replace(microsecond=0)
    assert override["LAST-MODIFIED"].dt == received  # when the server received the notice


@pytest.mark.parametrize("discreet", [False, True], ids=["titles", "discreet"])
def test_a_subscribed_consumer_replaces_a_moved_session_and_drops_a_cancelled_one(
    server: Server, discreet: bool
) -> None:
    program = Program(server)
    program.choose(discreet)
    week = (datetime(2026, 11, 30, 5, tzinfo=UTC), datetime(2026, 12, 7, 5, tzinfo=UTC))
    first = program.fetch()
    group_uid = next(
        str(e["UID"]) for e in events(first.content, MON_30, MON_30 + timedelta(hours=1))
    )
    before = [e for e in events(first.content, *week) if str(e["UID"]) == group_uid]
    assert starts(before) == [MON_30, WED_2, FRI_4]
    sequence = int(before[0]["SEQUENCE"])

    server.clock.advance(timedelta(minutes=10))
    moved_to = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # Thu 3 Dec 14:00 in New York
    body = dict(
        PROCESS, overrides=[{"original_start": WED_2.isoformat(), "start": moved_to.isoformat()}]
    )
    assert program.coordinator("PUT", "/v1/coordinator/series/process-group", json=body).is_success
    cancel = {"original_start": FRI_4.isoformat()}
    assert program.coordinator(
        "POST", "/v1/coordinator/series/process-group/cancel", json=cancel
    ).is_success

    # the app revalidates with the ETag it holds, and gets the new calendar
    second = server.http.get(program.url(), headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    after = [e for e in events(second.content, *week) if str(e["UID"]) == group_uid]
    assert starts(after) == [MON_30, moved_to]  # one moved session, not two; none on Friday
    moved = next(e for e in after if e["DTSTART"].dt.astimezone(UTC) == moved_to)
    assert moved["RECURRENCE-ID"].dt.astimezone(UTC) == WED_2  # it replaces that occurrence
    assert int(moved["SEQUENCE"]) > sequence  # apps that cache by SEQUENCE take it
    # UIDs are stable from one fetch to the next (discreet ones too), so nothing duplicates
    uids = {str(e["UID"]) for e in Calendar.from_ical(first.content).walk("VEVENT")}
    assert uids == {str(e["UID"]) for e in Calendar.from_ical(second.content).walk("VEVENT")}
