"""The SVG pictures: points match the figures, the threshold line sits at the policy's
height, empty weeks leave gaps, names are escaped."""

from __future__ import annotations

import re

from sync.server.web.charts import HEIGHT, PAD, Week, line_chart, points, sparkline, y_of


def test_points_match_the_figures_and_the_threshold_is_at_the_policy() -> None:
    weeks = [Week("07 Sep", 1.0), Week("14 Sep", 0.0), Week("21 Sep", 2 / 3)]
    svg = line_chart("Jordan R.", weeks, 0.8)
    assert [y for _, y in points(weeks)] == [PAD, HEIGHT - PAD, y_of(2 / 3)]
    ty = y_of(0.8)
    assert f'y1="{ty}" y2="{ty}"' in svg
    assert svg.count('class="week"') == 3
    assert 'role="img"' in svg and "viewBox=" in svg and "width:100%" in svg
    assert "07 Sep: 100%; 14 Sep: 0%; 21 Sep: 67%" in svg
    assert "against the 80% policy" in svg


def test_empty_weeks_and_a_client_added_mid_period_leave_gaps() -> None:
    weeks = [Week("07 Sep", None), Week("14 Sep", None), Week("21 Sep", 1.0), Week("28 Sep", 0.5)]
    svg = line_chart("Sam K.", weeks, 0.8)
    assert svg.count('class="week"') == 2
    assert "07 Sep: no sessions" in svg
    none = line_chart("Lee M.", [Week("07 Sep", None)], 0.8)
    assert "<polyline" not in none and 'class="week"' not in none


def test_names_are_escaped() -> None:
    svg = sparkline('<script>"x"</script>', [Week("07 Sep", 1.0)], 0.9)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert re.search(r'aria-label="[^"]*&quot;x&quot;', svg)
    assert 'class="sparkline"' in svg and "90% policy" in svg
