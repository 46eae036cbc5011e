"""CSV files that Word and Excel on Windows open correctly and safely.

UTF-8 with a byte-order mark (so accents survive), CRLF line ends, every value
written as text exactly as recorded, except that a value a spreadsheet would
run as a formula gets a leading apostrophe (docs/invitations.md): one starting
``=``, ``+``, ``-``, ``@`` (or their full-width forms), a tab or a carriage
return, also when invisible characters come first (control characters such
as NUL, vertical tab or a newline, a byte-order mark, bidirectional controls
such as RLO, zero-width spaces, any white space): a spreadsheet may drop
those and run what follows. Files are written owner-only and atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.fsutil import atomic_open

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _invisible(char: str) -> bool:
    """Characters a spreadsheet may skip before reading a formula: controls (Cc), format
    characters (Cf: BOM, RLO, zero-width), separators (Z*) and white space."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def formula_like(text: str) -> bool:
    """Whether TEXT would run as a formula, once any invisible characters before it are dropped."""
    if text.startswith(FORMULA_STARTS):
        return True
    visible = next((i for i, ch in enumerate(text) if not _invisible(ch)), len(text))
    return visible > 0 and text[visible:].startswith(FORMULA_STARTS)


def cell(value) -> str:
    """VALUE as CSV text, with formula-like text neutralised."""
    if type(value) is str and value[:1].isalnum():
        return value  # the common case: a letter or digit first is never a formula
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if formula_like(text) else text


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence]) -> Path:
    with atomic_open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([cell(v) for v in row] for row in rows)
    return path
