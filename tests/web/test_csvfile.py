"""CSV cells a spreadsheet would run as formulas are escaped; the file has a header."""

from __future__ import annotations

import csv
import io

import pytest

from sync.server.web.csvfile import csv_bytes, safe_cell


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_formula_cells_are_escaped(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("plain", ["Shift moved", "", "a=b", "1-2", "café ☕"])
def test_plain_cells_pass_through(plain: str) -> None:
    assert safe_cell(plain) == plain


def test_file_reads_back_with_header_and_escaped_cells() -> None:
    data = csv_bytes(["client", "message", "makeup"], [['Jo, "R"', "=cmd|' /C calc'!A0", True]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["client", "message", "makeup"], ['Jo, "R"', "'=cmd|' /C calc'!A0", "yes"]]
    assert b"\r\n" in data
