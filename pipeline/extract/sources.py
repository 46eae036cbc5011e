"""The files of one extract table across practices, and how DuckDB reads them.

Each practice folder holds one CSV or Parquet file per table. Its header is read
here (the first line of a CSV; a Parquet file's schema), checked against the
contract and mapped to the canonical column names. Files whose headers map the
same way are read together: one read_csv/read_parquet over their list, which
DuckDB reads in parallel and in file order (file_index says whose row it is).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import ExtractError
from pipeline.extract import schema
from pipeline.extract.damage import check_utf8
from pipeline.extract.manifest import Manifest

# The header is read in Python and DuckDB is told the columns (c: one text column
# per header field), so it does not guess the layout: a row with the wrong number
# of fields is an error that names its line, never a silently different table.
CSV_OPTIONS = (
    "auto_detect = false, header = true, columns = c, delim = ',', quote = '\"', "
    "escape = '\"', strict_mode = true"
)


@dataclass(frozen=True)
class TableFile:
    """One practice's file of one table, with its header mapped to the contract."""

    practice_code: str
    table: schema.Table
    path: Path
    mapping: tuple[tuple[str, int], ...]  # canonical column -> position in the header
    identifiers: tuple[str, ...]  # the names DuckDB reads the columns under
    types: tuple[str, ...] = ()  # a Parquet file's column types

    @property
    def is_csv(self) -> bool:
        return self.path.suffix == ".csv"

    @property
    def first_row(self) -> int:
        """The row number of the first record: 2 in a CSV (row 1 is the header), 1 in Parquet."""
        return 2 if self.is_csv else 1

    @property
    def group_key(self) -> tuple:
        return (self.path.suffix, self.mapping, self.identifiers, self.types)


def table_file(folder: Path, table: str) -> Path:
    """The one CSV or Parquet file holding TABLE in FOLDER."""
    csv_path, parquet = folder / f"{table}.csv", folder / f"{table}.parquet"
    if csv_path.is_file() and parquet.is_file():
        raise ExtractError(
            f"{folder}: both {table}.csv and {table}.parquet are present; keep only one"
        )
    if csv_path.is_file() or parquet.is_file():
        return csv_path if csv_path.is_file() else parquet
    raise ExtractError(
        f"{folder}: {table}.csv is missing; every practice folder needs patients, events and medications"
    )


def describe(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, table: schema.Table, warnings: list[str]
) -> TableFile:
    """The practice's file of TABLE with its header checked and mapped."""
    path = table_file(manifest.folder, table.name)
    if path.suffix == ".csv":
        header, types = _csv_header(path), ()
    else:
        header, types = _parquet_schema(con, path)
    mapping = _mapping(path, table, header, warnings)
    identifiers = [f"c{i}" for i in range(len(header))] if path.suffix == ".csv" else header
    return TableFile(
        practice_code=manifest.practice_code,
        table=table,
        path=path,
        mapping=tuple(mapping.items()),
        identifiers=tuple(identifiers),
        types=tuple(types),
    )


def groups(files: list[TableFile]) -> list[list[TableFile]]:
    """Files read together (same format and header mapping), in the given order."""
    by_key: dict[tuple, list[TableFile]] = {}
    for f in files:
        by_key.setdefault(f.group_key, []).append(f)
    return list(by_key.values())


def define_source(con: duckdb.DuckDBPyConnection, group: list[TableFile]) -> None:
    """src(p, c): the files P with canonical column names and the file's index in P
    (absent optional columns are NULL); every column as text, for the normalising macros."""
    first = group[0]
    mapping = dict(first.mapping)
    cols = ", ".join(
        f"CAST({db.quote_ident(first.identifiers[mapping[c]])} AS VARCHAR) AS {c}"
        if c in mapping
        else f"NULL::VARCHAR AS {c}"
        for c in first.table.names
    )
    reader = "read_parquet(p)" if not first.is_csv else f"read_csv(p, {CSV_OPTIONS})"
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO src(p, c) AS TABLE SELECT file_index, {cols} FROM {reader}"
    )


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except csv.Error:
        raise ExtractError(
            f"{path}: line 1 (the header) has a field over 128 KB, or is not a CSV header; the "
            "first line must name the columns: export the file again"
        ) from None
    except UnicodeDecodeError:
        check_utf8(path)  # raises, naming the byte offset
        raise
    if not header or not any(name.strip() for name in header):
        raise ExtractError(
            f"{path}: is empty or has no header row; the first line must name the columns"
        )
    return header


def _parquet_schema(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[str], list[str]]:
    try:
        rows = con.execute(
            "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()
    except duckdb.Error as exc:
        raise ExtractError(
            f"{path}: could not be read ({first_line(exc)}); check it is a Parquet file"
        ) from None
    return [r[0] for r in rows], [r[1] for r in rows]


def first_line(exc: Exception) -> str:
    """A DuckDB error's first line, cut before any echoed cell contents."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split("Original Line")[0].strip()[:200]


IDENTIFIER_LIKE = re.compile(r"\d[\d\s-]{5,}\d|[^\x20-\x7e]|.{65,}")


def _shown(name: str) -> str:
    """A header name as a warning may print it: never one that could be an identifier
    (a run of digits like an NHS number, odd characters, or a whole record in the header)."""
    return (
        "(a column whose name looks like data: not shown)" if IDENTIFIER_LIKE.search(name) else name
    )


def _mapping(
    path: Path, table: schema.Table, header: list[str], warnings: list[str]
) -> dict[str, int]:
    """Canonical column name -> its position in the header (names case-insensitive)."""
    by_lower: dict[str, int] = {}
    unnamed: list[str] = []
    for position, name in enumerate(header):
        key = name.strip().lower()
        if not key:
            unnamed.append(f"(unnamed column {position + 1})")
        elif key in by_lower:
            raise ExtractError(f"{path}: column '{key}' appears twice in the header; keep one")
        else:
            by_lower[key] = position
    missing = [c for c in table.required if c not in by_lower]
    if missing:
        raise ExtractError(
            f"{path}: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"the {table.name} file needs {', '.join(table.required)}"
        )
    extra = sorted(_shown(k) for k in by_lower if k not in table.names) + unnamed
    if extra:
        warnings.append(f"{path}: ignored unknown column(s) {', '.join(extra)}")
    return {c: by_lower[c] for c in table.names if c in by_lower}
