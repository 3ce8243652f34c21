"""The client keeps links https/http only where it takes them in, too (issue 10): a series
of the client's own with a ``javascript:`` join link is one line and exit 2, nothing saved."""

from __future__ import annotations

from tests.conftest import run_cli


def test_a_series_with_a_script_link_is_refused_by_the_cli() -> None:
    done = run_cli("series", "add", "--title", "Mine", "--start", "2026-12-01 18:00",
                   "--join", "javascript:alert(1)")  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        "the join link must be an https:// or http:// link, not 'javascript:alert(1)'"
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Mine" not in run_cli("series", "list").stdout
    ok = run_cli("series", "add", "--title", "Mine", "--start", "2026-12-01 18:00",
                 "--join", "https://meet.example.org/mine")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
