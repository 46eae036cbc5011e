"""Excel workbooks (.xlsx) a spreadsheet opens without changing a single value.

Opening a CSV in Excel or LibreOffice turns patient id ``00017024`` into
``17024`` and an NHS number into ``9.43E+09``. Here every cell is written as a
text cell (type ``s``) with the text number format ``@``, so ids, NHS numbers,
postcodes and dates stay exactly as written, and a value that looks like a
formula (``=1+2``) is stored as text and never run. Files are owner-only and
written atomically, like the CSVs (docs/invitations.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font

from pipeline.fsutil import atomic_open

TEXT_FORMAT = "@"
WIDEST = 60  # characters: a column is never set wider than this


def text(value) -> str | None:
    """VALUE as the text a cell holds (dates ISO), None for a blank cell."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_xlsx(
    path: Path, columns: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "list"
) -> Path:
    """Write COLUMNS and ROWS to PATH as one sheet of text cells, header frozen."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(columns))
    widths = [len(c) for c in columns]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            _put(ws.cell(row=r, column=c), text(value))
            widths[c - 1] = max(widths[c - 1], _width(text(value)))
    _style(ws, widths)
    with atomic_open(path, "wb") as fh:
        book.save(fh)
    return path


def _put(cell, value: str | None) -> None:
    cell.number_format = TEXT_FORMAT
    if value is None:
        return
    cell.value = value
    cell.data_type = TYPE_STRING  # openpyxl reads "=..." as a formula: store it as text
    if "\n" in value:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _width(value: str | None) -> int:
    return max((len(line) for line in (value or "").splitlines()), default=0)


def _style(ws, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    for c, width in enumerate(widths, start=1):
        ws.cell(row=1, column=c).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = min(width + 2, WIDEST)
