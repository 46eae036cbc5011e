"""Load practice extracts into DuckDB, exactly as docs/extract-format.md says.

Each table is read once for every practice: one DuckDB read_csv/read_parquet over
the practices' files (sources.py; in parallel, rows kept in file order), normalised
and flagged in that same pass straight into the run's table (sql/load/insert_*.sql).
The flags are then counted per file (sql/load/problems_*.sql) with the row numbers
recovered from the insertion order, and the tail of each CSV is looked at for the
damage DuckDB's reader passes over silently (damage.py: NUL bytes, a file cut short
inside its last field). Every structural problem
in every file is collected; the run stops with the first one named and a count of
the rest. Messages carry file names, row numbers and counts, never patient values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import ExtractError
from pipeline.extract import damage, schema, sources
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
    "nul_bytes": "{n} {noun} holding NUL bytes{rows}, a sign of a damaged or partly copied export; export the file again",
}


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


def describe_problem(problem: str, n: int, lines: list[int]) -> str:
    kind, _, column = problem.partition(":")
    shown = ", ".join(str(x) for x in lines)
    rows = f" (row{'s' if n > 1 else ''} {shown}{', …' if n > len(lines) else ''})"
    return PROBLEMS[kind].format(n=n, noun="row" if n == 1 else "rows", rows=rows, column=column)


def insert_practice(con, m: Manifest) -> None:
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
    for table in m.sparse_tables:
        db.run(con, "load/insert_sparse_table", practice_code=m.practice_code, table_name=table)


def read_manifests(paths: list[Path]) -> list[Manifest]:
    """Every practice's manifest; a practice given twice is an error."""
    manifests = [read_manifest(folder) for folder in find_practice_folders(paths)]
    refuse_duplicates(manifests)
    return manifests


def refuse_duplicates(manifests: list[Manifest]) -> None:
    """A practice given twice is an error."""
    seen: dict[str, Path] = {}
    for m in manifests:
        if m.practice_code in seen:
            raise ExtractError(
                f"{m.folder}: practice {m.practice_code} is also in {seen[m.practice_code]}; give each practice once"
            )
        seen[m.practice_code] = m.folder


def load_extracts(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> LoadResult:
    """Load every practice under PATHS into CON's practices/patients/events/medications.

    Each table is read once for all practices (one reader per header layout, normally
    one), checked, and kept only if no file has a structural problem."""
    result = LoadResult(manifests=read_manifests(paths))
    db.script(con, "load/tables")
    for m in result.manifests:
        if m.unknown_keys:
            result.warnings.append(
                f"{m.folder / 'manifest.yaml'}: ignored unknown key(s) {', '.join(m.unknown_keys)}"
            )
        insert_practice(con, m)
    described = [
        sources.describe(con, m, t, result.warnings)
        for m in result.manifests
        for t in schema.TABLES
    ]
    result.files = [f.path for f in described]
    files = {t.name: [f for f in described if f.table is t] for t in schema.TABLES}
    db.script(con, "load/problem_columns")
    for table in schema.TABLES:
        for group in sources.groups(files[table.name]):
            _read_group(con, table, group)
    counts = {(code, t): int(n) for code, t, n in db.run(con, "load/row_counts").fetchall()}
    result.row_counts = counts
    problems = _problems(con, result.manifests, files)
    problems = _damaged(described, counts, problems) + problems
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; `cohort check` lists them all)"
        raise ExtractError(problems[0] + (more if len(problems) > 1 else ""), problems=problems)
    db.script(con, "load/drop_problem_columns")
    db.script(con, "load/record_dates")
    for code, table, n in db.run(con, "load/future_records").fetchall():
        result.future_records[(code, table)] = n
    for w in result.warnings:
        log.warning(w)
    return result


def _read_group(con, table: schema.Table, group: list[sources.TableFile]) -> None:
    """One read over the files of GROUP into TABLE; a file DuckDB cannot read is
    named with its line (read alone if DuckDB's message does not say which it was)."""
    sources.define_source(con, group)
    paths = [f.path for f in group]
    try:
        db.run(
            con,
            f"load/insert_{table.name}",
            files=[str(p) for p in paths],
            codes=[f.practice_code for f in group],
            columns=dict.fromkeys(group[0].identifiers, "VARCHAR"),
        )
    except (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException):
        raise  # the loader's own SQL is wrong: not the file's fault
    except duckdb.Error as exc:
        error = damage.read_error(paths, exc)
        if error is None and len(group) > 1:
            for f in group:  # which file was it? (only when reading has already failed)
                _read_group(con, table, [f])
        raise (error or damage.read_error(paths[:1], exc)) from None


def _damaged(files: list[sources.TableFile], counts: dict, problems: list[str]) -> list[str]:
    """CSV files DuckDB did not read to the end (NUL bytes in their tail that no
    loaded row holds) or that were cut short (no line break after the last record),
    first: nothing else said about them can be trusted."""
    flagged = {p.split(": ")[0] for p in problems if "NUL bytes" in p}
    found = (
        damage.check_tail(f.path, rows=counts[(f.practice_code, f.table.name)])
        for f in files
        if f.is_csv and str(f.path) not in flagged
    )
    return [message for message in found if message]


def _problems(con, manifests: list[Manifest], files: dict) -> list[str]:
    """Every structural problem, in practice then table order, as one-line messages."""
    order = {m.practice_code: i for i, m in enumerate(manifests)}
    tables = [t.name for t in schema.TABLES]
    by_file = {(f.table.name, f.practice_code): f for fs in files.values() for f in fs}
    found = []
    for table, code, problem, n, offsets in db.run(con, "load/problems").fetchall():
        f = by_file[(table, code)]
        lines = [f.first_row + o for o in offsets]
        key = (order[code], tables.index(table), lines[0], problem)
        found.append((key, f"{f.path}: {describe_problem(problem, n, lines)}"))
    return [message for _, message in sorted(found)]
