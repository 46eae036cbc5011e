"""The compiled study on Spark; its output tables brought back into the run's DuckDB.

    from pipeline.engines.spark.session import spark_session
    from pipeline.engines.spark.study import run_study_spark
    result = run_study_spark(con, study, spark=spark_session(master))

The statements are those of pipeline.study.compile.compile_study, the ones the
DuckDB engine runs, transpiled by pipeline.engines.transpile.spark_plan (the
text `cohort sql --dialect spark` prints) and run with spark.sql(sql, args=...).

Inputs (pipeline.study.execute.INPUT_TABLES): a name in INPUTS_IN_SPARK must
already be a table or view of the Spark session (the Spark loader registers the
extract's tables); every other input is pushed up from the run database on CON
as a temporary view of the same name (screened_out made empty there first when
absent, as the DuckDB engine does).

Outputs: every table the study leaves (population, evidence, attrition,
quarantine, study_roles, study_definition, study_steps, study_criteria: whatever
the compiled statements create and do not drop) is materialised in Spark (a
local checkpoint, registered as a temporary view of that name, so later
statements read its rows, not the plan that made them) and, once every
statement has run, a table of the run database with
exactly the column names and types the DuckDB engine gives it (worked out by
running the same statements in DuckDB over empty inputs), all in one DuckDB
transaction: a failure leaves the run database as it was. The views stay
registered in the Spark session; the inputs this function pushed up are dropped.

Data moves in bulk, never row by row: with a local master through Parquet files
in a private folder beside the run database (removed afterwards), otherwise as
Arrow record batches through the driver (transfer="arrow" or "parquet" to choose).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.engines.spark.session import local_cores
from pipeline.engines.transpile import EngineStatement, spark_plan, spark_query
from pipeline.errors import EngineError
from pipeline.study.compile import CompiledStudy
from pipeline.study.execute import (
    INPUT_TABLES,
    StudyResult,
    codelist_check,
    index_date_check,
    run_study,
)
from pipeline.study.model import Study

TRANSFERS = ("parquet", "arrow")


def run_study_spark(
    con: duckdb.DuckDBPyConnection,
    study: Study,
    *,
    spark,
    inputs_in_spark: frozenset[str] = frozenset(),
    workdir: Path | None = None,
    transfer: str | None = None,
) -> StudyResult:
    """Run STUDY on SPARK over the run database on CON (see the module docstring).

    INPUTS_IN_SPARK: input tables already registered in SPARK (not pushed up).
    WORKDIR: where transfer files go (default: beside CON's database file, or a
    temporary folder for an in-memory one). TRANSFER: "parquet" (default for a
    local master) or "arrow" (default otherwise).
    """
    engine = SparkEngine(
        spark, inputs_in_spark=frozenset(inputs_in_spark), workdir=workdir, transfer=transfer
    )
    return run_study(con, study, engine=engine)


class SparkEngine:
    """pipeline.study.execute.StudyEngine on a Spark session."""

    name = "spark"

    def __init__(self, spark, *, inputs_in_spark=frozenset(), workdir=None, transfer=None):
        unknown = set(inputs_in_spark) - set(INPUT_TABLES)
        assert not unknown, f"not study inputs: {sorted(unknown)}"
        self.spark = spark
        self.inputs_in_spark = frozenset(inputs_in_spark)
        self.workdir = workdir
        local = local_cores(spark.sparkContext.master) is not None
        self.transfer = transfer or ("parquet" if local else "arrow")
        assert self.transfer in TRANSFERS, f"transfer must be one of {TRANSFERS}"

    def execute(self, con: duckdb.DuckDBPyConnection, compiled: CompiledStudy) -> dict[str, float]:
        timings: dict[str, float] = {}
        with _folder(con, self.workdir) as folder:
            started = time.perf_counter()
            pushed = self._push_inputs(con, folder)
            timings["spark_inputs"] = _since(started)
            try:
                shapes = output_shapes(compiled, self._input_columns(con))
                self._check(db.sql_text("study/check_index_dates"), index_date_check)
                created = self._run(compiled, timings)
                assert set(created) == set(shapes), (
                    f"Spark left {sorted(created)}, DuckDB would leave {sorted(shapes)}"
                )
                started = time.perf_counter()
                self._bring_back(con, shapes, folder)
                timings["spark_outputs"] = _since(started)
            finally:
                for name in pushed:
                    self.spark.catalog.dropTempView(name)
        return timings

    # -- inputs -------------------------------------------------------------------------

    def _push_inputs(self, con, folder: Path) -> list[str]:
        missing = [t for t in self.inputs_in_spark if not self.spark.catalog.tableExists(t)]
        assert not missing, f"inputs_in_spark names tables Spark does not have: {sorted(missing)}"
        if "screened_out" not in self.inputs_in_spark:
            db.script(con, "study/screened_out_default")
        present = _duckdb_tables(con)
        pushed = [t for t in INPUT_TABLES if t not in self.inputs_in_spark]
        missing = [t for t in pushed if t not in present]
        assert not missing, f"the study needs tables {missing} in the run database or in Spark"
        for table in pushed:
            self._push(con, table, folder)
        return pushed

    def _push(self, con, table: str, folder: Path) -> None:
        if self.transfer == "arrow":
            frame = self.spark.createDataFrame(con.table(table).to_arrow_table())
        else:
            path = folder / f"in_{table}.parquet"
            con.execute(f"COPY {table} TO '{_sql_path(path)}' (FORMAT parquet)")
            frame = self.spark.read.parquet(str(path))
        frame.createOrReplaceTempView(table)

    def _input_columns(self, con) -> dict[str, list[tuple[str, str]]]:
        """Each input's (column, DuckDB type): from the run database, or mapped from Spark's schema."""
        columns = {}
        for table in INPUT_TABLES:
            if table in self.inputs_in_spark:
                schema = self.spark.table(table).schema
                columns[table] = [(f.name, duckdb_type(f.dataType)) for f in schema.fields]
            else:
                rows = con.execute(f"DESCRIBE {table}").fetchall()
                columns[table] = [(r[0], r[1]) for r in rows]
        return columns

    # -- the statements -----------------------------------------------------------------

    def _run(self, compiled: CompiledStudy, timings: dict[str, float]) -> list[str]:
        created: list[str] = []
        plan = spark_plan(compiled)
        last_of_roles = max(i for i, s in enumerate(plan) if s.origin == "roles")
        for number, statement in enumerate(plan):
            started = time.perf_counter()
            self._sql(statement, compiled.params)
            if statement.drops in created:
                created.remove(statement.drops)
            if statement.creates:
                created.append(statement.creates)
            timings[statement.origin] = timings.get(statement.origin, 0.0) + _since(started)
            if number == last_of_roles:
                self._check(db.sql_text("study/check_codelists"), codelist_check)
        return created

    def _check(self, sql: str, check) -> None:
        """Run a check query of sql/study on Spark and hand its rows to CHECK (as DuckDB does)."""
        check([tuple(r) for r in self._sql(spark_query(sql), {}).collect()])

    def _sql(self, statement: EngineStatement, params: dict):
        try:
            frame = self.spark.sql(statement.sql, args=statement.bound(params) or None)
            if statement.creates:
                # A leaf for every later statement: the rows, not the plan that made them.
                frame.localCheckpoint(eager=True).createOrReplaceTempView(statement.creates)
            return frame
        except Exception as exc:
            # Spark's messages can quote values (a failed cast names the cell): keep the class only.
            condition = _condition(exc)
            raise EngineError(
                f"Spark could not run the study's {statement.origin} statement ({condition}); "
                "`cohort sql --dialect spark` prints it"
            ) from exc

    # -- outputs ------------------------------------------------------------------------

    def _bring_back(self, con, shapes: dict[str, Shape], folder: Path) -> None:
        sources = {name: self._fetch(name, folder) for name in shapes}
        con.begin()
        try:
            for name, shape in shapes.items():
                columns = shape.columns
                got, source = sources[name]
                want = [c for c, _ in columns]
                assert [c.lower() for c in got] == [c.lower() for c in want], (
                    f"{name}: Spark gave columns {got}, DuckDB has {want}"
                )
                casts = ", ".join(
                    f"CAST({db.quote_ident(s)} AS {t}) AS {db.quote_ident(c)}"
                    for s, (c, t) in zip(got, columns, strict=True)
                )
                if isinstance(source, list):
                    files = ", ".join(f"'{_sql_path(f)}'" for f in source)
                    origin = f"read_parquet([{files}])"
                else:
                    con.register("cf_spark_output", source)
                    origin = "cf_spark_output"
                kind = "TEMP TABLE" if shape.temporary else "TABLE"
                con.execute(f"CREATE OR REPLACE {kind} {name} AS SELECT {casts} FROM {origin}")
                if origin == "cf_spark_output":
                    con.unregister("cf_spark_output")
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def _fetch(self, name: str, folder: Path):
        """Output NAME of the Spark session: (its columns, Parquet files or an Arrow table)."""
        frame = self.spark.table(name)
        if self.transfer == "parquet":
            path = folder / f"out_{name}"
            frame.write.mode("overwrite").parquet(str(path))
            files = sorted(path.glob("*.parquet"))
            if files:  # an empty result may leave no part file; Arrow below keeps its schema
                return frame.columns, files
        return frame.columns, frame.toArrow()


@dataclass(frozen=True)
class Shape:
    """An output table as the DuckDB engine leaves it: (column, type) pairs; a TEMP table or not."""

    columns: list[tuple[str, str]]
    temporary: bool = False


def output_shapes(
    compiled: CompiledStudy, inputs: dict[str, list[tuple[str, str]]]
) -> dict[str, Shape]:
    """The tables the DuckDB engine leaves (with their columns and types) for INPUTS' columns.

    The compiled statements run in an in-memory DuckDB over empty input tables of
    those columns: milliseconds, and by construction the DuckDB engine's schema.
    """
    scratch = db.connect()
    try:
        for table, columns in inputs.items():
            cols = ", ".join(f"{db.quote_ident(c)} {t}" for c, t in columns)
            scratch.execute(f"CREATE TABLE {table} ({cols})")
        for statement in compiled.statements:
            scratch.execute(statement.sql, compiled.bound(statement))
        made = scratch.execute(
            "SELECT table_name, temporary FROM duckdb_tables() ORDER BY table_name"
        ).fetchall()
        return {
            name: Shape(
                columns=[(r[0], r[1]) for r in scratch.execute(f"DESCRIBE {name}").fetchall()],
                temporary=temporary,
            )
            for name, temporary in made
            if name not in inputs
        }
    finally:
        scratch.close()


def duckdb_type(spark_type) -> str:
    """The DuckDB type of a Spark SQL data type (for inputs registered only in Spark)."""
    from pyspark.sql import types as T

    simple = {
        T.StringType: "VARCHAR", T.VarcharType: "VARCHAR", T.CharType: "VARCHAR",
        T.BooleanType: "BOOLEAN", T.ByteType: "TINYINT", T.ShortType: "SMALLINT",
        T.IntegerType: "INTEGER", T.LongType: "BIGINT", T.FloatType: "FLOAT",
        T.DoubleType: "DOUBLE", T.DateType: "DATE", T.TimestampType: "TIMESTAMPTZ",
        T.TimestampNTZType: "TIMESTAMP", T.BinaryType: "BLOB",
    }  # fmt: skip
    for kind, name in simple.items():
        if isinstance(spark_type, kind):
            return name
    if isinstance(spark_type, T.DecimalType):
        return f"DECIMAL({spark_type.precision}, {spark_type.scale})"
    if isinstance(spark_type, T.ArrayType):
        return duckdb_type(spark_type.elementType) + "[]"
    raise EngineError(f"no DuckDB type for Spark's {spark_type.simpleString()} in a study input")


def _duckdb_tables(con) -> set[str]:
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return names | {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}


def _condition(exc: Exception) -> str:
    for getter in ("getCondition", "getErrorClass"):
        try:
            found = getattr(exc, getter)()
        except Exception:  # noqa: BLE001 - not a Spark error, or an older pyspark
            continue
        if found:
            return str(found)
    return type(exc).__name__


@contextmanager
def _folder(con, workdir: Path | None):
    """A private folder for transfer files (owner-only; they hold patient rows), removed after."""
    base = workdir or _database_folder(con)
    folder = Path(tempfile.mkdtemp(prefix="spark-transfer-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _database_folder(con) -> Path | None:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]).resolve().parent if row and row[0] else None


def _sql_path(path: Path | str) -> str:
    return str(path).replace("'", "''")


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
