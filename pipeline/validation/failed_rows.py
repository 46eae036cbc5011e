"""validation/failed_rows.csv: the rows behind each failed extract check, for the
practice only (file, line, patient id), beside the shareable results.

Only failed row-level checks of the extract tables are looked into, after the main
validation (a run that passes pays nothing). Column checks are run again by Great
Expectations on a view of the table that adds each row's position (``source_row``),
asking for the first rows' index columns; unexpected-rows checks run their own query
on that view. Rows were loaded in file order (pipeline/extract/loader.py), so a
row's line is its position less its practice's first position plus the file's
first row (2 in a CSV, whose row 1 is the header; 1 in Parquet). The file is
owner-only; results.json and results.html carry only its name and row count.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.fsutil import atomic_open
from pipeline.validation.results import Outcome
from pipeline.validation.suites import ExpectationSpec, SuiteFile

FAILED_ROWS_CSV = "failed_rows.csv"
EXTRACT_TABLES = ("patients", "events", "medications")
PER_CHECK = 1000  # rows listed per failed check
INDEX = ["practice_code", "source_row", "patient_id"]
HEADER = ("check", "severity", "file", "line", "practice_code", "patient_id")


def row_failures(outcomes, suites: list[SuiteFile]) -> list[tuple[ExpectationSpec, Outcome]]:
    """The failed row-level checks of extract tables, with their specs."""
    specs = {(s.name, e.number): e for s in suites for e in s.expectations}
    return [
        (specs[(o.suite, o.number)], o)
        for o in outcomes
        if not o.success
        and not o.error
        and o.unit == "rows"
        and o.table in EXTRACT_TABLES
        and (o.suite, o.number) in specs
    ]


def write_failed_rows(con, source, failures, out_dir: Path) -> int:
    """Write OUT_DIR/failed_rows.csv for FAILURES; returns how many rows it lists."""
    found: list[tuple] = []
    for spec, outcome in failures:
        view = _view(con, spec.table)
        positions = (
            _query_rows(con, spec, view)
            if spec.type == "unexpected_rows_expectation"
            else _gx_rows(source, spec, view)
        )
        for practice_code, source_row, patient_id in positions:
            found.append((spec, outcome, practice_code, source_row, patient_id))
    if not found:
        return 0
    files = _files(con)
    starts = {
        (table, code): first
        for table in {spec.table for spec, *_ in found}
        for code, first in con.execute(
            f"SELECT practice_code, min(rowid) FROM {table} GROUP BY ALL"  # noqa: S608 (a fixed table name)
        ).fetchall()
    }
    with atomic_open(out_dir / FAILED_ROWS_CSV, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for spec, outcome, code, row, patient_id in found:
            path, first_row = files.get((code, spec.table), ("", None))
            line = (
                row - starts[(spec.table, code)] + first_row
                if row is not None and first_row is not None and (spec.table, code) in starts
                else ""
            )
            writer.writerow(
                (spec.description, outcome.severity, path, line, code, _safe(patient_id))
            )
    return len(found)


def _view(con: duckdb.DuckDBPyConnection, table: str) -> str:
    name = f"{table}__rows"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT rowid AS source_row, * FROM {table}")
    return name


def _gx_rows(source, spec: ExpectationSpec, view: str) -> list[tuple]:
    """The first rows GX finds unexpected, re-running the one expectation on VIEW."""
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectation = ExpectationConfiguration(**spec.gx_config()).to_domain_obj()
    asset = source.add_table_asset(name=f"rows.{spec.suite}.{spec.number}", table_name=view)
    batch = asset.add_batch_definition_whole_table(name="whole table").get_batch()
    result = batch.validate(
        expectation,
        result_format={
            "result_format": "SUMMARY",
            "partial_unexpected_count": PER_CHECK,
            "unexpected_index_column_names": INDEX,
            "return_unexpected_index_query": False,
        },
    )
    rows = (result.result or {}).get("partial_unexpected_index_list") or []
    return [(r.get("practice_code"), r.get("source_row"), r.get("patient_id")) for r in rows]


def _query_rows(con, spec: ExpectationSpec, view: str) -> list[tuple]:
    """The rows an unexpected-rows query returns on VIEW: their position when the
    query returns whole rows, else found by patient id (unique in patients)."""
    query = spec.kwargs["unexpected_rows_query"]
    query = query.replace("{batch}", view).replace("{{", "{").replace("}}", "}")
    names = {d[0] for d in con.execute(f"SELECT * FROM (\n{query}\n) LIMIT 0").description}
    if not {"practice_code", "patient_id"} <= names:
        return []  # not about rows of patients: the fix says what to do
    if "source_row" in names:
        select = f"SELECT practice_code, source_row, patient_id FROM (\n{query}\n) AS q"
    elif spec.table == "patients":
        select = (
            f"SELECT q.practice_code, v.source_row, q.patient_id FROM (\n{query}\n) AS q "
            f"LEFT JOIN {view} AS v USING (practice_code, patient_id)"
        )
    else:
        select = f"SELECT practice_code, NULL, patient_id FROM (\n{query}\n) AS q"
    return con.execute(f"{select} ORDER BY 2 LIMIT {PER_CHECK}").fetchall()


def _files(con) -> dict[tuple[str, str], tuple[str, int]]:
    """(practice, table) -> (the file it was loaded from, its first row number)."""
    found = {}
    for code, folder in db.run(con, "validation/practice_folders").fetchall():
        for table in EXTRACT_TABLES:
            csv_path, parquet = Path(folder) / f"{table}.csv", Path(folder) / f"{table}.parquet"
            if csv_path.is_file():
                found[(code, table)] = (str(csv_path), 2)
            elif parquet.is_file():
                found[(code, table)] = (str(parquet), 1)
    return found


def _safe(value) -> str:
    """A patient id as a spreadsheet cell that cannot run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
