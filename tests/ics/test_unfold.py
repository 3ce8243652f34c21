"""Reading bytes as programs write them: unfolded by octets, then decoded; line numbers of
errors counted in the file as it is; our own lines told apart from the program's text."""

from __future__ import annotations

import pytest

from companion.domain.schedule import Kind
from companion.ics import IcsError, import_calendar
from companion.ics.text import Wording, program_text
from companion.ics.unfold import unfold

TITLE = "Achtsamkeit – Gruppe für Ängste 🌱 und Gespräche über Rückfälle"


def folded(line: str, width: int = 75) -> bytes:
    raw = line.encode()
    parts = [raw[:width]] + [
        b" " + raw[i : i + width - 1] for i in range(width, len(raw), width - 1)
    ]
    return b"\r\n".join(parts)


def calendar(*lines: bytes, eol: bytes = b"\r\n") -> bytes:
    head = [b"BEGIN:VCALENDAR", b"VERSION:2.0", b"PRODID:-//t//EN", b"BEGIN:VEVENT", b"UID:u1",
            b"DTSTAMP:20261101T000000Z", b"DTSTART;TZID=Europe/Berlin:20261201T180000"]  # fmt: skip
    return eol.join([*head, *lines, b"END:VEVENT", b"END:VCALENDAR", b""])


@pytest.mark.parametrize("eol", [b"\r\n", b"\n"])
def test_a_fold_inside_a_character_is_read(eol: bytes) -> None:
    summary = folded("SUMMARY:" + TITLE, 20)  # every few octets, inside ä, ü, 🌱 ...
    data = calendar(summary.replace(b"\r\n", eol), eol=eol)
    assert any(not _ok(line) for line in data.split(eol)), "the test needs a split character"
    (series,) = import_calendar(data).series
    assert series.title == TITLE


def _ok(line: bytes) -> bool:
    try:
        line.decode()
    except UnicodeDecodeError:
        return False
    return True


def test_not_utf8_names_the_byte_in_the_file() -> None:
    data = calendar(b"SUMMARY:caf\xe9")
    with pytest.raises(IcsError) as err:
        import_calendar(data)
    assert str(err.value) == (
        f"not UTF-8 text (byte {data.index(b'caf') + 3}): is this an .ics file?"
    )


def test_line_numbers_count_physical_lines() -> None:
    data = calendar(folded("DESCRIPTION:" + "x" * 200), b"DTEND;TZID=Europe/Berlin:2026120XT1900")
    with pytest.raises(IcsError) as err:
        import_calendar(data)
    assert str(err.value).startswith("line 11: event 'u1': bad DTEND")


def test_unfold_keeps_first_line_numbers_and_drops_blank_lines() -> None:
    assert unfold(b"A:1\r\n b\r\n\r\nC:2\n\td\n") == [(1, "A:1b"), (4, "C:2d")]
    assert unfold("\ufeffA:é\r\n") == [(1, "A:é")]


def test_program_text_and_our_lines_are_kept_apart() -> None:
    program = "Bring your diary card.\nZoom: https://zoom.us/j/1\n\nPasscode: 246810"
    for discreet in (False, True):
        for links in (False, True):
            words = Wording("Evening IOP", discreet, links)
            ours = words.description("Process Group", Kind.GROUP, "https://zoom.us/j/1", "Ana",
                                     program)  # fmt: skip
            expected = ("Passcode: 246810" if links else "") if discreet else program
            assert program_text(ours, "Process Group", Kind.GROUP) == expected, (discreet, links)
    # a series of the client's own: all of its description is ours
    words = Wording("Evening IOP")
    ours = words.description("Skills", Kind.WORKSHOP, "https://meet.example.org/s", "Jo", "")
    assert program_text(ours, "Skills", Kind.WORKSHOP) == ""
    # the program's text never loses a line of its own, even one like ours
    theirs = "Join: https://zoom.us/j/1\nBefore the session:\n- stretch"
    assert program_text(theirs) == theirs
    again = words.description("Skills", Kind.WORKSHOP, "https://zoom.us/j/1", "", theirs)
    assert program_text(again, "Skills", Kind.WORKSHOP) == theirs
