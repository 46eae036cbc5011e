"""CSV files that Word and Excel on Windows open correctly and safely.

UTF-8 with a byte-order mark (so accents survive), CRLF line ends, every value
written as text exactly as recorded, except that a value a spreadsheet would
run as a formula (starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading apostrophe (docs/invitations.md). Files are written
owner-only and atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.fsutil import atomic_open

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """VALUE as CSV text, with formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence]) -> Path:
    with atomic_open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([cell(v) for v in row] for row in rows)
    return path
