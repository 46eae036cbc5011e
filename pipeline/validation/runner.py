"""Run suite files with Great Expectations on the run's DuckDB connection.

Each table of a suite is one GX batch (the whole table, read in place by SQL).
Results are asked for in BASIC format with no sample of unexpected values, and
only counts are kept: no patient value leaves this module.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from pipeline.fsutil import private_dir, sha256_file
from pipeline.paths import ROOT
from pipeline.validation import engine
from pipeline.validation.failed_rows import (
    EXTRACT_TABLES,
    FAILED_ROWS_CSV,
    row_failures,
    write_failed_rows,
)
from pipeline.validation.fixes import fix_for
from pipeline.validation.results import Outcome, ValidationSummary, write_results
from pipeline.validation.suites import ExpectationSpec, SuiteFile, build_gx_suite, read_suite

# BASIC counts, without GX fetching a sample of the unexpected values.
RESULT_FORMAT = {
    "result_format": "BASIC",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
}
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def run_suites(
    con: duckdb.DuckDBPyConnection,
    suite_names,
    *,
    out_dir: Path | None = None,
    suites_dir: Path | None = None,
) -> ValidationSummary:
    """Validate CON's tables with expectations/NAME.yaml for each name in SUITE_NAMES
    (SUITES_DIR/NAME.yaml when given).

    Writes OUT_DIR/results.json and results.html when OUT_DIR is given (merged
    with other suites already there). Never raises for failed expectations:
    call ``summary.raise_if_blocking()``. Raises ValidationFailed for a broken
    suite file.
    """
    started = time.perf_counter()
    suites = [read_suite(name, directory=suites_dir) for name in suite_names]
    built = {(s.name, t): build_gx_suite(s, t) for s in suites for t in s.tables}
    context = engine.new_context()
    source = engine.add_datasource(context, con)
    try:
        outcomes = [
            o
            for s in suites
            for t in s.tables
            for o in _run_table(context, source, con, s, t, built)
        ]
        rows = _failed_rows(con, source, suites, outcomes, out_dir)
    finally:
        engine.dispose(source)
    summary = ValidationSummary(
        suites=tuple(s.name for s in suites),
        outcomes=tuple(outcomes),
        suite_files={s.name: _file_entry(s) for s in suites},
        seconds=round(time.perf_counter() - started, 3),
        failed_rows=rows,
    )
    if out_dir is not None:
        write_results(summary, out_dir)
    return summary


def _failed_rows(con, source, suites, outcomes, out_dir: Path | None) -> int | None:
    """Write out_dir/failed_rows.csv (practice only) when extract rows failed a check;
    the number of rows it lists, or None when there is none (a stale one is removed)."""
    if out_dir is None or not any(t in EXTRACT_TABLES for s in suites for t in s.tables):
        return None
    failures = row_failures(outcomes, suites)
    if failures:
        private_dir(out_dir)
    n = write_failed_rows(con, source, failures, out_dir) if failures else 0
    if not n:
        (out_dir / FAILED_ROWS_CSV).unlink(missing_ok=True)
    return n or None


def _file_entry(suite: SuiteFile) -> dict:
    path = suite.path.resolve()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return {"file": str(shown), "sha256": sha256_file(path)}


def _run_table(context, source, con, suite: SuiteFile, table: str, built: dict) -> list[Outcome]:
    if not _table_exists(con, table):
        return [_missing_table(suite, table)]
    gx_suite = context.suites.add(built[(suite.name, table)])
    asset = source.add_table_asset(name=f"{suite.name}.{table}", table_name=table)
    batch = asset.add_batch_definition_whole_table(name="whole table").get_batch()
    result = batch.validate(gx_suite, result_format=RESULT_FORMAT)
    by_number = {r.expectation_config.meta["number"]: r for r in result.results}
    specs = suite.for_table(table)
    assert set(by_number) == {s.number for s in specs}, (
        f"GX returned other results than {suite.name}.{table} asked for"
    )
    return [_outcome(spec, by_number[spec.number]) for spec in specs]


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND NOT internal"
    tables = con.execute(query, {"t": table}).fetchone()[0]
    views = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = $t", {"t": table}
    ).fetchone()[0]
    return bool(tables or views)


def _missing_table(suite: SuiteFile, table: str) -> Outcome:
    return Outcome(
        suite=suite.name, table=table, number=0, description=f"table {table} exists", type="table_exists",
        column=None, severity="blocking", success=False,
        fix=fix_for(type_="table_exists", column=None, unit="tables", given=None),
    )  # fmt: skip


def _outcome(spec: ExpectationSpec, result) -> Outcome:
    """Counts from a GX result; the sample lists GX may carry are dropped here."""
    found = result.result or {}
    observed = found.get("observed_value")
    observed = (
        observed if isinstance(observed, int | float) and not isinstance(observed, bool) else None
    )
    unexpected = found.get("unexpected_count")
    if unexpected is None and spec.type == "unexpected_rows_expectation":
        unexpected = observed
    return Outcome(
        suite=spec.suite, table=spec.table, number=spec.number, description=spec.description,
        type=spec.type, column=spec.column, severity=spec.severity, success=bool(result.success),
        unexpected_count=unexpected, element_count=found.get("element_count"),
        unexpected_percent=found.get("unexpected_percent"), observed_value=observed,
        unit=spec.unit, error=_error(result),
        fix=fix_for(type_=spec.type, column=spec.column, unit=spec.unit, given=spec.fix),
    )  # fmt: skip


def _error(result) -> str | None:
    """The exception GX caught while checking, without any quoted (possibly patient) text."""
    info = result.exception_info or {}
    entries = (
        [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    )
    for entry in entries:
        if entry.get("raised_exception"):
            message = str(entry.get("exception_message") or "error").splitlines()[0]
            return QUOTED.sub("'…'", message)[:160]
    return None
