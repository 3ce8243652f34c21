"""The words an exported event carries, and how an import tells them from the program's.

An event's DESCRIPTION is the program's own text, verbatim (Zoom passcode, dial-in
numbers, "bring your diary card"), with our lines added after it: the join link when
the text lacks it, and the before-session list. A series of the client's own has no
program text: a summary line, the join link and the facilitator come first instead.
Discreet text names nothing: the join link, the meeting ID and passcode lines of the
program's text, and a short list.

:func:`program_text` undoes :func:`description` on import, so exporting and importing
again keeps the program's text as it was and never piles our lines up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from companion.domain.meeting import access_lines
from companion.domain.schedule import Kind

NEUTRAL_TITLE = "Appointment"
NEUTRAL_CALENDAR = "Appointments"
EXCUSED = "Excused: notice sent"
BEFORE_SESSION = (
    "Test your camera and microphone",
    "Find a quiet, private space",
    "Have your notes from last time at hand",
)
BEFORE_DISCREET = ("Test your camera and microphone", "Find a quiet, private space")
_BEFORE = "Before the session:"
_BEFORE_DISCREET = "Before:"
_JOIN = "Join: "
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _block(head: str, items: tuple[str, ...]) -> str:
    return "\n".join([head, *(f"- {item}" for item in items)])


OUR_BLOCKS = (_block(_BEFORE, BEFORE_SESSION), _block(_BEFORE_DISCREET, BEFORE_DISCREET))


@dataclass(frozen=True, slots=True)
class Wording:
    """How one export words its events: discreet or not, with join links or not."""

    program: str = ""
    discreet: bool = False
    links: bool = True

    def summary(self, title: str, kind: Kind) -> str:
        if self.discreet:
            return NEUTRAL_TITLE
        return title if kind.label in title.lower() else f"{title} ({kind.label})"

    def description(
        self, title: str, kind: Kind, join_url: str, facilitator: str, program_text: str
    ) -> str:
        """The DESCRIPTION of an event (see the module's docstring)."""
        url = join_url if self.links else ""
        if self.discreet:
            lines = [f"{_JOIN}{url}"] if url else []
            lines += list(access_lines(program_text)) if self.links else []
            return "\n\n".join(p for p in ("\n".join(lines), OUR_BLOCKS[1]) if p)
        if program_text:  # our lines in a paragraph of their own after the program's
            ours = [f"{_JOIN}{url}"] if url and url not in program_text else []
            if facilitator and "facilitator:" not in program_text.lower():
                ours.append(f"Facilitator: {facilitator}")
            return f"{program_text}\n\n" + "\n".join([*ours, OUR_BLOCKS[0]])
        head = [f"{title}: {kind.label}" + (f", {self.program}" if self.program else "")]
        head += [f"{_JOIN}{url}"] if url else []
        head += [f"Facilitator: {facilitator}"] if facilitator else []
        return "\n".join(head) + "\n\n" + OUR_BLOCKS[0]

    def alarm(self, summary: str, offset: timedelta) -> str:
        return f"{summary} in {in_words(offset)}" if offset else f"{summary} now"


def in_words(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes" if minutes != 1 else "1 minute"


def clean(text: str) -> str:
    """Text as a series keeps it: line ends as ``\\n``, no trailing blank lines or spaces,
    no control characters but tab and newline."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.rstrip().lstrip("\n")


def program_text(text: str, title: str = "", kind: Kind | None = None) -> str:
    """The program's own part of an event's DESCRIPTION: the text less the paragraph our
    export adds after it (:meth:`Wording.description`); a description we did not write,
    as it is."""
    body = clean(text)
    if body.startswith(f"{EXCUSED}.\n\n"):
        body = body.removeprefix(f"{EXCUSED}.\n\n")
    block = next((b for b in OUR_BLOCKS if body == b or body.endswith("\n" + b)), None)
    if block is None:
        return body
    before = body[: -len(block)]
    if block == OUR_BLOCKS[1]:  # discreet: the join link, the meeting ID and passcode lines
        return "\n".join(line for line in before.split("\n") if line and not line.startswith(_JOIN))
    if before and not before.endswith(
        "\n\n"
    ):  # then our join link and facilitator lines precede it
        head, apart, paragraph = before.rstrip("\n").rpartition("\n\n")
        ours = paragraph.split("\n")
        if not apart or not all(line.startswith((_JOIN, "Facilitator: ")) for line in ours):
            return body  # the program's own text happens to end like our list
        before = head
    rest = before.strip("\n")
    first, *others = rest.split("\n") if rest else [""]
    if kind is not None and first.startswith(f"{title}: {kind.label}"):
        if all(line.startswith((_JOIN, "Facilitator: ")) for line in others):
            return ""  # the summary we write for a series with no program text
    return rest
