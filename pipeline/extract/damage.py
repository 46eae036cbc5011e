"""Files DuckDB could not read, or read only in part: one-line errors naming the file
and line, never a line's contents.

DuckDB's CSV reader checks UTF-8 and the field count of every line as it parses, and
names the file and line of the first it cannot read. What it does not say: a last
line longer than its buffer (a crashed export, a partial row followed by megabytes
of NUL bytes) ends the file silently, and a file cut inside its last field (right
field count, no NUL bytes) loads the partial value. So after loading, the tail of
every CSV is looked at (`check_tail`, `tail_problem`): NUL bytes there mean the file
was not fully read; a last record without its line break means it was cut short.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import duckdb

from pipeline.errors import ExtractError

CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
CSV_FILE = re.compile(r"^\s*file = (.+)$", re.MULTILINE)
CSV_REASONS = (
    re.compile(r"Expected Number of Columns: \d+ Found: \d+"),
    re.compile(r"Value with unterminated quote found"),
    re.compile(r"Maximum line size of \d+ bytes exceeded"),
)
TAIL_BYTES = 1 << 20
DAMAGED = (
    "is damaged from line {line} on (NUL bytes where text should be: a crashed or "
    "partly copied export); export the file again"
)


def check_utf8(path: Path, chunk: int = 1 << 24) -> None:
    """Fail with the byte offset of the first byte that is not UTF-8 (used only once
    DuckDB has said the file is not UTF-8, to say exactly where)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError as exc:
                raise _not_utf8(path, offset + exc.start) from None
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, offset + exc.start) from None


def _not_utf8(path: Path, offset: int) -> ExtractError:
    return ExtractError(
        f"{path}: not UTF-8 at byte offset {offset}; "
        "re-export the file as UTF-8 (CSV UTF-8 in Excel)"
    )


def read_error(paths: list[Path], exc: duckdb.Error) -> ExtractError | None:
    """The error DuckDB raised reading PATHS, as a one-line ExtractError naming the
    file and line; None when the message does not say which file it was."""
    text = str(exc)
    named = CSV_FILE.search(text)
    path = _which(paths, named.group(1).strip()) if named else None
    if path is None and len(paths) == 1:
        path = paths[0]
    if path is None:
        return None
    line = CSV_LINE.search(text)
    if "Invalid unicode" in text or "not utf-8" in text.lower():
        check_utf8(path)
        where = f"line {line.group(1)}" if line else "somewhere"
        return ExtractError(f"{path}: not UTF-8 at {where}; re-export the file as UTF-8")
    reasons = [m.group(0) for pattern in CSV_REASONS if (m := pattern.search(text))]
    if line and reasons:
        return ExtractError(
            f"{path}: line {line.group(1)} could not be read ({reasons[0]}); "
            "check that line's quotes and commas against the header"
        )
    bare_cr = None if path.suffix == ".parquet" else _bare_cr_line(path)
    if bare_cr is not None and not (line and reasons):
        return ExtractError(
            f"{path}: line {bare_cr} has a carriage return (CR) on its own inside a field; quote "
            "that field or remove the CR, then export the file again"
        )
    if "does not support a full read" in text:
        return ExtractError(
            f"{path}: has a line too long to be a record (a damaged export?); export the file again"
        )
    first = text.splitlines()[0].split("Original Line")[0].strip()[:200] if text else "error"
    hint = "check it is a Parquet file" if path.suffix == ".parquet" else "fix the file's layout"
    return ExtractError(f"{path}: could not be read ({first}); {hint}")


def _bare_cr_line(path: Path, chunk: int = 1 << 24) -> int | None:
    """The line (counting newlines, as an editor does) of the first CR not followed by LF."""
    lines, previous = 1, b""
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            data = previous + block
            at = data.find(b"\r")
            while at != -1 and at + 1 < len(data):
                if data[at + 1] != 10:
                    return lines + data[:at].count(b"\n")
                at = data.find(b"\r", at + 1)
            lines += data[:-1].count(b"\n")
            previous = data[-1:]
    return None


def _which(paths: list[Path], named: str) -> Path | None:
    for path in paths:
        if str(path) == named or path.name == named or str(path).endswith(named):
            return path
    return None


def check_tail(path: Path, *, rows: int) -> str | None:
    """The error for a CSV that was not read to its end, or that ends cut short; None
    when its end is whole. ROWS is how many records were loaded from it.

    One read of the file's last megabyte (the tail the loader looks at anyway), never a
    pass over the whole file: see ``tail_problem``, which a loader that reads the file
    some other way (Spark over a URI) can call with the tail bytes it fetched itself.
    Only when the end is cut is the file read through, to name the line an editor shows.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read()
    problem = tail_problem(tail, rows=rows)
    if problem == "nul":
        return f"{path}: " + DAMAGED.format(line=rows + 2)
    if problem == "cut":
        return f"{path}: " + CUT.format(line=_line_count(path))
    return None


CUT = (
    "line {line}, the last, does not end with a line break: the file was cut short (a "
    "crashed or partly copied export), so that record may be incomplete; export the file "
    "again (if it is complete, add a line break at its end)"
)


def tail_problem(tail: bytes, *, rows: int) -> str | None:
    """What is wrong with the end of a CSV, from its last bytes TAIL (the last megabyte is
    plenty) and ROWS, the records loaded from it: ``"nul"`` when NUL bytes that no loaded
    row holds are there (DuckDB's reader stopped at them), ``"cut"`` when the last record
    has no line break after it, None when the end is whole.

    A file cut inside its last field has the right number of fields and no NUL bytes, so
    DuckDB loads the partial value (``2024-01-1`` for ``2024-01-15``, ``824`` for
    ``82423001``) without a word; every exporter ends its last record with a line break,
    and a missing one is the only trace such a cut leaves. A header with no records
    (ROWS 0) needs none: a cut header loses a column, which the header check names.
    For any loader (DuckDB's here, a Spark loader too): cost O(len(TAIL)).
    """
    if b"\x00" in tail:
        return "nul"
    if rows > 0 and tail and not tail.endswith((b"\n", b"\r")):
        return "cut"
    return None


def _line_count(path: Path, chunk: int = 1 << 24) -> int:
    """The number of the file's last line, as an editor counts (only on the error path)."""
    lines = 1
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            lines += block.count(b"\n")
    return lines
