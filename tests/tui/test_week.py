"""Week-view titles in narrow day columns: broken between words, never mid-word."""

from __future__ import annotations

from companion.tui.widgets.week import title_lines


def test_titles_break_between_words_and_end_in_an_ellipsis() -> None:
    assert title_lines("Process Group", 8) == ["Process", "Group"]
    assert title_lines("Individual counselling", 8) == ["Individ…", "counsel…"]
    assert title_lines("Coping Skills workshop", 8) == ["Coping", "Skills …"]
    assert title_lines("Process Group", 20) == ["Process Group"]
    assert all(len(line) <= 6 for line in title_lines("A very long title indeed", 6))
