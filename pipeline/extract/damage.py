"""Files DuckDB could not read, or read only in part: one-line errors naming the file
and line, never a line's contents.

DuckDB's CSV reader checks UTF-8 and the field count of every line as it parses, and
names the file and line of the first it cannot read. What it does not say: a last
line longer than its buffer (a crashed export, a partial row followed by megabytes
of NUL bytes) ends the file silently. So after loading, the tail of every CSV is
looked at (`check_tail`): NUL bytes there mean the file was not fully read.
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
    """The error for a CSV whose last megabyte holds NUL bytes that no loaded row
    holds: DuckDB stopped reading at them. ROWS records were loaded, so the damage
    starts at line ROWS + 2 (None when the tail is clean)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read()
    return f"{path}: " + DAMAGED.format(line=rows + 2) if b"\x00" in tail else None
