"""Load practice extracts into Spark: `cohort run --engine spark`'s load stage.

The same contract, checks and messages as the DuckDB loader
(pipeline/extract/loader.py), with the heavy tables left in Spark:

- practice folders are found, and manifests and CSV headers read, through Hadoop's
  FileSystem (files.py), so a local path, file://, hdfs:// or s3a:// all work;
- each table is read once over every practice's file (one Spark read per header
  layout, normally one), every cell as text, and normalised by the DuckDB loader's
  own SELECT (normalise.py), which also flags each row's structural problems;
- CSV files are read whole by one task each (multiLine, so quoted line breaks are
  kept), which numbers their rows in file order: a problem row's number is its
  position in its file plus 2 (the header is row 1), as DuckDB reports it. Parquet
  rows are numbered from 1 by Spark's row_index. A line Spark cannot split into the
  header's fields, and text that is not UTF-8, are flagged per row the same way
  (DuckDB stops at the first such line and gives its byte offset; Spark cannot);
- problems, row counts and first/future record dates are computed in Spark
  (sql/spark/load_problems.sql, load_counts.sql) and only those small results
  come back; the run stops exactly as the DuckDB loader does.

What comes back into the run's DuckDB: the practices (from the manifests), every
patients row (the population, its validation and the report count every patient),
and per practice the first record date and the records after the extract date
(record_dates). Events and medications stay in Spark: the study reads them there,
and records.py brings back those of the people the run invites or holds back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from pipeline import db
from pipeline.engines.spark import files as fs
from pipeline.engines.spark.normalise import columns, projections
from pipeline.errors import ExtractError
from pipeline.extract import damage, schema
from pipeline.extract.loader import LoadResult, describe_problem, insert_practice, refuse_duplicates
from pipeline.extract.manifest import read_manifest
from pipeline.extract.sources import _mapping

log = logging.getLogger(__name__)

EXTRA_PROBLEMS = {
    "malformed": "{n} {noun} that could not be read{rows} (a different number of fields from the "
    "header, or a stray quote); check those lines' quotes and commas against the header",
    "not_utf8": "{n} {noun} that are not UTF-8{rows}; re-export the file as UTF-8 (CSV UTF-8 in Excel)",
}
CORRUPT = "_corrupt_record"
REPLACEMENT = "\ufffd"  # what Spark's reader puts for bytes that are not UTF-8


@dataclass(frozen=True)
class SparkFile:
    """One practice's file of one table, with its header mapped to the contract."""

    practice_code: str
    table: schema.Table
    location: str
    mapping: tuple[tuple[str, int], ...]
    names: tuple[str, ...]  # the header's names (CSV: read as c0..cN)

    @property
    def is_csv(self) -> bool:
        return self.location.lower().endswith(".csv")

    @property
    def first_row(self) -> int:
        return 2 if self.is_csv else 1

    @property
    def key(self) -> tuple:
        return (self.is_csv, self.mapping, self.names if not self.is_csv else len(self.names))


def load_extracts_spark(con: duckdb.DuckDBPyConnection, spark, locations: list[str]) -> LoadResult:
    """Load every practice under LOCATIONS: patients, events and medications as Spark
    views (contract columns), practices, patients and record_dates into CON."""
    hadoop = fs.HadoopFiles(spark)
    folders = fs.practice_folders(hadoop, locations)
    manifests = [
        read_manifest(f.path, raw=hadoop.read_bytes(f.child("manifest.yaml"))) for f in folders
    ]
    refuse_duplicates(manifests)
    result = LoadResult(manifests=manifests)
    db.script(con, "load/tables")
    for m in manifests:
        if m.unknown_keys:
            result.warnings.append(
                f"{m.folder / 'manifest.yaml'}: ignored unknown key(s) {', '.join(m.unknown_keys)}"
            )
        insert_practice(con, m)
    described = [
        _describe(spark, hadoop, folder, m.practice_code, table, result.warnings)
        for folder, m in zip(folders, manifests, strict=True)
        for table in schema.TABLES
    ]
    result.files = [p for f in described if (p := fs.local_path(f.location)) is not None]
    _push(spark, con, "practices", "SELECT practice_code, extract_date FROM practices")
    _push(spark, con, "sparse_tables", "SELECT * FROM sparse_tables")
    for table in schema.TABLES:
        _load_table(spark, table, [f for f in described if f.table is table])
    counted = _counts(spark)
    problems = _cut(hadoop, described, counted) + _problems(spark, manifests, described)
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; `cohort check` lists them all)"
        raise ExtractError(problems[0] + (more if len(problems) > 1 else ""), problems=problems)
    _record_counts(con, result, counted)
    _patients_back(spark, con)
    for w in result.warnings:
        log.warning(w)
    return result


def _describe(spark, hadoop, folder, code: str, table: schema.Table, warnings: list) -> SparkFile:
    location = fs.table_file(hadoop, folder, table.name)
    if location.lower().endswith(".csv"):
        header = fs.csv_header(hadoop, location)
    else:
        try:
            header = spark.read.parquet(location).columns
        except Exception as exc:  # noqa: BLE001 - Spark's analysis errors have many types
            first = (str(exc).strip().splitlines() or ["error"])[0][:200]
            raise ExtractError(
                f"{location}: could not be read ({first}); check it is a Parquet file"
            ) from None
    mapping = _mapping(location, table, header, warnings)
    return SparkFile(code, table, location, tuple(mapping.items()), tuple(header))


def _push(spark, con, view: str, query: str) -> None:
    """A small DuckDB result as a Spark temporary view."""
    spark.createDataFrame(con.sql(query).to_arrow_table()).createOrReplaceTempView(view)


def _read_group(spark, group: list[SparkFile]):
    """One Spark read over GROUP's files: practice_code, _row (the row's position in
    its file), _corrupt, _not_utf8 and the contract's columns as text."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    first, paths = group[0], [f.location for f in group]
    if first.is_csv:
        columns = [f"c{i}" for i in range(len(first.names))]
        struct = StructType([StructField(c, StringType()) for c in [*columns, CORRUPT]])
        frame = (
            spark.read.schema(struct)
            .options(header="true", multiLine="true", mode="PERMISSIVE", quote='"', escape='"',
                     columnNameOfCorruptRecord=CORRUPT, enforceSchema="true", encoding="UTF-8")
            .csv(paths)
        )  # fmt: skip
        row = F.monotonically_increasing_id()
        corrupt = F.col(CORRUPT).isNotNull()
    else:
        columns = list(first.names)
        frame = spark.read.parquet(*paths)
        row, corrupt = F.col("_metadata.row_index"), F.lit(False)
    mapping = dict(first.mapping)
    cells = [
        F.col(f"`{columns[mapping[c]]}`").cast("string").alias(c)
        if c in mapping
        else F.lit(None).cast("string").alias(c)
        for c in first.table.names
    ]
    raw = [F.coalesce(F.col(f"`{c}`").cast("string"), F.lit("")) for c in columns]
    return frame.select(
        _practice_of(spark, group).alias("practice_code"),
        row.alias("_row"),
        corrupt.alias("_corrupt"),
        F.concat(*raw).contains(REPLACEMENT).alias("_not_utf8"),
        *cells,
    )


def _practice_of(spark, group: list[SparkFile]):
    """The practice whose file a row came from, by the file's path as Spark names it."""
    from pyspark.sql import functions as F

    expr = None
    for f in group:
        hit = _normal(F.col("_metadata.file_path")) == F.lit(_spark_name(spark, f.location))
        expr = F.when(hit, f.practice_code) if expr is None else expr.when(hit, f.practice_code)
    return expr


def _normal(column):
    from pyspark.sql import functions as F

    return F.regexp_replace(column, r"^([A-Za-z][A-Za-z0-9+.\-]*:)/+", "$1")


def _spark_name(spark, location: str) -> str:
    """LOCATION as _metadata.file_path spells it (URL-encoded; scheme slashes normalised)."""
    import re

    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(location)
    status = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).getFileStatus(path)
    encoded = jvm.org.apache.spark.paths.SparkPath.fromPath(status.getPath()).urlEncoded()
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.\-]*:)/+", r"\1", encoded)


def _load_table(spark, table: schema.Table, files: list[SparkFile]) -> None:
    """TABLE normalised and flagged, cached, as views {table}__loaded (with _row and
    load_problems) and {table} (the contract's columns only)."""
    from pyspark import StorageLevel

    groups: dict[tuple, list[SparkFile]] = {}
    for f in files:
        groups.setdefault(f.key, []).append(f)
    frames = [_read_group(spark, g) for g in groups.values()]
    raw = frames[0]
    for frame in frames[1:]:
        raw = raw.unionByName(frame)
    raw.createOrReplaceTempView(f"{table.name}__raw")
    loaded = spark.sql(
        f"SELECT _row, _corrupt, _not_utf8, {projections(table.name)} FROM {table.name}__raw"
    ).selectExpr(
        "* EXCEPT (load_problems, _corrupt, _not_utf8)",
        "nullif(concat_ws(',', load_problems, CASE WHEN _corrupt THEN 'malformed' END, "
        "CASE WHEN _not_utf8 THEN 'not_utf8' END), '') AS load_problems",
    )
    loaded = loaded.persist(StorageLevel.MEMORY_AND_DISK)
    loaded.createOrReplaceTempView(f"{table.name}__loaded")
    names = ", ".join(columns(table.name))
    spark.sql(f"SELECT {names} FROM {table.name}__loaded").createOrReplaceTempView(table.name)


def _problems(spark, manifests, described: list[SparkFile]) -> list[str]:
    """Every structural problem, in practice then table order, as one-line messages."""
    order = {m.practice_code: i for i, m in enumerate(manifests)}
    tables = [t.name for t in schema.TABLES]
    by_file = {(f.table.name, f.practice_code): f for f in described}
    found = []
    for row in spark.sql(db.sql_text("spark/load_problems")).collect():
        table, code, problem, n, offsets = row
        if code is None:
            raise ExtractError(
                f"{table}: {n} row(s) Spark read from a file it did not name as the loader "
                "expected; report this (a bug, not your data)"
            )
        f = by_file[(table, code)]
        lines = [f.first_row + int(o) for o in offsets]
        key = (order[code], tables.index(table), lines[0], problem)
        found.append((key, f"{f.location}: {_describe_problem(problem, int(n), lines)}"))
    return [message for _, message in sorted(found)]


def _describe_problem(problem: str, n: int, lines: list[int]) -> str:
    if problem in EXTRA_PROBLEMS:
        shown = ", ".join(str(x) for x in lines)
        rows = f" (row{'s' if n > 1 else ''} {shown}{', …' if n > len(lines) else ''})"
        return EXTRA_PROBLEMS[problem].format(n=n, noun="row" if n == 1 else "rows", rows=rows)
    return describe_problem(problem, n, lines)


def _counts(spark) -> list[tuple]:
    """Per practice and table: rows, first record date, records after the extract date."""
    return [tuple(r) for r in spark.sql(db.sql_text("spark/load_counts")).collect()]


def _cut(hadoop, described: list[SparkFile], counted: list[tuple]) -> list[str]:
    """CSV files whose last record has no line break after it: cut short (the DuckDB
    loader's check, damage.tail_problem, on the file's last bytes). NUL bytes in a
    file's tail need no check here: Spark reads them, and their rows are flagged."""
    rows = {(code, table): n for code, table, n, *_ in counted}
    found = []
    for f in described:
        n = rows.get((f.practice_code, f.table.name), 0)
        if f.is_csv and damage.tail_problem(hadoop.tail(f.location, 2), rows=n) == "cut":
            found.append(f"{f.location}: " + damage.CUT.format(line=n + 1))
    return found


def _record_counts(con, result: LoadResult, rows: list[tuple]) -> None:
    """Rows per practice and table, and record_dates (first record, records after the
    extract date) into CON and RESULT."""
    dates = []
    for code, table, n, first, future in rows:
        result.row_counts[(code, table)] = int(n)
        if table != "patients":
            result.future_records[(code, table)] = int(future)
            dates.append((code, table, first, int(future)))
    con.execute(
        "CREATE OR REPLACE TABLE record_dates (practice_code VARCHAR, table_name VARCHAR, "
        "first_record DATE, future_records BIGINT)"
    )
    con.executemany("INSERT INTO record_dates VALUES (?, ?, ?, ?)", sorted(dates))


def _patients_back(spark, con) -> None:
    """Every patients row into the run's DuckDB, in practice and file order."""
    names = columns("patients")
    frame = spark.sql(
        f"SELECT {', '.join(names)} FROM patients__loaded ORDER BY practice_code, _row"
    )
    arrow = frame.toArrow()
    con.register("spark_patients", arrow)
    try:
        con.execute("INSERT INTO patients BY NAME SELECT * FROM spark_patients")
    finally:
        con.unregister("spark_patients")
