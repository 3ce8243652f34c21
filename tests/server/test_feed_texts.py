"""The feed says what the program wrote: its own description (verbatim, our lines apart),
its place, and a session's own title and end on the same slot (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from tests.server.conftest import GROUP, Server

TEXT = "Bring your diary card.\nMeeting ID: 855 5123 4567\nPasscode: 246810"


def test_feed_keeps_the_program_text_and_a_session_of_its_own(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    body = dict(GROUP, description=TEXT, location="Zoom", overrides=[{
        "original_start": "2026-11-30T23:00:00Z", "end": "2026-12-01T01:00:00Z",
        "title": "Process Group – guest speaker", "join_url": "https://zoom.us/j/2",
    }])  # fmt: skip
    made = server.http.post("/v1/coordinator/series", json=body,
                            headers={"Authorization": f"Bearer {coord}"})  # fmt: skip
    assert made.status_code == 201, made.text
    client = server.enrol("Alex", program)
    (series,) = client.enrolled["schedule"]  # what the client's store receives
    assert (series["description"], series["location"]) == (TEXT, "Zoom")
    assert series["overrides"][0]["title"] == "Process Group – guest speaker"
    cal = Calendar.from_ical(server.http.get(client.enrolled["feed_url"]).content)
    master, override = sorted(cal.walk("VEVENT"), key=lambda e: "RECURRENCE-ID" in e)
    assert str(master["DESCRIPTION"]).startswith(TEXT + "\n\n")
    assert "Before the session:" in str(master["DESCRIPTION"])
    assert str(master["LOCATION"]) == "Zoom" and str(master["URL"]) == GROUP["join_url"]
    assert override["RECURRENCE-ID"].dt.astimezone(UTC) == datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert override["DTSTART"].dt.astimezone(UTC) == datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert override["DTEND"].dt.astimezone(UTC) == datetime(2026, 12, 1, 1, tzinfo=UTC)
    assert str(override["SUMMARY"]) == "Process Group – guest speaker (group therapy)"
    assert str(override["URL"]) == "https://zoom.us/j/2"


def test_a_bad_override_is_a_422_not_a_500(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    h = {"Authorization": f"Bearer {coord}"}
    for bad in ({"title": "x\x07"}, {"end": "2026-11-30T22:00:00Z"}, {"join_url": "ftp://x"}):
        body = dict(GROUP, overrides=[{"original_start": "2026-11-30T23:00:00Z", **bad}])
        r = server.http.post("/v1/coordinator/series", json=body, headers=h)
        assert r.status_code == 422, (bad, r.status_code, r.text)
