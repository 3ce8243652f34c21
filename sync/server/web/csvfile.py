"""CSV that opens cleanly in a spreadsheet: a header row, UTF-8 with a BOM (so Excel reads
accents right), CRLF rows, and no formula injection.

A cell a client typed that starts with ``= + - @`` (or a tab or carriage return) would run
as a formula in Excel, LibreOffice and Google Sheets; such cells get a leading apostrophe,
the OWASP-recommended escape, which spreadsheets show as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text that a spreadsheet never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The whole file: BOM, header row, one escaped row per item."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
