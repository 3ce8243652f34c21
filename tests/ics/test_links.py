"""The join-link finder on invites as providers write them: the meeting link, never the help,
dial-in, options, handout or unsubscribe link, whatever comes first."""

from __future__ import annotations

import pytest

from companion.domain.meeting import access_lines
from companion.ics.links import join_link, provider_of

TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ab12%40thread.v2/0?context=%7b%7d"
ZOOM = "https://us02web.zoom.us/j/85551234567?pwd=dFh1V2xQbUZ3K1N0ZzZKYk5XTT09"
MEET = "https://meet.google.com/abc-defg-hij"
WEBEX = "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef0123456789abcdef"

# (what the invite has: provider properties, URL/LOCATION, description) -> the join link
CASES = [
    pytest.param(
        (),
        ("Microsoft Teams Meeting",),
        "________________\nMicrosoft Teams Need help?<https://aka.ms/JoinTeamsMeeting?omkt=en-US>\n"
        f"Join the meeting now<{TEAMS}>\nMeeting ID: 283 551 906 417\nPasscode: Xy7Ab9Q2\n"
        "Dial in by phone\n+1 555-010-0199,,482915037# United States\n"
        "Find a local number<https://dialin.teams.microsoft.com/8a2f?id=482915037>\n"
        "For organizers: Meeting options<https://teams.microsoft.com/meetingOptions/?o=1>",
        TEAMS,
        id="teams-help-link-first",
    ),
    pytest.param(
        (TEAMS,), ("Microsoft Teams Meeting",),
        "Need help?<https://aka.ms/JoinTeamsMeeting>", TEAMS, id="teams-property",
    ),
    pytest.param(
        (), ("Microsoft Teams meeting",),
        "Need help?<https://aka.ms/JoinTeamsMeeting?omkt=en-US>\n"
        "Join: https://teams.microsoft.com/meet/2781940563?p=Qk8tRmVsZA\n",
        "https://teams.microsoft.com/meet/2781940563?p=Qk8tRmVsZA", id="teams-new-meet-link",
    ),
    pytest.param(
        (MEET,), ("",),
        "Learn more about Meet at: https://support.google.com/a/users/answer/9282720\n"
        f"Join with Google Meet: {MEET}\n"
        "More phone numbers: https://tel.meet/abc-defg-hij?pin=123",
        MEET, id="google-conference-property",
    ),
    pytest.param(
        (), ("",),
        "Learn more about Meet at: https://support.google.com/a/users/answer/9282720\n"
        "More phone numbers: https://tel.meet/abc-defg-hij?pin=123\n"
        f"Join with Google Meet: {MEET}",
        MEET, id="google-description-only",
    ),
    pytest.param(
        (), (ZOOM,),
        "Weekly: https://us02web.zoom.us/meeting/tZ0sdeuqrT8iE9Kx/ics?icsToken=98ty\n"
        f"Join Zoom Meeting\n{ZOOM}\nFind your local number: https://us02web.zoom.us/u/kbXyZ",
        ZOOM, id="zoom-location",
    ),
    pytest.param(
        (), ("",),
        "Weekly: https://us02web.zoom.us/meeting/tZ0sdeuqrT8iE9Kx/ics?icsToken=98ty\n"
        "Find your local number: https://us02web.zoom.us/u/kbXyZ\n"
        f"Join Zoom Meeting\n{ZOOM}",
        ZOOM, id="zoom-description-after-other-zoom-links",
    ),
    pytest.param(
        (), (WEBEX,),
        "Webex help: https://help.webex.com/en-us/article/nrbgeodb/Join-a-Webex-meeting",
        WEBEX, id="webex-location",
    ),
    pytest.param(
        (), ("Room 2, Northgate Centre",),
        "Slides: https://northgate.example.org/slides\nor join online from home:\n"
        "https://whereby.com/northgate-wellbeing\n"
        "To stop these emails: https://northgate.example.org/unsubscribe?u=1",
        "https://whereby.com/northgate-wellbeing", id="whereby-hybrid",
    ),
    pytest.param(
        (), ("",),
        "Hilfe zur Technik: https://help.doxy.me/de/articles/patient-guide\n"
        "Videosprechstunde: https://doxy.me/drmeier-seeblick",
        "https://doxy.me/drmeier-seeblick", id="doxy-after-its-help-link",
    ),
    pytest.param(
        ("https://meet.google.com/xyz-abcd-efg",), (ZOOM,), "",
        "https://meet.google.com/xyz-abcd-efg", id="provider-property-wins-over-location",
    ),
    pytest.param(
        (), ("https://eveningiop.example.org/info",),
        f"Join: {ZOOM}", ZOOM, id="provider-link-in-text-wins-over-plain-url",
    ),
    pytest.param(
        (), ("",),
        "Join the session: https://video.eveningiop.example.org/room/7\n"
        "Handout: https://docs.example.org/worksheet.pdf",
        "https://video.eveningiop.example.org/room/7", id="generic-join-line",
    ),
    pytest.param(
        (), ("",), "Bring your diary card.\nWorksheet: https://docs.example.org/worksheet.pdf",
        "", id="a-handout-is-not-a-join-link",
    ),
    pytest.param(
        (), ("",),
        'Join <a href="https://zoom.us/j/5550100123?pwd=a&amp;b=c">here</a>.',
        "https://zoom.us/j/5550100123?pwd=a&b=c", id="html-entity-and-trailing-quote",
    ),
    pytest.param(
        (), ("https://meet.example.org/evening-group",), "Join: https://meet.example.org/other",
        "https://meet.example.org/evening-group", id="our-own-export",
    ),
    pytest.param(
        (), ("Microsoft Teams Meeting",),
        "Need help?<https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Faka.ms"
        "%2FJoinTeamsMeeting&data=05%7C02&reserved=0>\nJoin the meeting now<https://nam02."
        "safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2F"
        "meetup-join%2F19%253ameeting_ab12%2540thread.v2%2F0&data=05%7C02&reserved=0>",
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ab12%40thread.v2/0",
        id="outlook-safe-links",
    ),
    pytest.param(
        (), ("",),
        'Join: <a href="https://www.google.com/url?q=https://zoom.us/j/5550100123&sa=D">Zoom</a>',
        "https://zoom.us/j/5550100123", id="google-redirect",
    ),
    pytest.param((), ("",), "", "", id="nothing"),
]  # fmt: skip


@pytest.mark.parametrize(("providers", "places", "description", "wanted"), CASES)
def test_join_link(providers: tuple, places: tuple, description: str, wanted: str) -> None:
    assert join_link(providers, places, description) == wanted


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        (ZOOM, "Zoom"), ("https://acme.zoom.us/my/drrivera", "Zoom"),
        ("https://us02web.zoom.us/u/kbXyZ", None), (TEAMS, "Microsoft Teams"),
        ("https://aka.ms/JoinTeamsMeeting", None), (MEET, "Google Meet"),
        ("https://meet.google.com/tel/abc", None), (WEBEX, "Webex"),
        ("https://acme.webex.com/meet/ana.rivera", "Webex"), ("https://help.webex.com/x", None),
        ("https://whereby.com/evening-iop", "Whereby"),
        ("https://whereby.com/information/help", None), ("https://doxy.me/drrivera", "Doxy.me"),
        ("https://help.doxy.me/en/articles/1", None), ("https://example.org/j/123", None),
    ],
)  # fmt: skip
def test_provider_table(url: str, provider: str | None) -> None:
    assert provider_of(url) == provider


def test_meeting_id_and_passcode_lines() -> None:
    zoom = ("Join Zoom Meeting\nhttps://zoom.us/j/1\n\nMeeting ID: 855 5123 4567\n"
            "Passcode: 246810\n\nDial by your location\nMeeting ID: 855 5123 4567\n"
            "Passcode: 246810\n")  # fmt: skip
    assert access_lines(zoom) == ("Meeting ID: 855 5123 4567", "Passcode: 246810")
    webex = "Meeting number (access code): 2741 908 3355\nMeeting password: Sb2026!"
    assert access_lines(webex) == tuple(webex.splitlines())
    google = "Or dial: \u202a(US) +1 555-010-0163\u202c PIN: \u202a771 204 598\u202c#"
    assert access_lines(google) == ()  # a phone PIN, not the meeting's
    html = "<p>Meeting ID: 123 456<br>passcode: abc</p>"
    assert access_lines(html) == ("Meeting ID: 123 456", "Passcode: abc")
    assert access_lines("Password: " + "x" * 60) == ()  # not a passcode line
