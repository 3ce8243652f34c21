"""What a session's detail shows beside its time: the passcode, the place, the program's
own description (verbatim, never replaced) and the day's notes; our before-session list
is added apart, under its own heading."""

from __future__ import annotations

import re
from datetime import date

from textual.geometry import Size
from textual.markup import escape

from companion.actions.today import BEFORE_SESSION
from companion.domain.meeting import access_lines
from companion.domain.notes import DayNote
from companion.domain.schedule import Occurrence

_DIAL = re.compile(r"^\s*[+•]|dial|phone|tap mobile", re.IGNORECASE)


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def access_line(occ: Occurrence) -> str:
    """'Meeting ID: 855 5123 4567 · Passcode: 246810', or ''."""
    return " · ".join(access_lines(occ.description))


def description_lines(text: str, most: int | None = None) -> list[str]:
    """The program's text as lines (blank runs kept to one), at most ``most`` of them,
    the last saying how many more there are."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    while lines and not lines[-1].strip():
        lines.pop()
    if most is not None and len(lines) > most:
        more = len(lines) - most + 1
        lines = [*lines[: most - 1], f"… {more} more lines"]
    return lines


def preview_lines(occ: Occurrence, most: int) -> list[str]:
    """The first ``most`` lines of the program's text worth a glance in the session panel:
    not the decoration, links, dial-in numbers or passcode lines (the panel shows the
    passcode apart; the details dialog shows everything)."""
    shown = set(access_lines(occ.description))
    lines = [
        line.strip()
        for line in description_lines(occ.description)
        if any(c.isalnum() for c in line) and "://" not in line
        and not _DIAL.search(line)
        and not any(line.strip().startswith(a.split(":")[0]) for a in shown)
    ]  # fmt: skip
    if len(lines) > most:
        lines = [*lines[: most - 1], "… (d shows all)"]
    return lines


def note_lines(notes: list[DayNote], day: date | None = None, full: bool = False) -> list[str]:
    """Markup for day notes: 'note Thu 26: No group – Thanksgiving', with the note's own
    text when ``full``."""
    out = []
    for note in notes:
        when = f" {day:%a %d}" if day else ""
        out.append(f"[$warning]note{when}:[/] [i]{escape(note.title)}[/i]")
        if full and note.description:
            out += [f"  {escape(line)}" for line in description_lines(note.description)]
    return out


def session_details(occ: Occurrence, notes: list[DayNote]) -> list[str]:
    """Every detail of one session, as markup lines (the details dialog)."""
    lines = []
    if occ.join_url:
        lines.append(f"join: [u]{escape(occ.join_url)}[/u]")
    if access_line(occ):
        lines.append(escape(access_line(occ)))
    if occ.location:
        lines.append(f"where: {escape(occ.location)}")
    if occ.facilitator:
        lines.append(f"with {escape(occ.facilitator)}")
    if occ.description:
        lines += ["", "[b]From your program[/b]"]
        lines += [escape(line) for line in description_lines(occ.description)]
    lines += ["", "[b]Before the session[/b]"] + [f"- {item}" for item in BEFORE_SESSION]
    if notes:
        lines += ["", *note_lines(notes, full=True)]
    return lines


KEYS = "a attended · m missed · u made up · z clear · n can't make it · e edit · del remove"
NARROW_KEYS = "a attended · m missed · u made up · z clear · e edit · ? all keys"  # fits 80 columns


def panel_lines(occ: Occurrence, notes: list[DayNote], size: Size) -> list[str]:
    """The session panel's lines under the title: the join link on one line (a Teams link
    is 300 characters), the passcode, the place, the start of the program's text when
    there is room (30 rows or more), the day's notes and the keys; ``d`` shows all."""
    link = shorten(occ.join_url, size.width - 10)
    lines = [f"join: [u]{escape(link)}[/u]"] if occ.join_url else []
    if access_line(occ):
        lines.append(escape(access_line(occ)))
    if occ.location:
        lines.append(f"where: {escape(occ.location)}")
    if occ.description and size.height >= 30:
        lines += [f"[dim]{escape(line)}[/]" for line in preview_lines(occ, 4)]
    lines += note_lines(notes)
    more = bool(occ.description or occ.location) or link != occ.join_url
    keys = KEYS if size.width >= 100 else NARROW_KEYS
    lines.append(f"[dim]{keys}" + (" · d details" if more else "") + "[/]")
    return lines
