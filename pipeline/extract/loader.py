"""Load practice extracts into DuckDB, exactly as docs/extract-format.md says.

Each file is streamed by DuckDB's own CSV/Parquet reader into a staging table
(never row by row through Python), checked with sql/load/check_*.sql, and only
then appended to the run's tables. Every structural problem in every file is
collected; the run stops with the first one named and a count of the rest.
Messages carry file names, row numbers and counts, never patient values.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import ExtractError
from pipeline.extract import schema
from pipeline.extract.manifest import Manifest, read_manifest

log = logging.getLogger(__name__)

PROBLEMS = {
    "blank_patient_id": "{n} {noun} with a blank patient_id{rows}; every row needs the patient's id",
    "duplicate_patient_id": "{n} {noun} share a patient_id with another row{rows}; patient_id must be unique within the practice",
    "unknown_patient_id": "{n} {noun} whose patient_id is not in patients{rows}; export patients and records from the same extract",
    "bad_sex": "{n} {noun} with a sex that is not M, F, I or U{rows}; recode those rows",
    "bad_coding_system_events": "{n} {noun} with a coding_system that is not readv2, ctv3 or snomedct{rows}; fix the export",
    "bad_coding_system_medications": "{n} {noun} with a coding_system that is not dmd or bnf{rows}; fix the export",
    "blank_code": "{n} {noun} with a blank code{rows}; remove or fix them",
    "bad_issue_type": "{n} {noun} with an issue_type that is not acute or repeat{rows}; leave it blank if unknown",
    "bad_date": "{n} {noun} with a blank or unreadable {column}{rows}; write dates as YYYY-MM-DD or DD/MM/YYYY",
    "bad_number": "{n} {noun} with a {column} that is not a number{rows}; leave it blank if unknown",
}
# The header is read in Python and DuckDB is told the columns (c: one text column
# per header field), so it does not guess the layout: a row with the wrong number
# of fields is an error that names its line, never a silently different table.
CSV_OPTIONS = "auto_detect = false, header = true, columns = c, delim = ',', quote = '\"', escape = '\"', strict_mode = true"
# What DuckDB says about a malformed CSV line (never the line's contents).
CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
CSV_REASONS = (
    re.compile(r"Expected Number of Columns: \d+ Found: \d+"),
    re.compile(r"Value with unterminated quote found"),
)


@dataclass
class LoadResult:
    """What was loaded: the practices, row counts and records after the extract date."""

    manifests: list[Manifest]
    row_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    future_records: dict[tuple[str, str], int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def find_practice_folders(paths: list[Path]) -> list[Path]:
    """A practice folder is itself; a parent folder means each sub-folder with a manifest."""
    folders: list[Path] = []
    for path in paths:
        if not path.exists():
            raise ExtractError(
                f"{path}: no such folder; give a practice folder or a folder of them"
            )
        if (path / "manifest.yaml").is_file():
            folders.append(path)
            continue
        found = (
            sorted(p for p in path.iterdir() if (p / "manifest.yaml").is_file())
            if path.is_dir()
            else []
        )
        if not found:
            raise ExtractError(
                f"{path}: no manifest.yaml here or in its sub-folders; "
                "each practice folder needs a manifest.yaml (see docs/extract-format.md)"
            )
        folders.extend(found)
    return folders


def table_file(folder: Path, table: str) -> Path:
    """The one CSV or Parquet file holding TABLE in FOLDER."""
    csv, parquet = folder / f"{table}.csv", folder / f"{table}.parquet"
    if csv.is_file() and parquet.is_file():
        raise ExtractError(
            f"{folder}: both {table}.csv and {table}.parquet are present; keep only one"
        )
    if csv.is_file() or parquet.is_file():
        return csv if csv.is_file() else parquet
    raise ExtractError(
        f"{folder}: {table}.csv is missing; every practice folder needs patients, events and medications"
    )


def check_utf8(path: Path, chunk: int = 1 << 24) -> None:
    """Fail with the byte offset of the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError as exc:
                raise ExtractError(
                    f"{path}: not UTF-8 at byte offset {offset + exc.start}; "
                    "re-export the file as UTF-8 (CSV UTF-8 in Excel)"
                ) from None
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ExtractError(
                f"{path}: not UTF-8 at byte offset {offset + exc.start}; re-export it as UTF-8"
            ) from None


def _reader(path: Path) -> str:
    if path.suffix == ".parquet":
        return "read_parquet(p)"
    return f"read_csv(p, {CSV_OPTIONS})"


def _header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The file's column names as written."""
    if path.suffix == ".csv":
        return _csv_header(path)
    try:
        rows = con.execute(
            "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()
    except duckdb.Error as exc:
        raise ExtractError(
            f"{path}: could not be read ({_first_line(exc)}); check it is a Parquet file"
        ) from None
    return [r[0] for r in rows]


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), None)
    if not header or not any(name.strip() for name in header):
        raise ExtractError(
            f"{path}: is empty or has no header row; the first line must name the columns"
        )
    return header


def _first_line(exc: Exception) -> str:
    """A DuckDB error's first line, cut before any echoed cell contents."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split("Original Line")[0].strip()[:200]


def _read_error(path: Path, exc: Exception) -> ExtractError:
    """A file DuckDB could not read: the line and the reason, never the line's contents."""
    text = str(exc)
    line = CSV_LINE.search(text)
    reasons = [m.group(0) for pattern in CSV_REASONS if (m := pattern.search(text))]
    if line and reasons:
        return ExtractError(
            f"{path}: line {line.group(1)} could not be read ({reasons[0]}); "
            "check that line's quotes and commas against the header"
        )
    return ExtractError(f"{path}: could not be read ({_first_line(exc)}); fix the file's layout")


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
    extra = sorted(k for k in by_lower if k not in table.names) + unnamed
    if extra:
        warnings.append(f"{path}: ignored unknown column(s) {', '.join(extra)}")
    return {c: by_lower[c] for c in table.names if c in by_lower}


def _identifiers(path: Path, header: list[str]) -> list[str]:
    """The names DuckDB reads the columns under: a CSV's are given by position
    (c0, c1, …: blank or odd names cannot clash); a Parquet file's are its own."""
    return [f"c{i}" for i in range(len(header))] if path.suffix == ".csv" else header


def _define_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: schema.Table,
    *,
    mapping: dict[str, int],
    identifiers: list[str],
) -> None:
    """src(p, c): the file with canonical column names; absent optional columns are NULL."""
    cols = ", ".join(
        f"CAST({db.quote_ident(identifiers[mapping[c]])} AS VARCHAR) AS {c}"
        if c in mapping
        else f"NULL::VARCHAR AS {c}"
        for c in table.names
    )
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO src(p, c) AS TABLE SELECT {cols} FROM {_reader(path)}"
    )


def _describe_problem(problem: str, n: int, lines: list[int]) -> str:
    kind, _, column = problem.partition(":")
    shown = ", ".join(str(x) for x in lines)
    rows = f" (row{'s' if n > 1 else ''} {shown}{', …' if n > len(lines) else ''})"
    return PROBLEMS[kind].format(n=n, noun="row" if n == 1 else "rows", rows=rows, column=column)


def _load_table(con, manifest: Manifest, table: schema.Table, result: LoadResult) -> list[str]:
    """Stage and check one file; insert it only if it has no structural problem.
    Patient ids are kept either way, so events and medications are checked against
    every patient the patients file names."""
    path = table_file(manifest.folder, table.name)
    result.files.append(path)
    if path.suffix == ".csv":
        check_utf8(path)
    header = _header(con, path)
    mapping = _mapping(path, table, header, result.warnings)
    identifiers = _identifiers(path, header)
    _define_source(con, path, table, mapping=mapping, identifiers=identifiers)
    try:
        db.run(
            con,
            f"load/stage_{table.name}",
            path=str(path),
            columns=dict.fromkeys(identifiers, "VARCHAR"),
        )
    except duckdb.Error as exc:
        raise _read_error(path, exc) from None
    first_row = 2 if path.suffix == ".csv" else 1  # CSV rows count the header as row 1
    found = db.run(
        con, f"load/check_{table.name}", practice_code=manifest.practice_code, first_row=first_row
    )
    problems = [f"{path}: {_describe_problem(p, n, lines)}" for p, n, lines in found.fetchall()]
    if table is schema.PATIENTS:
        db.run(con, "load/known_patients", practice_code=manifest.practice_code)
    if not problems:
        db.run(con, f"load/insert_{table.name}", practice_code=manifest.practice_code)
    result.row_counts[(manifest.practice_code, table.name)] = con.execute(
        "SELECT count(*) FROM stage"
    ).fetchall()[0][0]
    con.execute("DROP TABLE stage")
    return problems


def _insert_practice(con, m: Manifest) -> None:
    db.run(
        con,
        "load/insert_practice",
        practice_code=m.practice_code,
        practice_name=m.practice_name,
        clinical_system=m.clinical_system,
        extract_date=m.extract_date,
        practice_address=list(m.practice_address),
        source_folder=str(m.folder),
    )


def read_manifests(paths: list[Path]) -> list[Manifest]:
    """Every practice's manifest; a practice given twice is an error."""
    manifests = [read_manifest(folder) for folder in find_practice_folders(paths)]
    seen: dict[str, Path] = {}
    for m in manifests:
        if m.practice_code in seen:
            raise ExtractError(
                f"{m.folder}: practice {m.practice_code} is also in {seen[m.practice_code]}; give each practice once"
            )
        seen[m.practice_code] = m.folder
    return manifests


def load_extracts(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> LoadResult:
    """Load every practice under PATHS into CON's practices/patients/events/medications."""
    result = LoadResult(manifests=read_manifests(paths))
    db.script(con, "load/tables")
    problems: list[str] = []
    for m in result.manifests:
        if m.unknown_keys:
            result.warnings.append(
                f"{m.folder / 'manifest.yaml'}: ignored unknown key(s) {', '.join(m.unknown_keys)}"
            )
        _insert_practice(con, m)
        for table in schema.TABLES:
            problems += _load_table(con, m, table, result)
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; `cohort check` lists them all)"
        raise ExtractError(problems[0] + (more if len(problems) > 1 else ""), problems=problems)
    for code, table, n in db.run(con, "load/future_records").fetchall():
        result.future_records[(code, table)] = n
    for w in result.warnings:
        log.warning(w)
    return result
