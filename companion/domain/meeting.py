"""What a client needs next to the join link, read from a program's invite text: the
meeting ID and passcode lines of Zoom, Teams, Webex and Meet invitations.

Pure text, so the app's screens can show them without loading the iCalendar layer, and a
discreet export can keep them (they name no treatment) while leaving the rest out.
"""

from __future__ import annotations

import re

_LABEL = re.compile(
    r"^\s*(?P<label>(?:meeting|webinar)\s+(?:id|number|password|passcode)(?:\s*\([^)]*\))?"
    r"|passcode|password|pass\s*code|access\s+code|meeting\s+id)\s*:\s*(?P<value>\S.*?)\s*$",
    re.IGNORECASE,
)
# Bidi marks Google wraps around numbers (U+202A..U+202E, U+200E, U+200F, U+2066..U+2069).
_MARKS = dict.fromkeys([*range(0x202A, 0x202F), 0x200E, 0x200F, *range(0x2066, 0x206A)])
_TAG = re.compile(r"<[^>]*>")
MAX_VALUE = 40


def access_lines(description: str) -> tuple[str, ...]:
    """The meeting ID and passcode lines of an invite (each once, in the invite's order),
    as "Meeting ID: 855 5123 4567" and "Passcode: 246810"."""
    found: list[str] = []
    text = _TAG.sub("\n", description.replace("<br>", "\n")) if "<" in description else description
    for raw in text.translate(_MARKS).splitlines():
        match = _LABEL.match(raw)
        if match is None or len(match["value"]) > MAX_VALUE:
            continue
        label = " ".join(match["label"].split())
        line = f"{label[0].upper()}{label[1:]}: {match['value']}"
        if line not in found:
            found.append(line)
    return tuple(found)
