"""Filling a DataTable so a reload keeps the user's place.

A reload after a mark (or a change from elsewhere) usually brings the same rows with a
cell or two changed. Clearing and re-adding them would put the cursor back on row 1 and
fire a highlight for it, so the next key would act on the wrong row. Instead the cells
that changed are updated in place; only a different set of rows rebuilds the table, with
the cursor put back on the row it was on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable

Row = tuple[str, Sequence[Any]]  # (row key, cells)


def row_keys(table: DataTable[Any]) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


def cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, if the table has rows."""
    if not table.row_count:
        return None
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def fill_table(table: DataTable[Any], rows: Sequence[Row], keep: str | None = None) -> None:
    """Show ``rows``; the cursor stays on ``keep`` (default: the row it is on)."""
    keys = [key for key, _ in rows]
    if keys == row_keys(table):
        columns = [column.key for column in table.ordered_columns]
        for key, cells in rows:
            for column, new, old in zip(columns, cells, table.get_row(key), strict=True):
                if new != old:
                    table.update_cell(key, column, new, update_width=True)
        if keep in keys and keep != cursor_key(table):
            table.move_cursor(row=keys.index(keep), scroll=True)
        return
    keep = keep if keep is not None else cursor_key(table)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if keep in keys:
        table.move_cursor(row=keys.index(keep), scroll=True)


def is_current(event: DataTable.RowHighlighted) -> bool:
    """False for a highlight the cursor has already moved past (a rebuild posts one for
    row 1 before the cursor is put back): acting on it would select the wrong row."""
    return event.cursor_row == event.data_table.cursor_row
