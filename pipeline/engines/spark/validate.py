"""The extract's Great Expectations suites, run by GX on the Spark tables.

The same suite files (expectations/patients.yaml, events.yaml, medications.yaml),
results, severities, fixes and results.json/html as on DuckDB
(pipeline/validation/runner.py); only the engine differs. Each table is one GX
batch on GX's Spark data source (the whole Spark DataFrame of the loaded table,
read in place). GX runs the column expectations with its Spark metrics and the
unexpected-rows checks as Spark SQL: their DuckDB SQL is transpiled by sqlglot,
the study's own way to Spark (``{batch}`` kept for GX).

One check has no Spark SQL form: "column types as in the contract" asks DuckDB's
``DESCRIBE`` for the table's column types. On Spark that check is run here, from
the Spark table's schema against the same expected list (parsed from the suite's
query, the DuckDB types named as Spark's), and reported as an ordinary outcome.
Blocking failures stop the run exactly as on DuckDB. failed_rows.csv (the rows
behind a failed check, by file and line) is not written on Spark.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import sqlglot
from sqlglot import exp

from pipeline.validation import engine as gx_engine
from pipeline.validation.fixes import fix_for
from pipeline.validation.results import Outcome, ValidationSummary, write_results
from pipeline.validation.runner import RESULT_FORMAT, _file_entry, _missing_table, _outcome
from pipeline.validation.suites import ExpectationSpec, SuiteFile, build_gx_suite, read_suite

BATCH = "__gx_batch__"
SPARK_TYPES = {"VARCHAR": "string", "DATE": "date", "BOOLEAN": "boolean", "DOUBLE": "double",
               "BIGINT": "bigint", "INTEGER": "int"}  # fmt: skip
DATASOURCE_NAME = "run_spark"


def run_suites_spark(spark, suite_names, *, out_dir: Path | None = None) -> ValidationSummary:
    """Validate the Spark session's tables with expectations/NAME.yaml for each name."""
    started = time.perf_counter()
    suites = [read_suite(name) for name in suite_names]
    context = gx_engine.new_context()
    source = context.data_sources.add_spark(
        name=DATASOURCE_NAME, persist=False
    )  # tables are cached
    outcomes = [
        o for s in suites for t in s.tables for o in _run_table(context, source, spark, s, t)
    ]
    summary = ValidationSummary(
        suites=tuple(s.name for s in suites),
        outcomes=tuple(outcomes),
        suite_files={s.name: _file_entry(s) for s in suites},
        seconds=round(time.perf_counter() - started, 3),
    )
    if out_dir is not None:
        write_results(summary, out_dir)
    return summary


def _run_table(context, source, spark, suite: SuiteFile, table: str) -> list[Outcome]:
    if not spark.catalog.tableExists(table):
        return [_missing_table(suite, table)]
    frame = spark.table(table)
    specs = suite.for_table(table)
    native = {s.number: _schema_outcome(s, frame) for s in specs if _describes(s)}
    by_gx = [_for_spark(s) for s in specs if s.number not in native]
    results = {}
    if by_gx:
        gx_suite = context.suites.add(
            build_gx_suite(dataclasses.replace(suite, expectations=tuple(by_gx)), table)
        )
        asset = source.add_dataframe_asset(name=f"{suite.name}.{table}")
        batch = asset.add_batch_definition_whole_dataframe("whole table").get_batch(
            batch_parameters={"dataframe": frame}
        )
        result = batch.validate(gx_suite, result_format=RESULT_FORMAT)
        results = {r.expectation_config.meta["number"]: r for r in result.results}
        assert set(results) == {s.number for s in by_gx}, (
            f"GX returned other results than {suite.name}.{table} asked for"
        )
    return [
        native[s.number] if s.number in native else _outcome(s, results[s.number]) for s in specs
    ]


def _query(spec: ExpectationSpec) -> str | None:
    if spec.type != "unexpected_rows_expectation":
        return None
    return str(spec.kwargs["unexpected_rows_query"])


def _parse(query: str) -> exp.Expression:
    text = query.replace("{batch}", BATCH).replace("{{", "{").replace("}}", "}")
    return sqlglot.parse_one(text, read="duckdb")


def _describes(spec: ExpectationSpec) -> bool:
    """Does the check ask DuckDB's DESCRIBE (no Spark SQL form)?"""
    query = _query(spec)
    return query is not None and _parse(query).find(exp.Describe) is not None


def _for_spark(spec: ExpectationSpec) -> ExpectationSpec:
    """SPEC with its unexpected-rows query as Spark SQL (other types unchanged)."""
    query = _query(spec)
    if query is None:
        return spec
    spark_sql = _parse(query).sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    spark_sql = spark_sql.replace("{", "{{").replace("}", "}}").replace(BATCH, "{batch}")
    return dataclasses.replace(spec, kwargs={**spec.kwargs, "unexpected_rows_query": spark_sql})


def expected_types(spec: ExpectationSpec) -> list[tuple[str, str]]:
    """The (column, DuckDB type) pairs of the check's `expected` VALUES list."""
    values = _parse(_query(spec)).find(exp.Values)
    return [tuple(v.name for v in row.expressions) for row in values.expressions]


def _schema_outcome(spec: ExpectationSpec, frame) -> Outcome:
    """The column-types check, from the Spark table's schema (its Spark SQL form)."""
    actual = dict(frame.dtypes)
    wrong = [
        column
        for column, duck_type in expected_types(spec)
        if actual.get(column) != SPARK_TYPES.get(duck_type, duck_type.lower())
    ]
    return Outcome(
        suite=spec.suite, table=spec.table, number=spec.number, description=spec.description,
        type=spec.type, column=spec.column, severity=spec.severity, success=not wrong,
        unexpected_count=len(wrong), observed_value=len(wrong), unit=spec.unit,
        fix=fix_for(type_=spec.type, column=spec.column, unit=spec.unit, given=spec.fix),
    )  # fmt: skip
