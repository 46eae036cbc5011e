"""Excel workbooks (.xlsx) a spreadsheet opens without changing a single value.

Opening a CSV in Excel or LibreOffice turns patient id ``00017024`` into
``17024`` and an NHS number into ``9.43E+09``. Here every cell is written as a
text cell with the text number format ``@``, so ids, NHS numbers, postcodes
and dates stay exactly as written, and a value that looks like a formula
(``=1+2``) is stored as text and never run. A control character (which XML
cannot hold) is written as Excel's own ``_xHHHH_`` escape, as Excel does.
Files are owner-only and written atomically, like the CSVs (docs/invitations.md).

Written with XlsxWriter in its constant-memory mode: each row goes to the
sheet as it is written (strings in line, not in a shared table), which is
several times faster than building the workbook in memory (docs/scaling.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import xlsxwriter

from pipeline.fsutil import atomic_open

TEXT_FORMAT = "@"
WIDEST = 60  # characters: a column is never set wider than this
# Everything a cell holds is text: never read a string as a number, formula or link.
OPTIONS = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


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
    with atomic_open(path, "wb") as fh:
        book = xlsxwriter.Workbook(fh, {**OPTIONS, "tmpdir": str(path.parent)})
        ws = book.add_worksheet(sheet)
        plain = book.add_format({"num_format": TEXT_FORMAT})
        wrapped = book.add_format({"num_format": TEXT_FORMAT, "text_wrap": True, "valign": "top"})
        bold = book.add_format({"bold": True})
        for c, name in enumerate(columns):
            ws.write_string(0, c, name, bold)
        widths = [len(c) for c in columns]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                value = text(value)
                if not value:
                    ws.write_blank(r, c, None, plain)
                elif "\n" in value:
                    ws.write_string(r, c, value, wrapped)
                    widths[c] = max(widths[c], *(len(line) for line in value.splitlines()))
                else:
                    ws.write_string(r, c, value, plain)  # a string: "=1+2" stays text
                    widths[c] = max(widths[c], len(value))
        ws.freeze_panes(1, 0)
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(width + 2, WIDEST))
        book.close()
    return path
