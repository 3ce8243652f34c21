"""The one join-link finder: which URL of an invite opens the session.

Invites carry many links. Teams puts "Need help?" (aka.ms/JoinTeamsMeeting) before the
meeting link; Google adds "Learn more about Meet" and a page of phone numbers; Zoom a
"find your local number" page; every provider links its help, dial-in and options pages,
and mailing tools an unsubscribe link. The finder prefers, in order: the provider's own
property (Teams' ``X-MICROSOFT-SKYPETEAMSMEETINGURL``, Google's ``X-GOOGLE-CONFERENCE``,
RFC 7986 ``CONFERENCE``), then ``URL`` and ``LOCATION``, then the description; and in each
of them a known provider's meeting link over any other https link. Help, dial-in, options
and unsubscribe links are never taken, and a plain link in the description only when its
line speaks of joining (a handout link is not a join link).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

URL = re.compile(r"https?://[^\s<>\"'\]\[]+", re.IGNORECASE)
# Redirects that carry the real link in a parameter: Outlook's Safe Links, Google's /url.
WRAPPERS = (
    (re.compile(r"^https://[\w-]+\.safelinks\.protection\.outlook\.com/", re.IGNORECASE), "url"),
    (re.compile(r"^https://www\.google\.com/url\?", re.IGNORECASE), "q"),
)
_TRAILING = ".,;:)>*!"


@dataclass(frozen=True, slots=True)
class Provider:
    """A video provider: its meeting links, and its links that are not meetings."""

    name: str
    meeting: re.Pattern[str]
    other: re.Pattern[str] | None = None


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


PROVIDERS = (
    Provider(
        "Zoom",
        _p(r"^https://([\w-]+\.)*(zoom\.us|zoomgov\.com)/(j|w|s|my|wc/join)/"),
        _p(r"^https://([\w-]+\.)*(zoom\.us|zoomgov\.com)/(u|download|test|support|signin)\b"),
    ),
    Provider(
        "Microsoft Teams",
        _p(r"^https://teams\.(microsoft|live)\.com/(l/meetup-join|meet)/"),
        _p(
            r"^https://(aka\.ms|go\.microsoft\.com|dialin\.teams\.microsoft\.com)/"
            r"|^https://teams\.microsoft\.com/meetingOptions"
        ),  # fmt: skip
    ),
    Provider(
        "Google Meet",
        _p(r"^https://meet\.google\.com/[a-z]{3,4}-?[a-z]{4}-?[a-z]{3,4}\b"),
        _p(r"^https://(tel\.meet|support\.google\.com|meet\.google\.com/tel)/"),
    ),
    Provider(
        "Webex",
        _p(r"^https://[\w-]+\.webex\.com/([\w-]+/)?(j\.php|meet/|join/|wbxmjs/joinservice)"),
        _p(r"^https://(help|www)\.webex\.com/|^https://[\w-]+\.webex\.com/.*globalcallin"),
    ),
    Provider(
        "Whereby",
        _p(r"^https://([\w-]+\.)?whereby\.com/(?!information|user|org|pricing)[\w-]+/?(\?|$)"),
    ),
    Provider("Doxy.me", _p(r"^https://(www\.)?doxy\.me/(?!en/|help|sign-?in)[\w.-]+/?(\?|$)")),
)
# Links that are never a way into a session, from any site.
NOT_A_MEETING = _p(
    r"unsubscribe|opt-?out|/help\b|//help\.|//support\.|/support\b|privacy|/terms\b"
    r"|dial-?in|callin|/tel/|//tel\.|calendar\.google\.com/calendar/(event|r)|google\.com/maps"
    r"|maps\.apple\.com|accounts\.google\.com|login\.microsoftonline\.com"
)
# Words on a description's line that mark its link as help or a phone number page.
HELP_WORDS = _p(r"need help|learn more|help|local number|phone numbers|dial|meeting options|"
                r"unsubscribe|reset .*pin|troubleshoot")  # fmt: skip
JOIN_WORDS = _p(r"join|meeting|video|\bcall\b|\broom\b|telehealth|virtual|session link"
                r"|zoom|teams|webex|whereby|doxy")  # fmt: skip


def provider_of(url: str) -> str | None:
    """The provider whose meeting link ``url`` is, or None."""
    return next((p.name for p in PROVIDERS if p.meeting.search(url)), None)


def is_meeting_link(url: str) -> bool:
    """True unless ``url`` is a provider's help/dial-in/options page or such a page anywhere."""
    if provider_of(url) is not None:
        return True
    if any(p.other is not None and p.other.search(url) for p in PROVIDERS):
        return False
    return NOT_A_MEETING.search(url) is None


def urls_in(text: str) -> list[str]:
    """The http(s) links of ``text``, trailing punctuation and HTML entities cleaned, and a
    link that Outlook's Safe Links or Google wrapped, unwrapped."""
    found = []
    for match in URL.finditer(text):
        found.append(_unwrap(match.group(0).replace("&amp;", "&").rstrip(_TRAILING)))
    return found


def _unwrap(url: str) -> str:
    for wrapper, param in WRAPPERS:
        if wrapper.match(url):
            inner = parse_qs(urlsplit(url).query).get(param, [""])[0]
            return inner if URL.fullmatch(inner) else url
    return url


def join_link(
    provider_values: Iterable[str] = (),
    place_values: Iterable[str] = (),
    description: str = "",
) -> str:
    """The link that joins the session, or "" when the invite has none.

    ``provider_values``: the provider's own properties, strongest first; ``place_values``:
    URL and LOCATION; ``description``: the invite text.
    """
    sources = [
        [u for value in provider_values for u in urls_in(value)],
        [u for value in place_values for u in urls_in(value)],
        _description_links(description),
    ]
    for source in sources:  # a known provider's meeting link, nearest source first
        found = next((u for u in source if provider_of(u) is not None), None)
        if found:
            return found
    for source in sources:
        found = next((u for u in source if is_meeting_link(u)), None)
        if found:
            return found
    return ""


def _description_links(description: str) -> list[str]:
    """The description's candidate links: a provider's meeting link anywhere, another link
    only when its line (or the line before) speaks of joining and not of help."""
    out: list[str] = []
    lines = description.replace("\r", "").split("\n")
    for n, line in enumerate(lines):
        for url in urls_in(line):
            label = URL.sub(" ", line)
            if provider_of(url) is not None:
                out.append(url)
            elif HELP_WORDS.search(label):
                continue
            elif JOIN_WORDS.search(label) or (
                not label.strip() and n and JOIN_WORDS.search(URL.sub(" ", lines[n - 1]))
            ):
                out.append(url)
    return out
